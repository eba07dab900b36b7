"""The one way UMPro writes CSV: French dialect, and no cell a spreadsheet runs as a formula.

A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
read as a formula by Excel and LibreOffice (``=HYPERLINK(...)`` leaks data on a click,
DDE runs commands). Such a cell gets a leading apostrophe, as OWASP advises: it shows
the text as typed. Numbers are written as numbers.
"""

import csv
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``value`` as a spreadsheet will show it without evaluating anything."""
    if isinstance(value, bool) or not isinstance(value, str):
        return value
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer`` whose every text cell goes through ``safe_cell``."""

    def __init__(self, out, **fmt):
        self._writer = csv.writer(out, **fmt)

    def writerow(self, row: Iterable) -> None:
        self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out, *, delimiter: str = ";", lineterminator: str = "\r\n") -> SafeWriter:
    """A French CSV writer (``;`` separator, CRLF lines) that neutralises formulas."""
    return SafeWriter(out, delimiter=delimiter, lineterminator=lineterminator)
