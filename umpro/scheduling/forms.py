"""Agenda forms: input shape only (the services check the rules)."""

from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from umpro.forms import FlaskForm, optional_int
from umpro.scheduling.models import ABSENCE_KINDS, COLOURS, SOURCES, WEEKDAYS
from umpro.team.professions import LABELS

REQUIRED_DAY = "Indiquez la date."
REQUIRED_TIME = "Indiquez l'heure."
FIRST_YEAR, LAST_YEAR = 1900, 2200


def plausible(form, field) -> None:
    """Dates far outside an agenda's life are typing mistakes (and overflow date maths)."""
    if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise ValidationError(f"Date hors limites ({FIRST_YEAR}–{LAST_YEAR}).")


class BookingForm(FlaskForm):
    patient_query = StringField(
        "Rechercher un patient",
        validators=[Optional(), Length(max=100)],
        description="Nom, prénom ou date de naissance (jj/mm/aaaa).",
    )
    # The patient (radio buttons ``patient_id``) and the offered slot (radio buttons
    # ``slot``) are read from the request: their choices come from searches.
    staff_id = SelectField("Professionnel", coerce=optional_int, validate_choice=False)
    type_id = SelectField("Type de rendez-vous", coerce=optional_int, validate_choice=False)
    day = DateField("Date", validators=[Optional(), plausible])
    time = TimeField("Heure", validators=[Optional()])
    source = SelectField("Origine", choices=list(SOURCES.items()), default="phone")
    regulator_name = StringField(
        "Nom du régulateur (SAS)",
        validators=[Optional(), Length(max=120)],
        description="Origine « Régulation (SAS) » saisie à l'accueil : qui a régulé l'appel.",
    )
    regulator_reference = StringField(
        "Référence de la régulation", validators=[Optional(), Length(max=60)]
    )


class MoveForm(FlaskForm):
    version = HiddenField()
    staff_id = SelectField("Professionnel", coerce=optional_int, validate_choice=False)
    day = DateField("Nouvelle date", validators=[InputRequired(REQUIRED_DAY), plausible])
    time = TimeField("Nouvelle heure", validators=[InputRequired(REQUIRED_TIME)])


class CancelForm(FlaskForm):
    version = HiddenField()
    reason = TextAreaField(
        "Motif de l'annulation",
        validators=[
            DataRequired("Indiquez le motif de l'annulation."),
            Length(max=300, message="Le motif tient en 300 caractères au plus."),
        ],
    )


class StatusForm(FlaskForm):
    version = HiddenField()
    status = HiddenField(validators=[DataRequired("Statut manquant.")])


class TypeForm(FlaskForm):
    label = StringField(
        "Libellé", validators=[DataRequired("Le libellé est obligatoire."), Length(max=100)]
    )
    duration_minutes = IntegerField(
        "Durée (minutes)",
        validators=[
            InputRequired("Indiquez la durée."),
            NumberRange(5, 480, "Entre 5 minutes et 8 heures."),
        ],
    )
    professions = SelectMultipleField(
        "Professions qui le réalisent", choices=[(p.value, lbl) for p, lbl in LABELS.items()]
    )
    colour = SelectField("Couleur", choices=list(COLOURS.items()))
    is_home_visit = BooleanField("Visite à domicile")
    is_teleconsultation = BooleanField("Téléconsultation")
    is_unscheduled = BooleanField("Soins non programmés")
    is_active = BooleanField("Proposé à la prise de rendez-vous", default=True)


class RuleForm(FlaskForm):
    staff_id = SelectField("Professionnel", coerce=optional_int, validate_choice=False)
    weekday = SelectField("Jour", coerce=int, choices=list(enumerate(WEEKDAYS)))
    start_time = TimeField("Début", validators=[InputRequired(REQUIRED_TIME)])
    end_time = TimeField("Fin", validators=[InputRequired(REQUIRED_TIME)])
    room_id = SelectField("Salle", coerce=optional_int, validate_choice=False)
    type_ids = SelectMultipleField(
        "Types proposés", coerce=int, validate_choice=False, description="Aucun : tous."
    )
    valid_from = DateField(
        "Valable à partir du", validators=[InputRequired(REQUIRED_DAY), plausible]
    )
    valid_until = DateField("Jusqu'au (inclus)", validators=[Optional(), plausible])
    open_on_holidays = BooleanField("Ouvert les jours fériés")


class AbsenceForm(FlaskForm):
    staff_id = SelectField("Professionnel", coerce=optional_int, validate_choice=False)
    kind = SelectField("Motif", choices=[(k, v) for k, v in ABSENCE_KINDS.items()])
    start_day = DateField("Du", validators=[InputRequired(REQUIRED_DAY), plausible])
    start_time = TimeField("à partir de", validators=[Optional()], description="Vide : 00:00.")
    end_day = DateField("Au (inclus)", validators=[InputRequired(REQUIRED_DAY), plausible])
    end_time = TimeField("jusqu'à", validators=[Optional()], description="Vide : fin de journée.")
    note = StringField("Note", validators=[Optional(), Length(max=200)])


class WeeklyAbsenceForm(FlaskForm):
    staff_id = SelectField("Professionnel", coerce=optional_int, validate_choice=False)
    kind = SelectField("Motif", choices=[(k, v) for k, v in ABSENCE_KINDS.items()])
    weekday = SelectField("Jour", coerce=int, choices=list(enumerate(WEEKDAYS)))
    start_time = TimeField("Début", validators=[InputRequired(REQUIRED_TIME)])
    end_time = TimeField("Fin", validators=[InputRequired(REQUIRED_TIME)])
    valid_from = DateField(
        "Valable à partir du", validators=[InputRequired(REQUIRED_DAY), plausible]
    )
    valid_until = DateField("Jusqu'au (inclus)", validators=[Optional(), plausible])
