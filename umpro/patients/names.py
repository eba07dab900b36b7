"""Name folding for search: accents, case, hyphens and apostrophes do not matter.

``Hélène`` folds to ``helene``; ``Jean-Pierre`` gives the tokens ``jean``, ``pierre``
and ``jeanpierre``; ``N'Diaye`` gives ``n``, ``diaye`` and ``ndiaye``. Tokens hold only
the letters a–z, so a prefix search is a plain range ``prefix <= token < successor``
that every B-tree index answers, whatever the database's collation.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

TOKEN_MAX = 60
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
_WORD_CHUNKS = re.compile(r"\s+")
_LETTERS = re.compile(r"[a-z]+")


def fold(text: str) -> str:
    """Lower case, without accents or ligatures (``Lefèvre-Œuvray`` → ``lefevre-oeuvray``)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def sort_key(family_name: str, given_names: str) -> str:
    """Folded ``family given``: the order of patient lists and search results."""
    family = " ".join(_LETTERS.findall(fold(family_name)))
    given = " ".join(_LETTERS.findall(fold(given_names)))
    return f"{family} {given}"[:300]


def name_tokens(*names: str) -> set[str]:
    """Every searchable token of the given names: each word, and each compound joined."""
    tokens: set[str] = set()
    for name in names:
        folded = fold(name)
        parts = _LETTERS.findall(folded)
        tokens.update(parts)
        for chunk in _WORD_CHUNKS.split(folded):
            chunk_parts = _LETTERS.findall(chunk)
            if len(chunk_parts) > 1:
                tokens.add("".join(chunk_parts))  # Jean-Pierre → jeanpierre
        if len(parts) > 1:
            tokens.add("".join(parts))  # de la Fontaine → delafontaine
    return {t[:TOKEN_MAX] for t in tokens}


def successor(prefix: str) -> str | None:
    """The smallest a–z string greater than every string starting with ``prefix``."""
    stripped = prefix.rstrip("z")
    if not stripped:
        return None
    return stripped[:-1] + chr(ord(stripped[-1]) + 1)


_DATE_FR = re.compile(r"\b(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})\b")
_DATE_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_DATE_COMPACT = re.compile(r"\b(\d{2})(\d{2})(\d{4})\b")
_YEAR = re.compile(r"\b(1[89]\d{2}|20\d{2})\b")
#: An INS (NIR or NIA) without its 2-digit key: sex, year and month of birth, département
#: (2A and 2B for Corsica), commune, order.
INS_BODY = r"[1-478]\d{4}(?:\d{2}|2A|2B)\d{6}"
_INS = re.compile(rf"^{INS_BODY}\d{{2}}$")


@dataclass
class SearchTerms:
    """What a search box query asks for. ``impossible`` when part of it can never match."""

    tokens: list[str] = field(default_factory=list)
    birth_date: date | None = None
    birth_year: int | None = None
    ins: str | None = None
    impossible: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.tokens or self.birth_date or self.birth_year or self.ins)


def _two_digit_year(year: int, today: date) -> int:
    return 2000 + year if 2000 + year <= today.year else 1900 + year


def _make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_query(query: str, *, today: date) -> SearchTerms:
    """Split a typed query into name prefixes, a birth date (French or ISO) or year, an INS."""
    terms = SearchTerms()
    text = query.strip()
    compact = re.sub(r"\s", "", text).upper()
    if _INS.match(compact):
        terms.ins = compact
        return terms
    found = _DATE_ISO.search(text)
    if found:
        year, month, day = (int(g) for g in found.groups())
    else:
        found = _DATE_FR.search(text) or _DATE_COMPACT.search(text)
        if found:
            day, month, year = (int(g) for g in found.groups())
            if len(found.group(3)) == 2:
                year = _two_digit_year(year, today)
    if found:
        terms.birth_date = _make_date(year, month, day)
        terms.impossible = terms.birth_date is None
        text = text[: found.start()] + " " + text[found.end() :]
    elif year_match := _YEAR.search(text):
        terms.birth_year = int(year_match.group(1))
        text = text[: year_match.start()] + " " + text[year_match.end() :]
    folded = fold(text)
    if re.search(r"\d", folded):
        terms.impossible = True  # digits left over: no name token holds digits
    terms.tokens = sorted(set(_LETTERS.findall(folded)), key=lambda t: (-len(t), t))[:6]
    return terms
