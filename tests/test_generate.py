"""``flask umpro generate``: a deterministic large practice that keeps every rule."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from tests import factories
from tests.conftest import ON_PG
from umpro import generate
from umpro.auth.audit import verify_chain
from umpro.delegation import states
from umpro.delegation.models import CareTask
from umpro.demo import TEAM
from umpro.reports.models import PatientListSnapshot
from umpro.scheduling.models import LIVE_STATUSES, Appointment

TINY = {"patients": 200, "years": 2 / 12}


def _generate(session, now, **overrides):
    summary = generate.generate(
        session, seed=1, password=factories.PASSWORD, now=now, **(TINY | overrides)
    )
    session.commit()
    return summary


def _overlaps(session) -> int:
    bound = (
        "b.start_at > a.start_at - interval '12 hours'"
        if ON_PG
        else "b.start_at > datetime(a.start_at, '-12 hours')"
    )
    live = "IN ('booked', 'arrived', 'fulfilled')"
    return sum(
        session.scalar(
            text(
                "SELECT count(*) FROM appointment a JOIN appointment b"  # noqa: S608
                f" ON a.{column} = b.{column} AND a.id < b.id"
                f" AND a.start_at < b.end_at AND b.start_at < a.end_at AND {bound}"
                f" WHERE a.status {live} AND b.status {live}"
            )
        )
        for column in ("staff_id", "patient_id", "room_id")
    )


def test_a_tiny_practice_keeps_every_rule(frozen_now, session):
    summary = _generate(session, frozen_now)
    counts = summary.counts
    assert counts["patients"] == 200 and counts["staff"] == len(TEAM)  # the demo team
    # ~70 % of the patients have a declaration history (some with an earlier GP).
    assert 0.6 * 200 <= counts["declarations"] <= 0.95 * 200
    assert counts["registration_requests"] > 0 and counts["file_entries"] > 300
    # Two months of openings, about seven in ten booked.
    assert 1_000 <= counts["appointments"] <= 8_000
    assert _overlaps(session) == 0
    statuses = set(session.scalars(select(Appointment.status).distinct()))
    assert {"fulfilled", "cancelled", "noshow", "booked"} <= statuses
    tasks = set(session.scalars(select(CareTask.status).distinct()))
    assert tasks == set(states.STATUSES)
    live = session.scalar(
        select(func.count(Appointment.id)).where(Appointment.status.in_(LIVE_STATUSES))
    )
    assert live < counts["appointments"]
    assert verify_chain(session).ok and counts["access_log"] > 0
    # Each past month end has its snapshot per GP, as the nightly job leaves them.
    ends = session.scalars(select(PatientListSnapshot.day).distinct()).all()
    assert ends and all((day + timedelta(days=1)).day == 1 for day in ends)
    gps = session.scalar(select(func.count(PatientListSnapshot.gp_id.distinct())))
    assert counts["patient_list_snapshot"] == len(ends) * gps > 0


def test_same_seed_twice_gives_the_same_counts(frozen_now, app, tmp_path):
    from umpro import create_app
    from umpro.db import Base
    from umpro.extensions import db

    if ON_PG:
        pytest.skip("deux bases neuves : passe SQLite")
    counts = []
    for name in ("a", "b"):
        other = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / name}.db")
        with other.app_context():
            Base.metadata.create_all(db.engine)
            counts.append(_generate(db.session, frozen_now, patients=60, years=0.05).counts)
            starts = db.session.scalars(select(Appointment.start_at).order_by(Appointment.id))
            counts[-1]["first_starts"] = [s.isoformat() for s in list(starts)[:50]]
            db.session.remove()
            db.engine.dispose()
    assert counts[0] == counts[1]


def test_the_command_prints_the_counts(frozen_now, app, session):
    result = app.test_cli_runner().invoke(
        args=["umpro", "generate", "--patients", "30", "--years", "0.05", "--seed", "3"]
    )
    assert result.exit_code == 0, result.output
    assert "patients\t30" in result.output
    assert session.scalar(select(func.count(Appointment.id))) > 0


def test_appointments_cannot_last_longer_than_the_cap(frozen_now, session):
    _generate(session, frozen_now, patients=20, years=0.05)
    appointment = session.scalars(select(Appointment).limit(1)).one()
    appointment.end_at = appointment.start_at + timedelta(hours=13)
    with pytest.raises(Exception, match=r"too_long|max_duration"):
        session.flush()
    session.rollback()
