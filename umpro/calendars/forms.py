from wtforms import RadioField, SelectField, StringField
from wtforms.validators import Length, Optional

from umpro.calendars.models import DETAILS
from umpro.forms import FlaskForm


class FeedForm(FlaskForm):
    target = SelectField(
        "Calendrier",
        validate_choice=False,  # the service decides who may subscribe to what
        description="Votre agenda ; les administrateurs peuvent aussi choisir une salle, "
        "un collègue ou toute la maison de santé.",
    )
    detail = RadioField(
        "Niveau de détail",
        choices=list(DETAILS.items()),
        default="busy",
        validate_choice=False,
    )
    label = StringField(
        "Libellé (facultatif)",
        validators=[Optional(), Length(max=100, message="Au plus 100 caractères.")],
        description="Pour vous y retrouver : « téléphone », « écran de l'accueil »…",
    )
