"""The admin's text format of a protocol's definition: one item a line, parts separated
by ``;``::

    hba1c ; HbA1c ; nombre ; unité=% ; min=3 ; max=20 ; obligatoire
    pieds ; Examen des pieds ; choix ; choix=Normal|Plaie ; obligatoire
    hba1c_haute ; HbA1c supérieure à 10 % ; hba1c > 10
    douleur ; Douleur thoracique                      (a sign the delegate ticks)

Parsing checks everything and names the line at fault, in French; writing back gives the
same text, so that the edit page shows what was typed.
"""

import re

from umpro.delegation.protocols.definition import (
    FIELD_TYPES,
    NO,
    SIGNS_KEY,
    YES,
    Criterion,
    RedFlag,
    ResultField,
    number_fr,
    parse_number,
    slug,
)
from umpro.errors import Invalid

_TYPE_BY_WORD = {word: code for code, word in FIELD_TYPES.items()} | {"oui-non": "boolean"}
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_CONDITION = re.compile(r"^([a-z][a-z0-9_]*)\s*(>=|<=|>|<|=)\s*(.+)$")


def _lines(text: str) -> list[tuple[int, list[str]]]:
    rows = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if line.strip():
            rows.append((number, [part.strip() for part in line.split(";")]))
    return rows


def _check_key(key: str, seen: set, *, field: str, number: int) -> str:
    if not _KEY.match(key):
        raise Invalid(
            f"Ligne {number} : la clé « {key} » doit commencer par une lettre et ne contenir "
            "que des minuscules sans accent, des chiffres et « _ » (40 caractères au plus).",
            field=field,
        )
    if key in seen:
        raise Invalid(f"Ligne {number} : la clé « {key} » est utilisée deux fois.", field=field)
    seen.add(key)
    return key


def parse_criteria(text: str, *, field: str) -> list[Criterion]:
    """``clé ; libellé`` or just ``libellé`` (the key is then made from it)."""
    seen: set[str] = set()
    criteria = []
    for number, parts in _lines(text):
        key, label = (parts[0], parts[1]) if len(parts) >= 2 else (slug(parts[0]), parts[0])
        if not label or len(label) > 300:
            raise Invalid(f"Ligne {number} : libellé vide ou trop long.", field=field)
        criteria.append(Criterion(_check_key(key, seen, field=field, number=number), label))
    return criteria


def _bound(option: str, number: int) -> float:
    value = parse_number(option.split("=", 1)[1])
    if value is None:
        raise Invalid(f"Ligne {number} : « {option} » n'est pas un nombre.", field="result_fields")
    return value


def parse_fields(text: str) -> list[ResultField]:
    fields, seen = [], {SIGNS_KEY}
    for number, parts in _lines(text):
        if len(parts) < 3:
            raise Invalid(
                f"Ligne {number} : écrivez au moins « clé ; libellé ; type ».",
                field="result_fields",
            )
        key, label, word, *options = parts
        kind = _TYPE_BY_WORD.get(word.lower())
        if kind is None:
            raise Invalid(
                f"Ligne {number} : type « {word} » inconnu (nombre, choix, oui/non, date, texte).",
                field="result_fields",
            )
        values: dict = {"unit": "", "min": None, "max": None, "choices": (), "required": False}
        for option in options:
            name = option.split("=", 1)[0].strip().lower()
            if name == "obligatoire":
                values["required"] = True
            elif name in ("unité", "unite") and "=" in option:
                values["unit"] = option.split("=", 1)[1].strip()[:20]
            elif name in ("min", "max") and "=" in option:
                values[name] = _bound(option, number)
            elif name == "choix" and "=" in option:
                values["choices"] = tuple(
                    c.strip() for c in option.split("=", 1)[1].split("|") if c.strip()
                )
            elif option:
                raise Invalid(
                    f"Ligne {number} : option « {option} » inconnue.", field="result_fields"
                )
        if kind == "choice" and len(values["choices"]) < 2:
            raise Invalid(
                f"Ligne {number} : un choix propose au moins deux réponses (choix=A|B).",
                field="result_fields",
            )
        if (
            values["min"] is not None
            and values["max"] is not None
            and values["min"] > values["max"]
        ):
            raise Invalid(f"Ligne {number} : le minimum dépasse le maximum.", field="result_fields")
        if not label:
            raise Invalid(f"Ligne {number} : le libellé est vide.", field="result_fields")
        key = _check_key(key, seen, field="result_fields", number=number)
        fields.append(ResultField(key, label[:200], kind, **values))
    return fields


def parse_red_flags(text: str, fields: list[ResultField]) -> list[RedFlag]:
    by_key = {f.key: f for f in fields}
    flags, seen = [], set()
    for number, parts in _lines(text):
        if len(parts) == 1:
            parts = [slug(parts[0]), parts[0]]
        key, label, *rest = parts
        key = _check_key(key, seen, field="red_flags", number=number)
        condition = (rest[0] if rest else "").strip()
        if not condition:
            flags.append(RedFlag(key, label))
            continue
        match = _CONDITION.match(condition)
        target = by_key.get(match.group(1)) if match else None
        if target is None:
            raise Invalid(
                f"Ligne {number} : la condition « {condition} » doit porter sur un champ de "
                "résultat (par exemple « hba1c > 10 »).",
                field="red_flags",
            )
        flags.append(
            RedFlag(
                key,
                label,
                target.key,
                match.group(2),
                _flag_value(target, match.group(2), match.group(3), number),
            )
        )
    return flags


def _flag_value(target: ResultField, op: str, raw: str, number: int):
    raw = raw.strip()
    if target.type == "number":
        value = parse_number(raw)
        if value is None:
            raise Invalid(f"Ligne {number} : « {raw} » n'est pas un nombre.", field="red_flags")
        return value
    if op != "=":
        raise Invalid(
            f"Ligne {number} : « {target.label} » se compare seulement avec « = ».",
            field="red_flags",
        )
    if target.type == "boolean" and raw.lower() in (YES, NO):
        return raw.lower() == YES
    if target.type == "choice" and raw in target.choices:
        return raw
    raise Invalid(
        f"Ligne {number} : « {raw} » n'est pas une réponse possible de « {target.label} ».",
        field="red_flags",
    )


def criteria_text(criteria: list[dict]) -> str:
    return "\n".join(f"{c['key']} ; {c['label']}" for c in criteria or [])


def fields_text(fields: list[dict]) -> str:
    lines = []
    for data in fields or []:
        f = ResultField(**{**data, "choices": tuple(data.get("choices") or ())})
        parts = [f.key, f.label, FIELD_TYPES[f.type]]
        if f.unit:
            parts.append(f"unité={f.unit}")
        if f.min is not None:
            parts.append(f"min={number_fr(f.min)}")
        if f.max is not None:
            parts.append(f"max={number_fr(f.max)}")
        if f.choices:
            parts.append("choix=" + "|".join(f.choices))
        if f.required:
            parts.append("obligatoire")
        lines.append(" ; ".join(parts))
    return "\n".join(lines)


def red_flags_text(flags: list[dict]) -> str:
    lines = []
    for data in flags or []:
        flag = RedFlag(**data)
        if flag.is_sign:
            lines.append(f"{flag.key} ; {flag.label}")
            continue
        value = flag.value
        shown = (YES if value else NO) if isinstance(value, bool) else value
        if isinstance(value, float):
            shown = number_fr(value)
        lines.append(f"{flag.key} ; {flag.label} ; {flag.field} {flag.op} {shown}")
    return "\n".join(lines)
