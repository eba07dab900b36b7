"""The one way to read API input: the JSON body, query-string arguments, typed values.

One error policy for every endpoint, each error with a French message and its ``field``:

- 400 (``Malformed``): a body that cannot be read at all — not JSON, not an object, nested
  too deeply, invalid UTF-8 or lone surrogates, NaN/Infinity, a number too long to read;
- 422 (``Invalid``): a readable body whose value has the wrong type or is out of range.

A wall-clock time without offset is the practice's local time: one that does not exist or
exists twice at a DST change is refused (``umpro.timeutil.local_to_utc``), never shifted.
"""

import json
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime

from flask import request

from umpro.errors import DomainError, Invalid
from umpro.timeutil import local_day_bounds, local_to_utc

#: Ids are PostgreSQL ``integer`` keys: anything outside this range names no object.
MAX_ID = 2**31 - 1
#: Deeper than any body an endpoint reads; a deeper one is a mistake or an attack.
MAX_DEPTH = 20
FIRST_YEAR, LAST_YEAR = 1900, 2200
SHORT_TEXT_MAX, LONG_TEXT_MAX = 200, 10_000

_SHORT_REFUSED = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_LONG_REFUSED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_DIGITS = re.compile(r"[0-9]{1,12}")
_NOT_AN_OBJECT = "Le corps de la requête doit être un objet JSON (Content-Type: application/json)."


class Malformed(DomainError):
    """A body that cannot be read at all (answered 400)."""

    status = 400
    code = "bad_request"


# --- The body ------------------------------------------------------------------------------


def body(*, optional: bool = False) -> dict:
    """The request's JSON object. ``optional``: an empty body reads as ``{}`` (DELETE)."""
    raw = request.get_data(cache=True)
    if optional and not raw.strip():
        return {}
    if not request.is_json:
        raise Malformed(_NOT_AN_OBJECT)
    try:
        text = raw.decode("utf-8")
        data = json.loads(text, parse_constant=_refuse_constant)
    except UnicodeDecodeError:
        raise Malformed("Le corps de la requête n'est pas un texte UTF-8 valide.") from None
    except RecursionError:
        raise Malformed("Le corps de la requête est trop imbriqué.") from None
    except ValueError:
        raise Malformed("Le corps de la requête n'est pas un JSON valide.") from None
    if not isinstance(data, dict):
        raise Malformed(_NOT_AN_OBJECT)
    _check_tree(data)
    return data


def _refuse_constant(name: str):
    raise ValueError(name)


def _check_tree(data: dict) -> None:
    """Refuse depth past MAX_DEPTH, lone surrogates (400) and NUL characters (422)."""
    pending: list[tuple[object, int, str | None]] = [(data, 1, None)]
    while pending:
        value, depth, top = pending.pop()
        if depth > MAX_DEPTH:
            raise Malformed("Le corps de la requête est trop imbriqué.", field=top)
        if isinstance(value, dict):
            for key, item in value.items():
                _check_string(key, top or key)
                pending.append((item, depth + 1, top or key))
        elif isinstance(value, list):
            pending.extend((item, depth + 1, top) for item in value)
        elif isinstance(value, str):
            _check_string(value, top)


def _check_string(value: str, field: str | None) -> None:
    if _SURROGATE.search(value):
        raise Malformed("Le texte envoyé contient un caractère Unicode invalide.", field=field)
    if "\x00" in value:
        raise Invalid("Le texte envoyé contient un caractère nul.", field=field)


# --- Typed readers of a body's fields ------------------------------------------------------


def text(
    data: dict,
    name: str,
    *,
    default: str = "",
    max_length: int = SHORT_TEXT_MAX,
    long: bool = False,
    required: str | None = None,
) -> str:
    """A string, stripped; ``long`` texts may hold tabs and line breaks, short ones no
    control character. ``required`` is the French label of a mandatory field."""
    value = data.get(name)
    if value is None:
        value = default
    if not isinstance(value, str):
        raise Invalid("Une chaîne de caractères est attendue.", field=name)
    return clean_text(value, field=name, max_length=max_length, long=long, required=required)


def clean_text(
    value: str, *, field: str, max_length: int, long: bool = False, required: str | None = None
) -> str:
    value = value.strip()
    if _SURROGATE.search(value):
        raise Malformed("Le texte envoyé contient un caractère Unicode invalide.", field=field)
    if (_LONG_REFUSED if long else _SHORT_REFUSED).search(value):
        raise Invalid("Ce texte contient un caractère de contrôle non autorisé.", field=field)
    if len(value) > max_length:
        raise Invalid(f"Ce texte dépasse {max_length} caractères.", field=field)
    if required and not value:
        raise Invalid(f"{required} : champ obligatoire.", field=field)
    return value


def choice(data: dict, name: str, choices: Iterable[str], *, default: str | None = None) -> str:
    """One of ``choices`` (a string); absent or null gives ``default``."""
    value = data.get(name)
    if value is None and default is not None:
        return default
    allowed = list(choices)
    if not isinstance(value, str) or value not in allowed:
        raise Invalid(f"Valeur inconnue : choisissez parmi {', '.join(allowed)}.", field=name)
    return value


def boolean(data: dict, name: str, *, default: bool | None = False) -> bool | None:
    value = data.get(name)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise Invalid("Valeur invalide : true ou false.", field=name)
    return value


def integer(data: dict, name: str, *, minimum: int, maximum: int, default=None) -> int | None:
    value = data.get(name)
    if value is None:
        return default
    return to_int(value, field=name, minimum=minimum, maximum=maximum)


def identifier(data: dict, name: str, *, required: str | None = None) -> int | None:
    """An id (1..2**31-1), a JSON integer; absent gives None, or refuses when ``required``
    (the field's French label) is given."""
    value = data.get(name)
    if value in (None, ""):
        if required:
            raise Invalid(f"{required} : champ obligatoire.", field=name)
        return None
    return to_id(value, field=name)


def day(data: dict, name: str, *, default: date | None = None) -> date | None:
    value = data.get(name)
    if value in (None, ""):
        return default
    return parse_day(value, field=name)


def strings(data: dict, name: str, *, max_items: int = 100) -> list[str]:
    """A list of short strings (keys); absent gives []."""
    value = data.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Invalid("Une liste de clés (chaînes) est attendue.", field=name)
    if len(value) > max_items:
        raise Invalid(f"Au plus {max_items} éléments.", field=name)
    return [clean_text(v, field=name, max_length=SHORT_TEXT_MAX) for v in value]


def mapping(data: dict, name: str) -> dict | None:
    value = data.get(name)
    if value is not None and not isinstance(value, dict):
        raise Invalid("Un objet (champ → valeur) est attendu.", field=name)
    return value


# --- Values: ids, numbers, dates, instants --------------------------------------------------


def to_int(value, *, field: str, minimum: int, maximum: int) -> int:
    """A JSON integer within [minimum, maximum]."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid("Un nombre entier est attendu.", field=field)
    if not minimum <= value <= maximum:
        raise Invalid(f"Nombre hors limites ({minimum}–{maximum}).", field=field)
    return value


def to_id(value, *, field: str) -> int:
    """A JSON integer within 1..MAX_ID."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid("Identifiant invalide : un nombre entier est attendu.", field=field)
    if not 1 <= value <= MAX_ID:
        raise Invalid("Identifiant inconnu (hors limites).", field=field)
    return value


def id_or_none(value: str) -> int | None:
    """An id typed in a page's filter: None for anything else."""
    number = _number(value)
    # isinstance first: ``"abc" in range(…)`` walks the whole range (2**31 steps).
    return number if isinstance(number, int) and 1 <= number <= MAX_ID else None


def _number(raw: str) -> int | str:
    """Digits (ASCII, a dozen at most) as an int; anything else unchanged (then refused)."""
    return int(raw.strip()) if isinstance(raw, str) and _DIGITS.fullmatch(raw.strip()) else raw


def to_ids(value: str, *, field: str, max_items: int = 50) -> list[int]:
    """``12`` or ``12,13`` → [12, 13]."""
    parts = [part for part in value.split(",") if part.strip()]
    if len(parts) > max_items:
        raise Invalid(f"Au plus {max_items} identifiants.", field=field)
    try:
        return [to_id(_number(part), field=field) for part in parts]
    except Invalid:
        raise Invalid(
            "Identifiants attendus : des nombres séparés par des virgules.", field=field
        ) from None


def parse_day(value, *, field: str) -> date:
    """``YYYY-MM-DD``, within FIRST_YEAR..LAST_YEAR."""
    try:
        found = date.fromisoformat(value.strip())
    except (ValueError, AttributeError, TypeError):
        raise Invalid(
            f"Date illisible « {str(value)[:40]} » : utilisez le format AAAA-MM-JJ.", field=field
        ) from None
    return plausible_day(found, field=field)


def plausible_day(found: date, *, field: str) -> date:
    """Refuse dates far outside an agenda's life (typing mistakes; they overflow)."""
    if not FIRST_YEAR <= found.year <= LAST_YEAR:
        raise Invalid(f"Date hors limites ({FIRST_YEAR}–{LAST_YEAR}).", field=field)
    return found


def parse_instant(value, *, tz: str, field: str) -> datetime:
    """ISO 8601: with an offset, that instant; without, a wall-clock time in ``tz``."""
    if not isinstance(value, str) or not value.strip():
        raise Invalid(
            "Date et heure attendues au format ISO 8601, par exemple 2026-11-23T09:30+01:00.",
            field=field,
        )
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(
            f"Date et heure illisibles « {value[:40]} » : utilisez le format ISO 8601, "
            "par exemple 2026-11-23T09:30+01:00.",
            field=field,
        ) from None
    plausible_day(parsed.date(), field=field)
    if parsed.tzinfo is None:
        return local_to_utc(parsed.date(), parsed.time(), tz, field=field)
    return parsed.astimezone(UTC)


def parse_bound(value: str, *, tz: str, field: str, end: bool = False) -> datetime:
    """A period bound: a date (local midnight; the day after for an end) or an instant."""
    if len(value.strip()) == 10:
        start, next_midnight = local_day_bounds(parse_day(value, field=field), tz)
        return next_midnight if end else start
    return parse_instant(value, tz=tz, field=field)


# --- The query string ----------------------------------------------------------------------


def arg_id(name: str, *, required: str | None = None) -> int | None:
    """``?name=12``: an id, None when absent (or refused when ``required``, a label)."""
    raw = request.args.get(name)
    if raw in (None, ""):
        return identifier({}, name, required=required)
    return to_id(_number(raw), field=name)


def arg_ids(name: str) -> list[int]:
    """``?name=1&name=2`` or ``?name=1,2``: ids."""
    return [i for raw in request.args.getlist(name) for i in to_ids(raw, field=name)]


def arg_int(name: str, *, default: int, minimum: int, maximum: int) -> int:
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    return to_int(_number(raw), field=name, minimum=minimum, maximum=maximum)
