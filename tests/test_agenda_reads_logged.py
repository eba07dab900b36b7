"""A page or endpoint that reads the agenda logs the patients it shows (issue 10, item 4).

The reading service logs as it reads: ``reading.read_agenda`` reads a period's
appointments and writes the page's access-log row. ``reading.list_appointments`` reads
without logging, and the writing of the row alone (``_log_shown_patients``) is private to
the service: no view or API module may use either, so a new endpoint cannot read the
agenda without its log. This test reads the code of those modules."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "umpro"
UNLOGGED = {"list_appointments", "log_shown_patients", "_log_shown_patients"}


def page_modules() -> list[Path]:
    """The modules of pages and endpoints: ``umpro/*/views.py``, ``umpro/*/views/``,
    ``umpro/*/api.py``."""
    return sorted(
        {
            *ROOT.glob("*/views.py"),
            *ROOT.glob("*/views/**/*.py"),
            *ROOT.glob("*/api.py"),
        }
    )


def unlogged_reads(source: str) -> list[str]:
    """Each use of an unlogged agenda read in ``source`` (``name:line``): a call, a
    reference or an import."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute):
            names = [node.attr]
        elif isinstance(node, ast.Name):
            names = [node.id]
        elif isinstance(node, ast.ImportFrom):
            names = [alias.name for alias in node.names]
        else:
            continue
        found += [f"{name}:{node.lineno}" for name in names if name in UNLOGGED]
    return found


def test_the_guard_reads_the_agenda_pages():
    modules = {str(path.relative_to(ROOT.parent)) for path in page_modules()}
    assert {
        "umpro/scheduling/views/agenda.py",
        "umpro/scheduling/views/appointments.py",
        "umpro/scheduling/api.py",
        "umpro/calendars/views.py",
        "umpro/patients/api.py",
    } <= modules
    assert "read_agenda" in (ROOT / "scheduling/views/agenda.py").read_text()


def test_no_page_reads_the_agenda_without_its_log():
    found = {
        str(path.relative_to(ROOT.parent)): uses
        for path in page_modules()
        if (uses := unlogged_reads(path.read_text()))
    }
    assert found == {}


def test_the_guard_would_catch_a_page_that_reads_without_logging():
    assert unlogged_reads("items = reading.list_appointments(db.session, practice_id=1)\n") == [
        "list_appointments:1"
    ]
    assert unlogged_reads("from umpro.scheduling.services.reading import list_appointments\n")
    assert unlogged_reads("read = reading._log_shown_patients\n")
    assert unlogged_reads("agenda = reading.read_agenda(db.session, action='agenda.read')\n") == []
