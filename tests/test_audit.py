"""The access log: append-only, hash-chained, verifiable, filterable by the admin."""

import threading

import pytest
from sqlalchemy import func, select, text

from tests import factories
from tests.audit_support import allow_tampering
from tests.conftest import ON_PG
from umpro.acting import Acting
from umpro.auth.audit import GENESIS, record_access, seen_by_query, verify_chain
from umpro.auth.models import AccessLog, AccessLogPatient
from umpro.db import utcnow


@pytest.fixture
def gp(session, practice):
    return factories.make_staff(session, practice, profession="gp")


@pytest.fixture
def by_gp(gp, frozen_now):
    """The GP, acting at the tests' frozen instant."""
    return Acting(gp, frozen_now)


def test_rows_are_chained_one_row_per_view(session, gp, by_gp):
    record_access(session, acting=by_gp, action="patient.view", patient_id=7, target="patient:7")
    record_access(session, acting=by_gp, action="patient.search", patient_ids=[8, 7, 9])
    rows = session.scalars(select(AccessLog).order_by(AccessLog.id)).all()
    assert rows[0].prev_hash == GENESIS
    assert rows[1].prev_hash == rows[0].hash
    assert [(r.patient_id, r.patient_ids) for r in rows] == [(7, "7"), (None, "7,8,9")]
    assert rows[0].role == "gp" and rows[0].practice_id == gp.practice_id
    assert verify_chain(session).ok


def test_who_saw_a_patient_is_an_indexed_lookup(session, by_gp):
    record_access(session, acting=by_gp, action="patient.search", patient_ids=[3, 4])
    record_access(session, acting=by_gp, action="patient.view", patient_id=4)
    record_access(session, acting=by_gp, action="patient.view", patient_id=5)
    seen = session.scalars(select(AccessLog.action).where(seen_by_query(4)).order_by(AccessLog.id))
    assert list(seen) == ["patient.search", "patient.view"]


def test_each_listed_patient_carries_its_rows_time(session, gp, frozen_now):
    from datetime import timedelta

    record_access(
        session, acting=Acting(gp, frozen_now), action="patient.search", patient_ids=[3, 4]
    )
    earlier = frozen_now - timedelta(days=400)
    record_access(session, acting=Acting(gp, earlier), action="patient.view", patient_id=4)
    listed = session.execute(
        select(AccessLogPatient.patient_id, AccessLogPatient.at, AccessLog.at)
        .join(AccessLog, AccessLog.id == AccessLogPatient.access_log_id)
        .order_by(AccessLogPatient.access_log_id, AccessLogPatient.patient_id)
    ).all()
    assert [(p, at) for p, at, _ in listed] == [(3, frozen_now), (4, frozen_now), (4, earlier)]
    assert all(copied == logged for _, copied, logged in listed)
    # A period bounds the lookup: the access of 400 days ago is not in the last year's.
    year = seen_by_query(4, frozen_now - timedelta(days=365), frozen_now + timedelta(days=1))
    assert list(session.scalars(select(AccessLog.action).where(year))) == ["patient.search"]


def test_the_hash_covers_the_list_of_patients(session, by_gp):
    record_access(session, acting=by_gp, action="patient.search", patient_ids=[3, 4])
    session.commit()
    allow_tampering(session)
    session.execute(text("UPDATE access_log SET patient_ids = '3'"))
    session.commit()
    report = verify_chain(session)
    if ON_PG:  # the database outlives the test there
        session.execute(text("ALTER TABLE access_log ENABLE TRIGGER access_log_append_only"))
        session.commit()
    assert not report.ok and report.reason == "contenu modifié"


def test_update_and_delete_refused_by_the_database(session, by_gp):
    record_access(session, acting=by_gp, action="patient.view", patient_id=1)
    session.commit()
    for statement in ("UPDATE access_log SET action = 'x'", "DELETE FROM access_log"):
        with pytest.raises(Exception, match="append-only"):
            session.execute(text(statement))
        session.rollback()
    assert session.scalar(select(func.count()).select_from(AccessLog)) == 1


def test_altered_row_is_detected_by_cli(app, session, by_gp):
    for pid in range(1, 6):
        record_access(session, acting=by_gp, action="patient.view", patient_id=pid)
    session.commit()
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["umpro", "audit", "verify"])
    assert ok.exit_code == 0
    assert "5 lignes vérifiées" in ok.output
    allow_tampering(session)
    third = session.scalars(select(AccessLog).order_by(AccessLog.id).offset(2)).first()
    session.execute(text("UPDATE access_log SET patient_id = 99 WHERE id = :id"), {"id": third.id})
    session.commit()
    bad = runner.invoke(args=["umpro", "audit", "verify"])
    assert bad.exit_code == 1
    assert f"n° {third.id}" in bad.output
    assert "contenu modifié" in bad.output


def test_removed_row_is_detected(session, by_gp):
    for pid in range(1, 4):
        record_access(session, acting=by_gp, action="patient.view", patient_id=pid)
    session.commit()
    allow_tampering(session)
    ids = session.scalars(select(AccessLog.id).order_by(AccessLog.id)).all()
    session.execute(text("DELETE FROM access_log WHERE id = :id"), {"id": ids[1]})
    session.commit()
    report = verify_chain(session)
    assert not report.ok
    assert report.bad_id == ids[2]
    assert "lien rompu" in report.reason


def test_concurrent_appends_never_fork_the_chain(app, session, practice):
    staff = [factories.make_staff(session, practice) for _ in range(4)]
    session.commit()
    ids = [s.id for s in staff]
    session.close()
    errors = []

    def worker(staff_id):
        try:
            with app.app_context():
                from umpro.extensions import db
                from umpro.team.models import Staff

                actor = db.session.get(Staff, staff_id)
                for pid in range(5):
                    record_access(
                        db.session,
                        acting=Acting(actor, utcnow()),
                        action="patient.view",
                        patient_id=pid,
                    )
                    db.session.commit()
                db.session.remove()
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    report = verify_chain(session)
    assert report.ok and report.rows == 20


def viewed(session, staff, *, patient_id: int) -> None:
    """One ``patient.view`` row by ``staff``, at the app's clock (the journal's default
    period is read at that clock too)."""
    record_access(
        session,
        acting=Acting(staff, utcnow()),
        action="patient.view",
        patient_id=patient_id,
        target=f"patient:{patient_id}",
    )


def test_admin_page_filters(sign_in, session, practice):
    b, admin = sign_in("coordinator", is_admin=True)
    other = factories.make_staff(session, practice, profession="secretary")
    viewed(session, admin, patient_id=11)
    record_access(session, acting=Acting(other, utcnow()), action="patient.search", patient_id=12)
    session.commit()
    everything = b.get("/admin/journal")
    assert everything.status_code == 200
    assert "patient:11" in everything.text and "patient.search" in everything.text
    only_other = b.get(f"/admin/journal?staff={other.id}")
    assert "patient.search" in only_other.text and "patient:11" not in only_other.text
    by_patient = b.get("/admin/journal?patient=11")
    assert "patient:11" in by_patient.text and "<td>12</td>" not in by_patient.text
    bad = b.get("/admin/journal?patient=abc&debut=31/02/2026")
    assert bad.status_code == 422
    assert "Le numéro de patient est un nombre." in bad.text
    assert "Date illisible « 31/02/2026 »" in bad.text
    assert 'value="31/02/2026"' in bad.text  # what was typed is kept


def test_other_practice_rows_are_not_shown(sign_in, session):
    b, _ = sign_in("coordinator", is_admin=True)
    foreign = factories.make_staff(session, factories.make_practice(session))
    viewed(session, foreign, patient_id=5)
    session.commit()
    assert "patient:5" not in b.get("/admin/journal").text


def test_anonymous_access_is_filed_under_its_practice(sign_in, session):
    b, admin = sign_in("coordinator", is_admin=True)
    record_access(
        session,
        acting=Acting(None, utcnow()),
        action="calendars.feed",
        target="feed:3",
        practice_id=admin.practice_id,
    )
    session.commit()
    row = session.scalars(select(AccessLog)).one()
    assert row.staff_id is None and row.practice_id == admin.practice_id
    assert "feed:3" in b.get("/admin/journal").text
