"""A protocol's structured definition: criteria, result fields, red flags.

Stored as JSON on ``Protocol`` and read through ``of(protocol)``; the admin writes it as
lines of text (``umpro.delegation.protocols.text_format``). Results are validated here against
the fields (type, bounds, choices, required), and the red flags they raise computed.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from umpro.errors import Invalid

FIELD_TYPES = {
    "number": "nombre",
    "choice": "choix",
    "boolean": "oui/non",
    "date": "date",
    "text": "texte",
}
#: Reserved in results: the list of signs the delegate observed.
SIGNS_KEY = "signs"
TEXT_MAX = 2000
YES, NO = "oui", "non"


def slug(label: str) -> str:
    """``Grossesse en cours`` → ``grossesse_en_cours`` (a stable key from a label)."""
    folded = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
    key = re.sub(r"[^a-z0-9]+", "_", folded).strip("_")[:40].strip("_")
    return key if key and key[0].isalpha() else f"c_{key}"[:40]


def parse_number(value) -> float | None:
    """``7,5`` or ``7.5`` → 7.5; None when not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip().replace(",", ".").replace(" ", ""))
    except ValueError:
        return None


def number_fr(value: float) -> str:
    """7.5 → ``7,5``; 8.0 → ``8``."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str

    def to_json(self) -> dict:
        return {"key": self.key, "label": self.label}


@dataclass(frozen=True)
class ResultField:
    key: str
    label: str
    type: str
    unit: str = ""
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    required: bool = False

    def to_json(self) -> dict:
        data = {"key": self.key, "label": self.label, "type": self.type, "required": self.required}
        if self.type == "number":
            data |= {"unit": self.unit, "min": self.min, "max": self.max}
        if self.type == "choice":
            data["choices"] = list(self.choices)
        return data

    @property
    def bounds_label(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        if self.min is not None and self.max is not None:
            return f"de {number_fr(self.min)} à {number_fr(self.max)}{unit}"
        if self.min is not None:
            return f"au moins {number_fr(self.min)}{unit}"
        if self.max is not None:
            return f"au plus {number_fr(self.max)}{unit}"
        return ""

    def show(self, value) -> str:
        """A stored value as the French screens show it."""
        if value is None or value == "":
            return "—"
        if self.type == "number":
            return f"{number_fr(value)}{' ' + self.unit if self.unit else ''}"
        if self.type == "boolean":
            return "Oui" if value else "Non"
        if self.type == "date":
            return date.fromisoformat(value).strftime("%d/%m/%Y")
        return str(value)


@dataclass(frozen=True)
class RedFlag:
    """A result condition (``field op value``) or, without a field, a sign to tick."""

    key: str
    label: str
    field: str | None = None
    op: str | None = None
    value: float | str | bool | None = None

    @property
    def is_sign(self) -> bool:
        return self.field is None

    def to_json(self) -> dict:
        data = {"key": self.key, "label": self.label}
        if not self.is_sign:
            data |= {"field": self.field, "op": self.op, "value": self.value}
        return data

    def raised_by(self, values: dict, signs: list[str]) -> bool:
        if self.is_sign:
            return self.key in signs
        value = values.get(self.field)
        if value is None:
            return False
        if self.op == "=":
            return value == self.value
        return {
            ">": value > self.value,
            ">=": value >= self.value,
            "<": value < self.value,
            "<=": value <= self.value,
        }[self.op]


@dataclass
class Definition:
    inclusion: list[Criterion] = field(default_factory=list)
    exclusion: list[Criterion] = field(default_factory=list)
    fields: list[ResultField] = field(default_factory=list)
    red_flags: list[RedFlag] = field(default_factory=list)

    @property
    def signs(self) -> list[RedFlag]:
        return [flag for flag in self.red_flags if flag.is_sign]

    def field_for(self, key: str) -> ResultField | None:
        return next((f for f in self.fields if f.key == key), None)


def of(protocol) -> Definition:
    """The definition of a stored protocol (already validated when it was saved)."""
    return Definition(
        inclusion=[Criterion(**c) for c in protocol.inclusion_criteria or []],
        exclusion=[Criterion(**c) for c in protocol.exclusion_criteria or []],
        fields=[
            ResultField(**{**f, "choices": tuple(f.get("choices") or ())})
            for f in protocol.result_fields or []
        ],
        red_flags=[RedFlag(**r) for r in protocol.red_flags or []],
    )


# --- Results ------------------------------------------------------------------------


class ResultsInvalid(Invalid):
    """Results refused; ``errors`` maps each field key at fault to its French message."""

    def __init__(self, errors: dict[str, str]):
        key, message = next(iter(errors.items()))
        super().__init__(message, field=f"results.{key}")
        self.errors = errors


@dataclass
class CleanResults:
    values: dict
    signs: list[str]
    raised: list[RedFlag]
    display: list[list[str]]


def _clean_value(f: ResultField, raw, today: date):
    """(value, error): the cleaned value of one field, or a French error."""
    if f.type == "number":
        value = parse_number(raw)
        if value is None:
            return None, f"« {f.label} » doit être un nombre."
        if (f.min is not None and value < f.min) or (f.max is not None and value > f.max):
            return None, f"« {f.label} » doit être compris(e) {f.bounds_label}."
        return value, None
    if f.type == "boolean":
        word = str(raw).strip().lower()
        if raw is True or word in (YES, "true", "1", "on"):
            return True, None
        if raw is False or word in (NO, "false", "0"):
            return False, None
        return None, f"« {f.label} » : répondez oui ou non."
    if f.type == "choice":
        if raw not in f.choices:
            return None, f"« {f.label} » : choisissez parmi {', '.join(f.choices)}."
        return raw, None
    if f.type == "date":
        try:
            day = date.fromisoformat(str(raw).strip())
        except ValueError:
            return None, f"« {f.label} » : date attendue au format AAAA-MM-JJ."
        if day > today:
            return None, f"« {f.label} » ne peut pas être dans le futur."
        return day.isoformat(), None
    text = " ".join(str(raw).split()) if f.type == "text" else str(raw)
    if len(text) > TEXT_MAX:
        return None, f"« {f.label} » : {TEXT_MAX} caractères au plus."
    return text, None


def validate_results(definition: Definition, raw: dict, *, today: date) -> CleanResults:
    """Check ``raw`` (field key → value, and ``signs``: keys of signs observed) against the
    protocol. Refuses (ResultsInvalid, every error at once) an unknown field or sign, a
    value of the wrong type, out of bounds or not among the choices, and a missing
    required value — unless a sign was observed: the session may then stop early."""
    if not isinstance(raw, dict):
        raise Invalid("Les résultats doivent être un objet (champ → valeur).", field="results")
    errors: dict[str, str] = {}
    known = {f.key for f in definition.fields}
    sign_keys = {s.key for s in definition.signs}
    signs = raw.get(SIGNS_KEY) or []
    if not isinstance(signs, list) or not set(signs) <= sign_keys:
        errors[SIGNS_KEY] = "Signe d'alerte inconnu pour ce protocole."
        signs = []
    for key in raw:
        if key not in known and key != SIGNS_KEY:
            errors[key] = f"Champ de résultat inconnu pour ce protocole : « {key} »."
    values = {}
    for f in definition.fields:
        value = raw.get(f.key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if f.required and not signs:
                errors[f.key] = f"« {f.label} » est obligatoire."
            continue
        cleaned, error = _clean_value(f, value, today)
        if error:
            errors[f.key] = error
        else:
            values[f.key] = cleaned
    if errors:
        raise ResultsInvalid(errors)
    raised = [flag for flag in definition.red_flags if flag.raised_by(values, signs)]
    display = [[f.label, f.show(values[f.key])] for f in definition.fields if f.key in values]
    if signs:
        labels = [s.label for s in definition.signs if s.key in signs]
        display.append(["Signes d'alerte constatés", ", ".join(labels)])
    return CleanResults(values, list(signs), raised, display)
