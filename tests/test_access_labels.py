"""Every action code the code base writes to the access log has a French label."""

import ast
import itertools
import re
from pathlib import Path

from umpro.auth.access_labels import ACTION_LABELS, action_choices, action_label
from umpro.delegation import states
from umpro.notify import LOGGED, SENT
from umpro.patients.services.registrations import DECISIONS
from umpro.reminders.models import CHANNELS, SKIPPED
from umpro.team.security import WATCHED

ROOT = Path(__file__).resolve().parents[1] / "umpro"
ANY = "\x00"  # a part of a code the source does not spell out

#: The parts of codes built from domain values the source does not spell out, and where
#: those values come from. A new such code fails the test until it is listed here.
DYNAMIC = {
    f"security.{ANY}": [f"security.{name}" for name in WATCHED],
    f"care_task.{ANY}": [f"care_task.{move.verb}" for move in states.MOVES],
    f"reminder.{ANY}.{ANY}": [
        f"reminder.{channel}.{status}"
        for channel, status in itertools.product(CHANNELS, (SENT, LOGGED, SKIPPED))
    ],
    f"registration_request.{ANY}": [f"registration_request.{d}" for d in DECISIONS],
    f"care_task.list_{ANY}": [],  # the API's ``view``: the views' own codes are listed
}


class _Codes:
    """The values ``action=`` takes in every ``record_access`` call, following a name to
    the callers of the function it is a parameter of, or to its assignments."""

    def __init__(self, root: Path):
        self.functions: dict[str, list[ast.FunctionDef]] = {}
        self.calls: list[tuple[ast.Call, ast.FunctionDef | None]] = []
        for path in root.rglob("*.py"):
            self._walk(ast.parse(path.read_text()), None)

    def _walk(self, node, function) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            self.functions.setdefault(node.name, []).append(node)
            function = node
        if isinstance(node, ast.Call):
            self.calls.append((node, function))
        for child in ast.iter_child_nodes(node):
            self._walk(child, function)

    def calls_to(self, name: str):
        for call, function in self.calls:
            callee = call.func
            called = getattr(callee, "id", None) or getattr(callee, "attr", None)
            if called == name:
                yield call, function

    def argument(self, call: ast.Call, function: ast.FunctionDef, name: str):
        for keyword in call.keywords:
            if keyword.arg == name:
                return keyword.value
        positional = [a.arg for a in function.args.posonlyargs + function.args.args]
        if name in positional and positional.index(name) < len(call.args):
            return call.args[positional.index(name)]
        return None

    def values(self, node, function, depth: int = 0) -> set[str]:
        if depth > 6:
            return {ANY}
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.IfExp):
            return self.values(node.body, function, depth + 1) | self.values(
                node.orelse, function, depth + 1
            )
        if isinstance(node, ast.JoinedStr):
            found = {""}
            for part in node.values:
                part = part if isinstance(part, ast.Constant) else part.value
                found = {a + b for a in found for b in self.values(part, function, depth + 1)}
            return found
        if isinstance(node, ast.Name) and function is not None:
            return self._name(node.id, function, depth)
        return {ANY}

    def _name(self, name: str, function, depth: int) -> set[str]:
        arguments = function.args
        params = {a.arg for a in arguments.posonlyargs + arguments.args + arguments.kwonlyargs}
        if name in params:
            found = set()
            for call, caller in self.calls_to(function.name):
                value = self.argument(call, function, name)
                if value is not None:
                    found |= self.values(value, caller, depth + 1)
            return found or {ANY}
        found = set()
        for node in ast.walk(function):
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets
            ):
                found |= self.values(node.value, function, depth + 1)
        return found or {ANY}


def recorded_codes() -> set[str]:
    codes = _Codes(ROOT)
    found = set()
    for call, function in codes.calls_to("record_access"):
        for keyword in call.keywords:
            if keyword.arg == "action":
                found |= codes.values(keyword.value, function)
    return found


def test_the_collector_finds_codes_of_every_kind():
    # A literal, a name passed down by the callers, a local assignment, an f-string.
    codes = recorded_codes()
    assert {"patient.view", "agenda.read", "appointment.move", "declaration.end"} <= codes
    assert {"care_task.list_mine", "security.password_reset"} <= codes
    assert f"security.{ANY}" in codes


def test_every_recorded_action_has_a_french_label():
    codes = recorded_codes()
    unknown_shapes = {c for c in codes if ANY in c} - DYNAMIC.keys()
    assert not unknown_shapes, f"codes built from values to list in DYNAMIC: {unknown_shapes}"
    concrete = {c for c in codes if ANY not in c}
    for shape in codes & DYNAMIC.keys():
        concrete |= set(DYNAMIC[shape])
    missing = sorted(concrete - ACTION_LABELS.keys())
    assert not missing, f"actions without a label in umpro/auth/access_labels.py: {missing}"


def test_labels_are_french_sentences_and_unique():
    assert len(set(ACTION_LABELS.values())) == len(ACTION_LABELS)
    for code, label in ACTION_LABELS.items():
        assert re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", code), code
        assert label[0].isupper() and "." not in label and "_" not in label, label


def test_an_unknown_code_shows_as_itself_and_choices_are_sorted_by_label():
    assert action_label("agenda.read") == "Consultation de l'agenda"
    assert action_label("legacy.code") == "legacy.code"
    labels = [label for _code, label in action_choices()]
    assert labels == sorted(labels, key=str.casefold)
    assert len(labels) == len(ACTION_LABELS)


def test_no_label_for_a_code_nothing_records():
    # The table stays the list of what the log can hold: a renamed code leaves no orphan.
    codes = recorded_codes()
    recorded = {c for c in codes if ANY not in c}
    for shape in codes & DYNAMIC.keys():
        recorded |= set(DYNAMIC[shape])
    assert sorted(ACTION_LABELS.keys() - recorded) == []
