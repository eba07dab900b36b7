"""The daily snapshot job and ``flask umpro snapshots rebuild`` give the same numbers."""

from datetime import date, timedelta

from sqlalchemy import select

from tests import factories as f
from umpro.jobs.registry import get_job
from umpro.jobs.runner import run_job
from umpro.reports.models import PatientListSnapshot


def _rows(session):
    rows = session.scalars(
        select(PatientListSnapshot).order_by(PatientListSnapshot.gp_id, PatientListSnapshot.day)
    )
    return [
        (r.gp_id, r.day, r.patient_list, r.adults, r.children, r.file_active, r.ald, r.started)
        for r in rows
    ]


def test_job_and_rebuild_write_the_same_snapshots(frozen_now, app, session, practice):
    gp = f.make_staff(session, practice, profession="gp")
    today = date(2026, 11, 30)
    yesterday = today - timedelta(days=1)
    kind = f.make_appointment_type(session, practice)
    for n in range(3):
        patient = f.make_patient(session, practice, has_chronic_condition=n == 0)
        f.make_declaration_period(session, patient, gp, start_on=yesterday - timedelta(days=n))
        f.make_visit(session, gp, patient, on=yesterday - timedelta(days=40 * n), type=kind)
    session.commit()

    job = get_job("patient_list_snapshots")
    run = run_job(session, job, practice_id=practice.id, config=app.config, worker="test")
    assert (run.status, run.done) == ("ok", 1)
    by_job = _rows(session)
    assert by_job == [(gp.id, yesterday, 3, 3, 0, 3, 1, 1)]
    again = run_job(session, job, practice_id=practice.id, config=app.config, worker="test")
    assert again.status == "ok" and _rows(session) == by_job

    result = app.test_cli_runner().invoke(
        args=["umpro", "snapshots", "rebuild", "--from", "2026-11-27"]
    )
    assert result.exit_code == 0, result.output
    assert "3 photographie(s) recalculée(s)" in result.output
    session.expire_all()
    rebuilt = _rows(session)
    assert [r for r in rebuilt if r[1] == yesterday] == by_job
    assert [r[2] for r in rebuilt] == [1, 2, 3]  # 27, 28 and 29 November


def test_rebuild_refuses_a_start_after_yesterday(frozen_now, app, practice):
    result = app.test_cli_runner().invoke(
        args=["umpro", "snapshots", "rebuild", "--from", "2026-12-05"]
    )
    assert result.exit_code != 0
    assert "doit précéder" in result.output
