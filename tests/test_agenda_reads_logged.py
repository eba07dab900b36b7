"""A page or endpoint that reads the agenda logs the patients it shows (issue 10, item 4).

``reading.list_appointments`` does not log: which of the appointments it reads a page
shows (the day view's columns, the print view's people) is decided after the read. So
every route that reaches it, directly or through a helper of its module, must also reach
``reading.log_shown_patients``. This test reads the code, so that a new endpoint cannot
forget the second call."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "umpro"
READ, LOG = "list_appointments", "log_shown_patients"


def _called(node: ast.AST) -> set[str]:
    names = set()
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            name = getattr(call.func, "id", None) or getattr(call.func, "attr", None)
            if name:
                names.add(name)
    return names


def _reached(name: str, calls: dict[str, set[str]], seen: set[str]) -> set[str]:
    """What ``name`` calls, following the functions of its own module."""
    found = set(calls.get(name, ()))
    for callee in calls.get(name, ()):
        if callee in calls and callee not in seen:
            found |= _reached(callee, calls, seen | {callee})
    return found


def _routes(tree: ast.Module):
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and any(
            isinstance(d, ast.Call) and getattr(d.func, "attr", "") in {"get", "post", "route"}
            for d in node.decorator_list
        ):
            yield node


def agenda_routes() -> dict[str, set[str]]:
    """Each route (``module:function``) that reaches the agenda read, with what it reaches."""
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        tree = ast.parse(path.read_text())
        calls = {
            node.name: _called(node) for node in tree.body if isinstance(node, ast.FunctionDef)
        }
        for route in _routes(tree):
            reached = _reached(route.name, calls, {route.name})
            if READ in reached:
                found[f"{path.relative_to(ROOT.parent)}:{route.name}"] = reached
    return found


def test_the_guard_sees_the_agenda_pages():
    routes = agenda_routes()
    expected = {
        "umpro/scheduling/views/agenda.py:day_view",
        "umpro/scheduling/views/agenda.py:week_view",
        "umpro/scheduling/views/agenda.py:print_view",
        "umpro/scheduling/api.py:appointment_list",
    }
    assert expected <= routes.keys()


def test_every_route_that_reads_the_agenda_logs_what_it_shows():
    unlogged = sorted(name for name, reached in agenda_routes().items() if LOG not in reached)
    assert unlogged == []


def test_the_guard_would_catch_a_route_that_forgets():
    source = (
        "@bp.get('/x')\n"
        "def listing():\n"
        "    return _read()\n"
        "def _read():\n"
        "    return reading.list_appointments(session)\n"
    )
    tree = ast.parse(source)
    calls = {n.name: _called(n) for n in tree.body if isinstance(n, ast.FunctionDef)}
    (route,) = _routes(tree)
    reached = _reached(route.name, calls, {route.name})
    assert READ in reached and LOG not in reached
