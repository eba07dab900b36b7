from wtforms import EmailField, PasswordField, SelectField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from umpro.forms import FlaskForm


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
    new = PasswordField(
        "Nouveau mot de passe",
        validators=[
            DataRequired("Saisissez un nouveau mot de passe."),
            Length(min=10, message="Au moins 10 caractères."),
        ],
    )
    confirm = PasswordField(
        "Confirmation",
        validators=[EqualTo("new", "Les deux mots de passe ne correspondent pas.")],
    )
