"""A patient's refusal of reminders, per channel."""

from wtforms import SelectMultipleField, StringField
from wtforms.validators import Length
from wtforms.widgets import CheckboxInput, ListWidget

from umpro.forms import FlaskForm
from umpro.reminders.models import CHANNELS


class OptOutForm(FlaskForm):
    channels = SelectMultipleField(
        "Le patient refuse les rappels",
        choices=[(code, f"{label} : pas de rappel") for code, label in CHANNELS.items()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,  # the service refuses an unknown channel in French
    )
    note = StringField(
        "Note (facultative)",
        validators=[Length(max=200, message="La note tient en 200 caractères au plus.")],
        description="Par exemple : demande faite à l'accueil le 3 mars.",
    )
