"""Patients forms: input shape only, French labels; the services check the rules."""

from datetime import date, datetime

from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from umpro.forms import FlaskForm, optional_int
from umpro.patients.models import (
    CHANNELS,
    DECLINE_REASONS,
    END_REASONS,
    ENTRY_KINDS,
    SEXES,
)
from umpro.patients.services.registrations import DECISIONS

DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d%m%Y")


def parse_date(text: str) -> date:
    """A date typed the French way (``12/03/1958``) or ISO; ValueError otherwise."""
    text = (text or "").strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    raise ValueError(text)


class FrenchDateField(StringField):
    """A text input for ``jj/mm/aaaa`` (also accepts ``aaaa-mm-jj``): fast to type."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {"placeholder": "jj/mm/aaaa", "inputmode": "numeric"})
        kwargs.setdefault("description", "Format jj/mm/aaaa.")
        super().__init__(label, validators, **kwargs)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.data.strftime("%d/%m/%Y") if isinstance(self.data, date) else ""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0].strip():
            try:
                self.data = parse_date(valuelist[0])
            except ValueError:
                raise ValueError("Date invalide : utilisez le format jj/mm/aaaa.") from None


def _text(value) -> str:
    """Coerce for selects the services validate: a missing value is "", never "None"."""
    return "" if value is None else str(value)


def _choose_one(label: str, options) -> SelectField:
    """A select of ``options`` ((value, label) pairs) after « — choisir — »; the service
    validates the value."""
    return SelectField(
        label, choices=[("", "— choisir —"), *options], coerce=_text, validate_choice=False
    )


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _date_required(message: str):
    # InputRequired, not DataRequired: a date typed wrong keeps its own message.
    return InputRequired(message)


class PatientForm(FlaskForm):
    family_name = StringField(
        "Nom d'usage", validators=[DataRequired("Le nom est obligatoire."), Length(max=100)]
    )
    birth_name = StringField(
        "Nom de naissance",
        validators=[Optional(), Length(max=100)],
        description="S'il diffère du nom d'usage.",
    )
    given_names = StringField(
        "Prénom(s)", validators=[DataRequired("Le prénom est obligatoire."), Length(max=150)]
    )
    birth_date = FrenchDateField(
        "Date de naissance", validators=[_date_required("La date de naissance est obligatoire.")]
    )
    sex = _choose_one("Sexe", SEXES.items())
    ins = StringField(
        "INS (matricule INS)",
        validators=[Optional()],
        description="15 caractères, clé comprise (facultatif).",
    )
    phone = StringField("Téléphone", validators=[Optional(), Length(max=30)])
    email = StringField("Adresse e-mail", validators=[Optional(), Length(max=254)])
    address = StringField("Adresse", validators=[Optional(), Length(max=200)])
    postal_code = StringField("Code postal", validators=[Optional(), Length(max=10)])
    city = StringField("Commune", validators=[Optional(), Length(max=100)])
    has_chronic_condition = BooleanField("Affection de longue durée (ALD)")
    confirm_duplicate = BooleanField("Il s'agit bien d'un autre patient : créer quand même")


class EntryForm(FlaskForm):
    kind = SelectField(
        "Type d'entrée", choices=list(ENTRY_KINDS.items()), coerce=_text, validate_choice=False
    )
    title = StringField("Titre", validators=[Optional(), Length(max=200)])
    body = TextAreaField(
        "Contenu", validators=[DataRequired("Le contenu de l'entrée est obligatoire.")]
    )


class CorrectionForm(FlaskForm):
    title = StringField("Titre", validators=[Optional(), Length(max=200)])
    body = TextAreaField(
        "Contenu corrigé", validators=[DataRequired("Le contenu de l'entrée est obligatoire.")]
    )


class EnteredInErrorForm(FlaskForm):
    reason = StringField(
        "Motif",
        validators=[DataRequired("Indiquez pourquoi cette entrée est erronée."), Length(max=300)],
        description="Par exemple : saisie dans le mauvais dossier.",
    )


class ObjectionForm(FlaskForm):
    note = StringField("Précisions (facultatif)", validators=[Optional(), Length(max=500)])


class DeclareForm(FlaskForm):
    gp_id = SelectField("Médecin traitant", coerce=optional_int, validate_choice=False)
    start_on = FrenchDateField(
        "Date de la déclaration", validators=[_date_required("La date de début est obligatoire.")]
    )


class TransferForm(FlaskForm):
    gp_id = SelectField("Nouveau médecin traitant", coerce=optional_int, validate_choice=False)
    on = FrenchDateField(
        "Date du changement", validators=[_date_required("La date du changement est obligatoire.")]
    )


class EndDeclarationForm(FlaskForm):
    end_on = FrenchDateField(
        "Date de fin", validators=[_date_required("La date de fin est obligatoire.")]
    )
    end_reason = _choose_one("Motif", [(k, v) for k, v in END_REASONS.items() if k != "transfer"])


class RequestForm(FlaskForm):
    gp_id = SelectField("Médecin sollicité", coerce=optional_int, validate_choice=False)
    channel = _choose_one("Canal", CHANNELS.items())
    received_on = FrenchDateField(
        "Reçue le", validators=[_date_required("La date de la demande est obligatoire.")]
    )
    has_chronic_condition = BooleanField("Le patient est en ALD")
    note = StringField("Remarque", validators=[Optional(), Length(max=500)])


class DecisionForm(FlaskForm):
    decision = RadioField(
        "Décision", choices=list(DECISIONS.items()), coerce=_text, validate_choice=False
    )
    reason = _choose_one("Motif du refus", DECLINE_REASONS.items())
    oriented_to = StringField(
        "Patient orienté vers",
        validators=[Optional(), Length(max=200)],
        description="Confrère ou structure (CPTS, centre de santé, médiateur…).",
    )
    note = TextAreaField("Précisions (facultatif)", validators=[Optional(), Length(max=1000)])


class LetterForm(FlaskForm):
    recipient = StringField(
        "Destinataire",
        validators=[DataRequired("Indiquez le destinataire (confrère, service ou spécialité).")],
        description="Par exemple : Dr Durand, cardiologue, CHU de Lyon.",
    )
    is_second_opinion = BooleanField("Demande de second avis")
    reason = TextAreaField(
        "Motif de l'adressage",
        validators=[DataRequired("Le motif de l'adressage est obligatoire.")],
    )
    entry_ids = MultiCheckboxField(
        "Éléments du dossier à joindre", coerce=int, validate_choice=False
    )


class ReplyForm(FlaskForm):
    received_on = FrenchDateField(
        "Reçue le", validators=[_date_required("La date de réception est obligatoire.")]
    )
    body = TextAreaField(
        "Contenu de la réponse",
        validators=[DataRequired("Le contenu de l'entrée est obligatoire.")],
    )
