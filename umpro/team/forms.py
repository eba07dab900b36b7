from wtforms import (
    BooleanField,
    EmailField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from umpro.auth.forms import new_password_field
from umpro.forms import FlaskForm, optional_int, required_text
from umpro.team.models import ROOM_KINDS
from umpro.team.professions import LABELS


class StaffForm(FlaskForm):
    given_name = required_text("Prénom", "Le prénom est obligatoire.", max_length=100)
    family_name = required_text("Nom", "Le nom est obligatoire.", max_length=100)
    email = EmailField(
        "Adresse e-mail",
        validators=[
            DataRequired("L'adresse e-mail est obligatoire."),
            Email("Adresse e-mail invalide."),
        ],
    )
    profession = SelectField("Profession", choices=[(p.value, lbl) for p, lbl in LABELS.items()])
    rpps = StringField(
        "Numéro RPPS",
        validators=[
            Optional(),
            Length(min=11, max=11, message="Le numéro RPPS comporte 11 chiffres."),
        ],
        description="11 chiffres, pour les professionnels de santé.",
    )
    supervisor_id = SelectField("Maître de stage", coerce=optional_int, validate_choice=False)
    assisted_gp_ids = SelectMultipleField("Médecins assistés", coerce=int, validate_choice=False)
    default_type_id = SelectField(
        "Type de rendez-vous par défaut",
        coerce=optional_int,
        validate_choice=False,
        description="Présélectionné à la prise de rendez-vous avec ce professionnel.",
    )
    is_admin = BooleanField("Droits d'administration (coordination)")


class NewStaffForm(StaffForm):
    password = new_password_field("Mot de passe initial", "Choisissez un mot de passe initial.")


class ResetPasswordForm(FlaskForm):
    password = new_password_field("Nouveau mot de passe", "Choisissez un mot de passe.")


class RoomForm(FlaskForm):
    name = required_text("Nom", "Le nom de la salle est obligatoire.", max_length=100)
    kind = SelectField("Usage", choices=list(ROOM_KINDS.items()))
    is_active = BooleanField("En service", default=True)
