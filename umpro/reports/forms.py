from wtforms import BooleanField, DateField, DecimalField, IntegerField, RadioField
from wtforms.validators import InputRequired, Optional

from umpro.forms import FlaskForm


class TargetForm(FlaskForm):
    baseline_on = DateField(
        "Date de référence",
        validators=[InputRequired("Indiquez la date de référence.")],
        description="Souvent la date de signature du contrat d'assistant médical.",
    )
    baseline_value = IntegerField(
        "Patientèle de référence (facultatif)",
        validators=[Optional()],
        description="Laissez vide pour la calculer depuis les déclarations à cette date.",
    )
    kind = RadioField(
        "Objectif exprimé en",
        choices=[("percent", "pourcentage de hausse"), ("gain", "nombre de patients en plus")],
        default="percent",
    )
    target_percent = DecimalField("Hausse visée (%)", places=1, validators=[Optional()])
    target_gain = IntegerField("Patients en plus", validators=[Optional()])
    deadline_on = DateField("Échéance", validators=[InputRequired("Indiquez l'échéance.")])
    with_assistant = BooleanField("Avec un assistant médical")
