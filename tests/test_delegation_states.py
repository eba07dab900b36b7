"""The care task's state machine: every allowed and refused transition, who may make
each, reasons, memberships, and the concurrent accept enforced by the database."""

import threading
from datetime import UTC, date, datetime, timedelta
from itertools import product

import pytest
from sqlalchemy import func, select

from tests import factories
from umpro.acting import Acting
from umpro.db import utcnow
from umpro.delegation import states
from umpro.delegation.models import CareTask, TaskEvent
from umpro.delegation.services import transitions
from umpro.errors import Conflict, DomainError, Forbidden, Invalid

DT2_RESULTS = {"hba1c": "7,1", "pieds": "Normal", "ecg": "oui"}

#: How to bring a fresh task to each status: (role, target, reason, results) steps.
PATHS = {
    states.REQUESTED: [],
    states.ACCEPTED: [("delegate", states.ACCEPTED)],
    states.REJECTED: [("delegate", states.REJECTED)],
    states.IN_PROGRESS: [("delegate", states.ACCEPTED), ("owner", states.IN_PROGRESS)],
    states.ON_HOLD: [
        ("delegate", states.ACCEPTED),
        ("owner", states.IN_PROGRESS),
        ("owner", states.ON_HOLD),
    ],
    states.COMPLETED: [
        ("delegate", states.ACCEPTED),
        ("owner", states.IN_PROGRESS),
        ("owner", states.COMPLETED),
    ],
    states.FAILED: [
        ("delegate", states.ACCEPTED),
        ("owner", states.IN_PROGRESS),
        ("owner", states.FAILED),
    ],
    states.CANCELLED: [("requester", states.CANCELLED)],
    states.ENTERED_IN_ERROR: [("requester", states.ENTERED_IN_ERROR)],
}


@pytest.fixture
def team(session, practice):
    return factories.delegation_team(session, practice)


def _actor(team, role):
    return team.gp if role == "requester" else team.nurse


def _move(session, task, actor, to):
    move = states.move_for(task.status, to)
    return transitions.transition(
        session,
        acting=Acting(actor, utcnow()),
        task=task,
        to=to,
        reason="Motif de test" if move is not None and move.needs_reason else "",
        results=DT2_RESULTS if to == states.COMPLETED else None,
    )


def _transition_now(session, actor, task, to, **details):
    """transitions.transition now; `details`: the reason or the results."""
    return transitions.transition(
        session, acting=Acting(actor, utcnow()), task=task, to=to, **details
    )


def _task_in(session, practice, team, status):
    patient = factories.make_patient(session, practice, birth_date=factories.born_years_ago(60))
    task = factories.make_task(session, team.gp, patient, team.dt2)
    for role, target in PATHS[status]:
        _move(session, task, _actor(team, role), target)
    assert task.status == status
    session.commit()  # a refusal below rolls back to here
    return task


def _events(session, task) -> int:
    return session.scalar(select(func.count(TaskEvent.id)).where(TaskEvent.task_id == task.id))


def test_the_table_follows_fhir_task():
    assert set(states.STATUSES) == {
        "requested",
        "accepted",
        "rejected",
        "in-progress",
        "on-hold",
        "completed",
        "failed",
        "cancelled",
        "entered-in-error",
    }
    pairs = [(m.source, m.target) for m in states.MOVES]
    assert len(pairs) == len(set(pairs)), "one move per pair of statuses"
    assert all(m.by in states.ROLES for m in states.MOVES)
    assert not states.moves_from(states.ENTERED_IN_ERROR)


@pytest.mark.parametrize(("source", "target"), list(product(states.STATUSES, repeat=2)))
def test_every_transition_allowed_or_refused(session, practice, team, source, target):
    task = _task_in(session, practice, team, source)
    before = _events(session, task)
    move = states.move_for(source, target)
    if move is None:
        with pytest.raises(Conflict) as refused:
            _move(session, task, team.nurse if source != states.REQUESTED else team.gp, target)
        assert refused.value.status == 409
        assert "ne peut pas passer" in refused.value.message or (
            "n'est plus disponible" in refused.value.message
        )
        session.rollback()
        task = session.get(CareTask, task.id)
        assert task.status == source
        assert _events(session, task) == before
        return
    actor = _actor(team, move.by)
    _move(session, task, actor, target)
    assert task.status == target
    event = session.scalars(
        select(TaskEvent).where(TaskEvent.task_id == task.id).order_by(TaskEvent.id.desc())
    ).first()
    assert (event.from_status, event.to_status, event.actor_id) == (source, target, actor.id)
    assert event.kind == "transition"
    assert _events(session, task) == before + 1


def _wrong_people(team, practice, session, by):
    other_nurse = factories.make_staff(session, practice, profession="asalee_nurse")
    secretary = factories.make_staff(session, practice, profession="secretary")
    return {
        "requester": [team.nurse, team.gp2, secretary],
        "owner": [team.gp, team.apn, other_nurse],
        # The APN holds no DT2 membership; the GP and the secretary are no delegates.
        "delegate": [team.gp, team.apn, secretary],
    }[by]


@pytest.mark.parametrize("move", states.MOVES, ids=lambda m: f"{m.source}->{m.target}")
def test_each_move_refused_to_the_wrong_person(session, practice, team, move):
    task = _task_in(session, practice, team, move.source)
    for person in _wrong_people(team, practice, session, move.by):
        with pytest.raises(Forbidden):
            _move(session, task, person, move.target)
        session.rollback()
        task = session.get(CareTask, task.id)
        assert task.status == move.source


@pytest.mark.parametrize(
    "move", [m for m in states.MOVES if m.needs_reason], ids=lambda m: f"{m.source}->{m.target}"
)
def test_a_reason_is_required_where_the_table_says(session, practice, team, move):
    task = _task_in(session, practice, team, move.source)
    with pytest.raises(Invalid) as refused:
        _transition_now(session, _actor(team, move.by), task, move.target, reason="  ")
    assert refused.value.field == "reason"
    assert refused.value.message == "Indiquez le motif : il sera transmis au médecin."


def test_unknown_status_and_results_outside_completion_are_refused(session, practice, team):
    task = _task_in(session, practice, team, states.REQUESTED)
    with pytest.raises(Invalid, match="Statut inconnu : « done »"):
        transitions.transition(session, acting=Acting(team.nurse, utcnow()), task=task, to="done")
    with pytest.raises(Invalid, match="en terminant la tâche"):
        _transition_now(session, team.nurse, task, "accepted", results={"hba1c": 7})
    assert task.status == states.REQUESTED and task.owner_id is None


@pytest.mark.parametrize(
    ("trained", "until", "accepted"),
    [(-400, -1, False), (-400, None, True), (-400, 0, True), (1, None, False)],
    ids=["expired", "open", "last-day", "not-yet-trained"],
)
def test_only_a_valid_membership_on_the_day_accepts(
    session, practice, team, trained, until, accepted
):
    nurse = factories.make_staff(session, practice, profession="asalee_nurse")
    # 00:30 in Paris, still the day before in UTC: the membership counts the practice's day.
    now = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)
    today = date(2026, 11, 30)
    from umpro.delegation.models import ProtocolMembership

    session.add(
        ProtocolMembership(
            practice_id=practice.id,
            protocol_id=team.dt2.id,
            staff_id=nurse.id,
            trained_on=today + timedelta(days=trained),
            valid_until=None if until is None else today + timedelta(days=until),
        )
    )
    session.flush()
    task = _task_in(session, practice, team, states.REQUESTED)
    if accepted:
        transitions.transition(session, acting=Acting(nurse, now), task=task, to="accepted")
        assert task.owner_id == nurse.id
    else:
        with pytest.raises(Forbidden, match="pas d'adhésion valide au protocole"):
            transitions.transition(session, acting=Acting(nurse, now), task=task, to="accepted")


def test_release_puts_the_task_back_in_the_queue(session, practice, team):
    task = _task_in(session, practice, team, states.ACCEPTED)
    _transition_now(session, team.nurse, task, "requested", reason="Congé maladie")
    assert (task.status, task.owner_id) == (states.REQUESTED, None)


def test_moves_land_in_the_requesters_inbox(session, practice, team):
    rejected = _task_in(session, practice, team, states.REJECTED)
    failed = _task_in(session, practice, team, states.FAILED)
    cancelled = _task_in(session, practice, team, states.CANCELLED)
    assert (rejected.inbox_reason, failed.inbox_reason) == ("rejection", "failure")
    assert rejected.inbox_at is not None and failed.inbox_at is not None
    assert cancelled.inbox_at is None, "the requester cancelled: nothing to tell them"


def _accept_in_thread(app, task_id, nurse_id, barrier, outcomes):
    from umpro.extensions import db
    from umpro.team.models import Staff

    with app.app_context():
        session = db.session
        try:
            barrier.wait(timeout=10)
            nurse = session.get(Staff, nurse_id)
            task = session.get(CareTask, task_id)
            transitions.transition(
                session, acting=Acting(nurse, utcnow()), task=task, to="accepted"
            )
            session.commit()
            outcomes.append(("won", nurse_id))
        except DomainError as error:
            session.rollback()
            outcomes.append(("lost", error))
        finally:
            session.remove()


def test_two_nurses_accepting_at_once_exactly_one_wins(app, session, practice, team):
    other = factories.make_staff(session, practice, profession="asalee_nurse")
    factories.make_membership(session, team.dt2, other)
    task = _task_in(session, practice, team, states.REQUESTED)
    task_id, nurse_ids = task.id, (team.nurse.id, other.id)
    session.commit()
    session.close()
    for round_ in range(3):  # a few rounds: the race is real, not a lucky order
        barrier, outcomes = threading.Barrier(2), []
        threads = [
            threading.Thread(target=_accept_in_thread, args=(app, task_id, n, barrier, outcomes))
            for n in nurse_ids
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        won = [o for o in outcomes if o[0] == "won"]
        lost = [o for o in outcomes if o[0] == "lost"]
        assert len(won) == 1 and len(lost) == 1, outcomes
        assert isinstance(lost[0][1], Conflict)
        assert "n'est plus disponible" in lost[0][1].message
        task = session.get(CareTask, task_id, populate_existing=True)
        assert task.owner_id == won[0][1]
        accepted = session.scalar(
            select(func.count(TaskEvent.id)).where(
                TaskEvent.task_id == task_id, TaskEvent.to_status == "accepted"
            )
        )
        assert accepted == round_ + 1
        # Put it back for the next round.
        owner = session.get(type(team.nurse), won[0][1])
        transitions.transition(
            session,
            acting=Acting(owner, utcnow()),
            task=task,
            to="requested",
            reason="Nouvel essai",
        )
        session.commit()
        session.close()


def test_a_stale_version_is_refused(session, practice, team):
    """Two pages open on the same task: the second change from the old state loses."""
    task = _task_in(session, practice, team, states.IN_PROGRESS)
    stale_version = task.version
    transitions.transition(
        session, acting=Acting(team.nurse, utcnow()), task=task, to="on-hold", reason="Attente"
    )
    session.expire(task, ["status", "version"])
    from sqlalchemy.orm.attributes import set_committed_value

    set_committed_value(task, "status", states.IN_PROGRESS)
    set_committed_value(task, "version", stale_version)
    with pytest.raises(Conflict, match="vient d'être modifiée"):
        transitions.transition(
            session, acting=Acting(team.gp, utcnow()), task=task, to="cancelled", reason="Doublon"
        )
