"""Worklists: who is in each list, and who may see which (issue 13 §3)."""

from datetime import UTC, date, datetime

import pytest

from tests import factories as f
from umpro.acting import Acting
from umpro.errors import Forbidden
from umpro.reports.services import worklists

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
def setup(frozen_now, session, practice):
    a = f.make_staff(session, practice, profession="gp")
    b = f.make_staff(session, practice, profession="gp")
    kind = f.make_appointment_type(session, practice)
    people = {}
    for key in ("nobody", "other_gp", "mine", "twice", "cancelled", "ald", "ended", "old_end"):
        people[key] = f.make_patient(
            session, practice, family_name=key.title(), has_chronic_condition=key == "ald"
        )
    visits = {"nobody": 3, "other_gp": 4, "mine": 3, "twice": 2, "cancelled": 2}
    for k, (key, n) in enumerate(visits.items()):
        for i in range(n):
            f.make_visit(session, a, people[key], on=date(2026, 2 + i, 10), type=kind,
                         hour=f"{8 + k:02d}:00")  # fmt: skip
    f.make_visit(session, a, people["cancelled"], on=date(2026, 8, 10), status="cancelled",
                 type=kind)  # fmt: skip
    f.make_declaration_period(session, people["other_gp"], b, start_on=date(2024, 1, 1))
    f.make_declaration_period(session, people["mine"], a, start_on=date(2024, 1, 1))
    f.make_declaration_period(session, people["ended"], a, start_on=date(2024, 1, 1),
                              end_on=date(2026, 10, 1), reason="moved")  # fmt: skip
    f.make_declaration_period(session, people["old_end"], a, start_on=date(2024, 1, 1),
                              end_on=date(2026, 6, 1), reason="moved")  # fmt: skip
    f.make_request(session, people["nobody"], a, received_on=date(2026, 11, 1))
    f.make_request(session, people["ald"], a, received_on=date(2026, 11, 20),
                   has_chronic_condition=True)  # fmt: skip
    session.commit()
    return a, b, people


def _names(wl):
    return [row.patient.family_name.lower() for row in wl.rows]


def test_the_gp_sees_their_lists_with_known_members(session, setup):
    a, _, _ = setup
    lists = {wl.key: wl for wl in worklists.worklists(session, acting=Acting(a, NOW), gp=a)}
    assert _names(lists["seen_not_declared"]) == ["other_gp", "nobody"]
    assert _names(lists["ended_recently"]) == ["ended"]
    # ALD without a GP first, then the oldest request.
    assert _names(lists["pending_requests"]) == ["ald", "nobody"]
    assert _names(lists["ald_without_gp"]) == ["ald"]
    assert lists["seen_not_declared"].rows[0].action == "declare"


@pytest.mark.parametrize(
    ("profession", "is_admin", "keys"),
    [
        ("secretary", False, ["pending_requests", "ald_without_gp"]),
        ("health_mediator", False, ["pending_requests", "ald_without_gp"]),
        (
            "coordinator",
            True,
            ["seen_not_declared", "ended_recently", "pending_requests", "ald_without_gp"],
        ),
    ],
)
def test_who_sees_which_list(session, practice, setup, profession, is_admin, keys):
    a, _, _ = setup
    viewer = f.make_staff(session, practice, profession=profession, is_admin=is_admin)
    got = worklists.worklists(session, acting=Acting(viewer, NOW), gp=a)
    assert [wl.key for wl in got] == keys


def test_a_gp_sees_only_administrative_lists_of_a_colleague(session, setup):
    a, b, _ = setup
    got = worklists.worklists(session, acting=Acting(b, NOW), gp=a)
    assert [wl.key for wl in got] == ["pending_requests", "ald_without_gp"]


def test_nobody_sees_another_practices_lists(session, setup):
    a, _, _ = setup
    outsider = f.make_staff(session, f.make_practice(session), profession="gp", is_admin=True)
    with pytest.raises(Forbidden):
        worklists.worklists(session, acting=Acting(outsider, NOW), gp=a)


def test_a_nurse_sees_none(session, practice, setup):
    nurse = f.make_staff(session, practice, profession="nurse")
    with pytest.raises(Forbidden):
        worklists.worklists(session, acting=Acting(nurse, NOW), gp=None)
