"""Who acts, when and from where travels as one ``Acting`` (issue 10).

A service acting for someone takes ``acting``, never ``actor``, ``now`` and ``ip`` apart:
a page or an endpoint cannot then forget the address (the access log would hold an empty
one) or read another clock than the request's."""

import ast
from pathlib import Path

from flask_login import login_user

from tests import factories
from umpro.acting import Acting
from umpro.auth.audit import record_access_to
from umpro.auth.models import AccessLog
from umpro.web import acting

ROOT = Path(__file__).resolve().parent.parent / "umpro"


def separate_parties(source: str) -> list[str]:
    """The functions of ``source`` that take ``actor`` with ``now`` or ``ip`` as
    parameters of their own (``name:line``)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            args = node.args
            names = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
            if "actor" in names and names & {"now", "ip"}:
                found.append(f"{node.name}:{node.lineno}")
    return found


def test_the_guard_sees_separate_parameters():
    assert separate_parties("def f(session, *, actor, now): pass") == ["f:1"]
    assert separate_parties("def f(session, *, actor, ip=''): pass") == ["f:1"]
    assert separate_parties("def f(session, *, acting, now): pass") == []


def test_no_service_takes_the_actor_the_time_and_the_address_apart():
    found = {
        str(path.relative_to(ROOT.parent)): separate_parties(path.read_text())
        for path in sorted(ROOT.rglob("*.py"))
    }
    assert {path: names for path, names in found.items() if names} == {}


def test_a_request_acts_as_the_signed_in_member_at_its_time_and_address(
    app, session, practice, frozen_now
):
    staff = factories.make_staff(session, practice, profession="secretary")
    session.commit()
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        login_user(staff)
        assert acting() == Acting(staff, frozen_now, "203.0.113.9")


def test_the_access_log_row_takes_all_three_from_acting(session, practice, frozen_now):
    staff = factories.make_staff(session, practice, profession="gp")
    patient = factories.make_patient(session, practice)
    record_access_to(session, Acting(staff, frozen_now, "198.51.100.4"), "patient.view", patient)
    session.flush()
    row = session.query(AccessLog).filter_by(action="patient.view").one()
    assert (row.staff_id, row.at, row.ip) == (staff.id, frozen_now, "198.51.100.4")
