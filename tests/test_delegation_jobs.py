"""The overdue job: tasks past due flagged once (claim-once, idempotent), owner and
requester told, moving the due date re-arms it; the job is in the registry."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests import factories
from umpro.acting import Acting
from umpro.auth.models import AccessLog
from umpro.db import utcnow
from umpro.delegation.models import CareTask, TaskEvent
from umpro.delegation.services import overdue, tasks, transitions
from umpro.errors import Conflict, Invalid
from umpro.jobs.registry import get_job
from umpro.jobs.runner import run_job


@pytest.fixture
def team(session, practice):
    return factories.delegation_team(session, practice)


def _late_task(session, practice, team, *, days_ago=10, due_in=2, accepted=True):
    patient = factories.make_patient(session, practice, birth_date=factories.born_years_ago(60))
    past = utcnow() - timedelta(days=days_ago)
    task = factories.make_task(
        session,
        team.gp,
        patient,
        team.dt2,
        now=past,
        due_on=(past + timedelta(days=due_in)).date(),
    )
    if accepted:
        transitions.transition(session, acting=Acting(team.nurse, past), task=task, to="accepted")
    return task


def test_overdue_tasks_are_flagged_once(session, practice, team):
    late = _late_task(session, practice, team)
    waiting = _late_task(session, practice, team, accepted=False)
    on_time = _late_task(session, practice, team, days_ago=1, due_in=5)
    closed = _late_task(session, practice, team)
    transitions.transition(
        session, acting=Acting(team.gp, utcnow()), task=closed, to="cancelled", reason="Plus utile"
    )
    flagged = overdue.flag_overdue(session, practice=practice, now=utcnow())
    assert {f.task.id for f in flagged} == {late.id, waiting.id}
    notices = {f.task.id: f.notices for f in flagged}
    assert {n.staff_id for n in notices[late.id]} == {team.gp.id, team.nurse.id}
    assert {n.staff_id for n in notices[waiting.id]} == {team.gp.id}
    body = notices[late.id][0].body
    assert late.patient.family_name not in body and "a dépassé son échéance" in body
    assert notices[late.id][0].link == f"/delegation/taches/{late.id}"
    assert on_time.overdue_flagged_at is None and closed.overdue_flagged_at is None
    assert overdue.flag_overdue(session, practice=practice, now=utcnow()) == []
    events = session.scalar(select(func.count(TaskEvent.id)).where(TaskEvent.kind == "overdue"))
    assert events == 2
    event = session.scalar(
        select(TaskEvent).where(TaskEvent.task_id == late.id, TaskEvent.kind == "overdue")
    )
    assert event.actor_id is None and event.to_status == "accepted"
    log = session.scalar(
        select(AccessLog).where(
            AccessLog.action == "care_task.overdue", AccessLog.patient_id == late.patient_id
        )
    )
    assert log.staff_id is None and log.practice_id == practice.id


def _change_due_in(session, team, task, days):
    """The GP moves the task's due date to `days` from today."""
    return tasks.change_due(
        session,
        acting=Acting(team.gp, utcnow()),
        task=task,
        due_on=utcnow().date() + timedelta(days=days),
    )


def test_moving_the_due_date_rearms_the_flag(session, practice, team):
    task = _late_task(session, practice, team)
    overdue.flag_overdue(session, practice=practice, now=utcnow())
    assert task.overdue_flagged_at is not None
    with pytest.raises(Invalid, match="dans le passé"):
        _change_due_in(session, team, task, days=-3)
    _change_due_in(session, team, task, days=7)
    assert task.overdue_flagged_at is None
    assert overdue.flag_overdue(session, practice=practice, now=utcnow()) == []
    later = utcnow() + timedelta(days=10)
    assert [f.task.id for f in overdue.flag_overdue(session, practice=practice, now=later)] == [
        task.id
    ]
    transitions.transition(
        session, acting=Acting(team.gp, utcnow()), task=task, to="cancelled", reason="x"
    )
    with pytest.raises(Conflict, match="tâche close"):
        _change_due_in(session, team, task, days=9)


class FakeConnection:
    sender = "UMPro <ne-pas-repondre@exemple.fr>"

    def __init__(self, sent):
        self.sent = sent

    def send(self, message, *, ref):
        self.sent.append(message)

    def close(self):
        pass


def test_the_job_flags_then_mails_owner_and_requester(app, session, practice, team, monkeypatch):
    late = _late_task(session, practice, team)
    session.commit()
    sent = []

    class Backend:
        def open(self):
            return FakeConnection(sent)

    monkeypatch.setattr("umpro.delegation.jobs.email_backend", lambda config: Backend())
    job = get_job("delegation_overdue")
    assert job is not None and job.title == "Tâches déléguées en retard"
    run = run_job(session, job, practice_id=practice.id, config=app.config, worker="test")
    assert (run.status, run.done, run.failed) == ("ok", 1, 0)
    assert "signalées : 1" in run.summary
    assert sorted(m["To"] for m in sent) == sorted([team.gp.email, team.nurse.email])
    assert all(late.patient.family_name not in m.get_content() for m in sent)
    again = run_job(session, job, practice_id=practice.id, config=app.config, worker="test")
    assert again.done == 0 and len(sent) == 2
    assert session.get(CareTask, late.id).overdue_flagged_at is not None


def test_overdue_shows_in_the_queue(session, practice, team, app):
    _late_task(session, practice, team, accepted=False)
    session.commit()
    from tests.conftest import Browser

    b = Browser(app.test_client())
    b.login(team.nurse.email)
    assert "en retard" in b.get("/delegation/taches").get_data(as_text=True)
