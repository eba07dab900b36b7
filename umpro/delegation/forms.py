"""Delegation forms: input shape only; the rules are in the services.

The results form is not a WTForms class: its fields come from the protocol (see
``views.tasks._results_from``), and the service validates them.
"""

from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from umpro.delegation.models import PROTOCOL_KINDS, RESPONDENTS, SEVERITIES
from umpro.delegation.states import PRIORITIES
from umpro.forms import FlaskForm, optional_int
from umpro.patients.models import SEXES
from umpro.team.professions import LABELS

DATE_MESSAGE = "Date invalide (jj/mm/aaaa)."


class CheckboxList(SelectMultipleField):
    """Several check boxes (criteria, professions) instead of a multiple select."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class HandOffForm(FlaskForm):
    protocol_code = SelectField("Protocole", validate_choice=False)
    instructions = TextAreaField(
        "Consignes pour le délégué",
        validators=[Length(max=4000, message="4000 caractères au plus.")],
        description="Ce que vous attendez de la séance, ce qu'il faut surveiller.",
    )
    priority = SelectField("Priorité", choices=list(PRIORITIES.items()), default="routine")
    due_on = DateField(
        "Échéance",
        validators=[Optional()],
        description="Laissée vide : le délai par défaut du protocole.",
    )
    inclusion_met = CheckboxList("Critères d'inclusion remplis", validate_choice=False)
    exclusions_present = CheckboxList("Critères d'exclusion présents", validate_choice=False)
    consent = BooleanField("Le patient a reçu l'information sur le protocole et y consent")
    consent_on = DateField(
        "Date du consentement",
        validators=[Optional()],
        description="Laissée vide : aujourd'hui.",
    )


class ConsentForm(FlaskForm):
    protocol_code = SelectField("Protocole", validate_choice=False)
    given_on = DateField("Date du consentement", validators=[Optional()])
    informed = BooleanField(
        "Le patient a reçu l'information sur le protocole et y consent",
        validators=[DataRequired("Confirmez que le patient a été informé et consent.")],
    )


class WithdrawConsentForm(FlaskForm):
    protocol_code = StringField(validators=[DataRequired()])
    note = StringField("Motif du retrait (facultatif)", validators=[Length(max=500)])


class ReasonForm(FlaskForm):
    to = StringField(validators=[DataRequired("Choisissez une action.")])
    reason = TextAreaField("Motif", validators=[Length(max=500, message="500 caractères au plus.")])


class CommentForm(FlaskForm):
    """The results form's fixed part: the session's comment (the fields come from the
    protocol)."""

    reason = TextAreaField(
        "Commentaire de séance", validators=[Length(max=500, message="500 caractères au plus.")]
    )


class BookingForm(FlaskForm):
    type_id = SelectField("Type de rendez-vous", coerce=optional_int, validate_choice=False)
    day = DateField("Jour", validators=[InputRequired(DATE_MESSAGE)])
    time = TimeField("Heure", validators=[InputRequired("Heure invalide (hh:mm).")])


class AcknowledgeForm(FlaskForm):
    take_back = BooleanField("Je reprends cet acte (reprise comptée dans le taux de reprise)")
    note = TextAreaField("Note (facultative)", validators=[Length(max=1000)])


class DueForm(FlaskForm):
    due_on = DateField("Nouvelle échéance", validators=[InputRequired(DATE_MESSAGE)])


class AdverseEventForm(FlaskForm):
    occurred_on = DateField("Date de l'événement", validators=[InputRequired(DATE_MESSAGE)])
    severity = SelectField("Gravité", choices=list(SEVERITIES.items()))
    description = TextAreaField(
        "Description",
        validators=[DataRequired("Décrivez l'événement."), Length(max=4000)],
    )
    action_taken = TextAreaField("Mesures prises", validators=[Length(max=4000)])


class SatisfactionForm(FlaskForm):
    respondent = SelectField("Qui répond", choices=list(RESPONDENTS.items()))
    score = IntegerField(
        "Note de 1 (très insatisfait) à 5 (très satisfait)",
        validators=[
            InputRequired("Donnez une note de 1 à 5."),
            NumberRange(1, 5, "La note va de 1 à 5."),
        ],
    )
    comment = TextAreaField("Commentaire", validators=[Length(max=1000)])


class ProtocolForm(FlaskForm):
    code = StringField(
        "Code", validators=[DataRequired("Le code est obligatoire."), Length(max=40)]
    )
    title = StringField(
        "Titre", validators=[DataRequired("Le titre est obligatoire."), Length(max=200)]
    )
    kind = SelectField("Type", choices=list(PROTOCOL_KINDS.items()))
    summary = TextAreaField("Résumé", validators=[Length(max=2000)])
    delegating_professions = CheckboxList(
        "Professions déléguantes", choices=[(p.value, lbl) for p, lbl in LABELS.items()]
    )
    delegate_professions = CheckboxList(
        "Professions déléguées", choices=[(p.value, lbl) for p, lbl in LABELS.items()]
    )
    acts = TextAreaField("Actes dérogatoires (un par ligne)")
    min_age = IntegerField("Âge minimum (ans)", validators=[Optional()])
    max_age = IntegerField("Âge maximum (ans)", validators=[Optional()])
    sexes = CheckboxList(
        "Réservé aux patients de sexe",
        choices=list(SEXES.items()),
        description="Aucune case cochée : tous les patients.",
    )
    inclusion = TextAreaField(
        "Critères d'inclusion (un par ligne : « clé ; libellé » ou le libellé seul)"
    )
    exclusion = TextAreaField("Critères d'exclusion (un par ligne)")
    consent_required = BooleanField("Consentement du patient requis", default=True)
    fields = TextAreaField(
        "Champs de résultat (un par ligne)",
        description="clé ; libellé ; type (nombre, choix, oui/non, date, texte) ; options : "
        "unité=… ; min=… ; max=… ; choix=A|B|C ; obligatoire. "
        "Exemple : hba1c ; HbA1c ; nombre ; unité=% ; min=3 ; max=20 ; obligatoire",
    )
    red_flags = TextAreaField(
        "Signes d'alerte (un par ligne)",
        description="clé ; libellé ; condition sur un champ (ex. « hba1c > 10 », "
        "« pieds = Plaie ») — sans condition : un signe que le délégué coche s'il le constate.",
    )
    default_due_days = IntegerField(
        "Délai d'échéance par défaut (jours)",
        default=30,
        validators=[InputRequired("Indiquez un délai en jours."), NumberRange(0, 365)],
    )
    is_active = BooleanField("En vigueur", default=True)


class MembershipForm(FlaskForm):
    staff_id = SelectField("Professionnel", coerce=optional_int, validate_choice=False)
    trained_on = DateField("Formé le", validators=[InputRequired(DATE_MESSAGE)])
    valid_until = DateField("Valable jusqu'au (facultatif)", validators=[Optional()])


class EndMembershipForm(FlaskForm):
    on = DateField("Dernier jour de validité", validators=[InputRequired(DATE_MESSAGE)])


class ReviewForm(FlaskForm):
    entry_ids = SelectMultipleField(coerce=int, validate_choice=False)
    note = StringField("Remarque (facultative)", validators=[Length(max=1000)])
