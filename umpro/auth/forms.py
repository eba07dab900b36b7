from wtforms import EmailField, PasswordField, SelectField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from umpro.forms import FlaskForm

MIN_PASSWORD_LENGTH = 10


def new_password_field(label: str, missing: str) -> PasswordField:
    """A new password, required (``missing`` says so) and at least 10 characters long."""
    return PasswordField(
        label,
        validators=[
            DataRequired(missing),
            Length(min=MIN_PASSWORD_LENGTH, message=f"Au moins {MIN_PASSWORD_LENGTH} caractères."),
        ],
    )


class LoginForm(FlaskForm):
    email = EmailField(
        "Adresse e-mail",
        validators=[
            DataRequired("Saisissez votre adresse e-mail."),
            Email("Adresse e-mail invalide."),
        ],
    )
    password = PasswordField(
        "Mot de passe", validators=[DataRequired("Saisissez votre mot de passe.")]
    )


class PreferencesForm(FlaskForm):
    locale = SelectField("Langue de l'interface", choices=[("fr", "Français"), ("en", "English")])


class ChangePasswordForm(FlaskForm):
    current = PasswordField(
        "Mot de passe actuel", validators=[DataRequired("Saisissez votre mot de passe actuel.")]
    )
    new = new_password_field("Nouveau mot de passe", "Saisissez un nouveau mot de passe.")
    confirm = PasswordField(
        "Confirmation",
        validators=[EqualTo("new", "Les deux mots de passe ne correspondent pas.")],
    )
