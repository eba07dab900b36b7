"""Patient-list figures on a hand-made history with known answers (issue 13)."""

from datetime import UTC, date, datetime

import pytest

from tests import factories as f
from umpro.errors import Invalid
from umpro.patients.models import RegistrationRequest
from umpro.reports.services import figures as fig
from umpro.reports.services import snapshots

JAN, FEB, MAR = date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31)
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _request(session, patient, gp, *, received_on, status, decided_on=None, **extra):
    row = RegistrationRequest(
        practice_id=patient.practice_id,
        patient_id=patient.id,
        gp_id=gp.id,
        received_on=received_on,
        channel="phone",
        status=status,
        decided_at=datetime.combine(decided_on, datetime.min.time(), UTC).replace(hour=10)
        if decided_on
        else None,
        **extra,
    )
    session.add(row)
    session.flush()
    return row


@pytest.fixture
def history(session, practice):
    """Two GPs; declarations crossing the period's ends, a patient turning 16 on
    15 February 2025, a transfer from A to B, a death, visits fulfilled or not."""
    a = f.make_staff(session, practice, profession="gp")
    b = f.make_staff(session, practice, profession="gp")
    adult = {"birth_date": date(1970, 5, 1)}
    p1 = f.make_patient(session, practice, **adult)
    p2 = f.make_patient(session, practice, birth_date=date(2009, 2, 15))
    p3 = f.make_patient(session, practice, has_chronic_condition=True, **adult)
    p4 = f.make_patient(session, practice, **adult)
    p5 = f.make_patient(session, practice, birth_date=date(1980, 3, 3))
    p6 = f.make_patient(session, practice, **adult)
    p7 = f.make_patient(session, practice, **adult)
    f.make_declaration_period(session, p1, a, start_on=date(2024, 6, 1))
    f.make_declaration_period(session, p2, a, start_on=date(2020, 1, 1))
    f.make_declaration_period(
        session, p3, a, start_on=date(2024, 1, 1), end_on=date(2025, 2, 10), reason="transfer"
    )
    f.make_declaration_period(session, p3, b, start_on=date(2025, 2, 10))
    f.make_declaration_period(
        session, p4, a, start_on=date(2023, 1, 1), end_on=date(2025, 3, 5), reason="deceased"
    )
    f.make_declaration_period(session, p5, a, start_on=date(2025, 1, 20))
    f.make_declaration_period(
        session, p6, a, start_on=date(2022, 1, 1), end_on=date(2025, 1, 1), reason="moved"
    )
    f.make_declaration_period(session, p7, a, start_on=date(2025, 4, 1))
    kind = f.make_appointment_type(session, practice)
    f.make_visit(session, a, p1, on=date(2024, 10, 1), type=kind)
    f.make_visit(session, a, p1, on=date(2025, 3, 31), type=kind)
    f.make_visit(session, a, p2, on=date(2025, 2, 3), status="cancelled", type=kind)
    f.make_visit(session, a, p4, on=date(2024, 3, 31), type=kind)
    f.make_visit(session, b, p3, on=date(2025, 2, 20), type=kind)
    f.make_visit(session, a, p5, on=date(2025, 3, 10), status="noshow", type=kind)
    f.make_visit(session, a, p7, on=date(2025, 4, 1), type=kind)
    _request(session, p5, a, received_on=date(2025, 1, 5), status="accepted",
             decided_on=date(2025, 1, 15))  # fmt: skip
    _request(session, p6, a, received_on=date(2025, 2, 1), status="declined",
             decided_on=date(2025, 2, 5), decline_reason="capacity",
             oriented_to="Dr Voisin")  # fmt: skip
    _request(session, p7, a, received_on=date(2025, 3, 1), status="withdrawn")
    _request(session, p3, a, received_on=date(2025, 3, 2), status="pending")
    _request(session, p4, a, received_on=date(2024, 12, 31), status="accepted",
             decided_on=date(2025, 1, 2))  # fmt: skip
    session.commit()
    return a, b


@pytest.mark.parametrize(
    ("day", "a_expected", "b_expected"),
    [
        # patient_list, adults, children, file_active, ald
        (JAN, (5, 4, 1, 2, 1), (0, 0, 0, 0, 0)),
        (FEB, (4, 4, 0, 2, 0), (1, 1, 0, 1, 1)),
        (MAR, (3, 3, 0, 1, 0), (1, 1, 0, 1, 1)),
    ],
)
def test_stocks_at_month_ends(session, practice, history, day, a_expected, b_expected):
    a, b = history
    got = fig.figures_on(session, practice=practice, gp_ids=[a.id, b.id], day=day)
    for gp, expected in ((a, a_expected), (b, b_expected)):
        g = got[gp.id]
        assert (g.patient_list, g.adults, g.children, g.file_active, g.ald) == expected


def test_the_day_a_declaration_ends_it_no_longer_counts(session, practice, history):
    a, _ = history
    before = fig.figures_on(session, practice=practice, gp_ids=[a.id], day=date(2025, 3, 4))
    on = fig.figures_on(session, practice=practice, gp_ids=[a.id], day=date(2025, 3, 5))
    assert before[a.id].patient_list - on[a.id].patient_list == 1


def test_a_patient_turns_adult_on_their_16th_birthday(session, practice, history):
    a, _ = history
    eve = fig.figures_on(session, practice=practice, gp_ids=[a.id], day=date(2025, 2, 14))
    birthday = fig.figures_on(session, practice=practice, gp_ids=[a.id], day=date(2025, 2, 15))
    assert (eve[a.id].children, birthday[a.id].children) == (1, 0)
    assert birthday[a.id].adults == eve[a.id].adults + 1


def test_flows_per_month_with_end_reasons(session, practice, history):
    a, b = history
    flows = fig.flows_between(
        session, practice=practice, gp_ids=[a.id, b.id], first=date(2025, 1, 1), last=MAR
    )
    jan, feb, mar = date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)
    assert (flows[a.id][jan].started, flows[a.id][jan].ended) == (1, 1)
    assert flows[a.id][jan].end_reasons == {"moved": 1}
    assert flows[a.id][feb].end_reasons == {"transfer": 1}
    assert flows[a.id][mar].end_reasons == {"deceased": 1}
    assert (flows[b.id][feb].started, flows[b.id][feb].ended) == (1, 0)


def test_requests_received_in_the_period(session, practice, history):
    a, _ = history
    got = fig.requests_between(
        session, practice=practice, gp_ids=[a.id], first=date(2025, 1, 1), last=MAR
    )[a.id]
    assert (got.received, got.accepted, got.declined, got.withdrawn, got.pending) == (
        4,
        1,
        1,
        1,
        1,
    )
    assert got.declined_by_reason == {"capacity": 1}
    assert got.median_wait_days == 7.0  # 10 days and 4 days


def test_rebuilt_snapshots_give_the_live_series(session, practice, history):
    a, b = history
    ids = [a.id, b.id]
    live = snapshots.monthly_series(
        session, practice=practice, gp_ids=ids, first=date(2025, 1, 1), last=MAR, now=NOW
    )
    written = snapshots.rebuild(
        session, practice=practice, first=date(2025, 1, 1), last=MAR, now=NOW
    )
    assert written == 2 * 90
    from_snapshots = snapshots.monthly_series(
        session, practice=practice, gp_ids=ids, first=date(2025, 1, 1), last=MAR, now=NOW
    )
    assert from_snapshots == live
    assert [p.patient_list for p in live[a.id]] == [5, 4, 3]
    assert [(p.started, p.ended) for p in live[a.id]] == [(1, 1), (0, 1), (0, 1)]
    assert live[b.id][1].ald_share == 1.0


def test_the_daily_job_writes_what_the_rebuild_writes(session, practice, history):
    from umpro.reports.models import PatientListSnapshot

    a, _ = history
    day_after = datetime(2025, 2, 16, 3, 0, tzinfo=UTC)
    assert snapshots.catch_up(session, practice=practice, now=day_after) == 2
    by_job = session.query(PatientListSnapshot).filter_by(gp_id=a.id, day=date(2025, 2, 15)).one()
    job_values = (by_job.patient_list, by_job.adults, by_job.children, by_job.file_active)
    snapshots.rebuild(session, practice=practice, first=date(2025, 2, 15),
                      last=date(2025, 2, 15), now=NOW)  # fmt: skip
    rebuilt = session.query(PatientListSnapshot).filter_by(gp_id=a.id, day=date(2025, 2, 15)).one()
    assert rebuilt.id == by_job.id
    assert (rebuilt.patient_list, rebuilt.adults, rebuilt.children, rebuilt.file_active) == (
        job_values
    )
    assert job_values == (4, 4, 0, 2)


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [(date(2025, 3, 1), date(2025, 1, 1), "to"), (date(2022, 1, 1), date(2025, 1, 31), "from")],
)
def test_a_reversed_or_too_long_period_is_refused(first, last, field):
    with pytest.raises(Invalid) as refused:
        fig.check_period(first, last)
    assert refused.value.field == field
