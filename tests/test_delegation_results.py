"""Results validated against the protocol's fields; red flags escalate back to the GP (a
reprise); results land in the shared file and in the inbox until acknowledged; sessions
and follow-ups are booked through the agenda."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests import factories
from umpro.acting import Acting
from umpro.db import utcnow
from umpro.delegation import states
from umpro.delegation.models import CareTask, TaskAppointment, TaskEvent
from umpro.delegation.protocols import definition
from umpro.delegation.services import sessions, tasks, transitions
from umpro.errors import Conflict, Forbidden, Invalid
from umpro.patients.models import FileEntry
from umpro.scheduling.models import Appointment
from umpro.scheduling.services import slots

OK = {"hba1c": "7,2", "pieds": "Normal", "ecg": "oui", "poids": "81.5"}


@pytest.fixture
def team(session, practice):
    return factories.delegation_team(session, practice)


def _in_progress(session, team, patient=None, protocol=None):
    task = factories.make_task(session, team.gp, patient or team.patient, protocol or team.dt2)
    transitions.transition(session, acting=Acting(team.nurse, utcnow()), task=task, to="accepted")
    transitions.transition(
        session, acting=Acting(team.nurse, utcnow()), task=task, to="in-progress"
    )
    session.commit()
    return task


def _complete(session, team, task, results, reason=""):
    return transitions.transition(
        session,
        acting=Acting(team.nurse, utcnow()),
        task=task,
        to="completed",
        results=results,
        reason=reason,
    )


@pytest.mark.parametrize(
    ("results", "errors"),
    [
        (
            {},
            {
                "hba1c": "« HbA1c » est obligatoire.",
                "pieds": "« Examen des pieds » est obligatoire.",
                "ecg": "« ECG réalisé » est obligatoire.",
            },
        ),
        (OK | {"hba1c": "25"}, {"hba1c": "« HbA1c » doit être compris(e) de 3 à 20 %."}),
        (OK | {"hba1c": "2,9"}, {"hba1c": "« HbA1c » doit être compris(e) de 3 à 20 %."}),
        (OK | {"hba1c": "sept"}, {"hba1c": "« HbA1c » doit être un nombre."}),
        (
            OK | {"pieds": "Bof"},
            {
                "pieds": "« Examen des pieds » : choisissez parmi Normal, "
                "Sensibilité diminuée (monofilament), Plaie ou mal perforant."
            },
        ),
        (OK | {"ecg": "peut-être"}, {"ecg": "« ECG réalisé » : répondez oui ou non."}),
        (
            OK | {"fond_oeil": "2999-01-01"},
            {"fond_oeil": "« Date du dernier fond d'œil » ne peut pas être dans le futur."},
        ),
        (
            OK | {"fond_oeil": "01/02/2024"},
            {"fond_oeil": "« Date du dernier fond d'œil » : date attendue au format AAAA-MM-JJ."},
        ),
        (
            OK | {"glycemie": "1"},
            {"glycemie": "Champ de résultat inconnu pour ce protocole : « glycemie »."},
        ),
        (OK | {"signs": ["inconnu"]}, {"signs": "Signe d'alerte inconnu pour ce protocole."}),
    ],
)
def test_bad_results_refused_every_field_named_nothing_saved(session, team, results, errors):
    task = _in_progress(session, team)
    with pytest.raises(definition.ResultsInvalid) as refused:
        _complete(session, team, task, results)
    assert refused.value.errors == errors
    assert refused.value.status == 422
    session.rollback()
    task = session.get(CareTask, task.id)
    assert task.status == states.IN_PROGRESS and task.results is None
    assert session.scalar(select(func.count(FileEntry.id))) == 0


def test_results_land_in_the_file_and_the_inbox(session, team):
    task = _in_progress(session, team)
    _complete(
        session,
        team,
        task,
        OK | {"objectifs": "  Marcher   tous les jours "},
        reason="Séance sereine",
    )
    assert task.status == states.COMPLETED and not task.is_taken_back
    assert task.results == {
        "hba1c": 7.2,
        "pieds": "Normal",
        "ecg": True,
        "poids": 81.5,
        "objectifs": "Marcher tous les jours",
    }
    assert (task.inbox_reason, task.acknowledged_at) == ("results", None)
    entry = session.get(FileEntry, task.file_entry_id)
    assert (entry.kind, entry.author_id, entry.patient_id) == (
        "protocol_session",
        team.nurse.id,
        team.patient.id,
    )
    assert entry.title == "Séance de protocole — Asalée — Suivi du patient diabétique de type 2"
    assert "HbA1c : 7,2 %" in entry.body and "Poids : 81,5 kg" in entry.body
    assert "ECG réalisé : Oui" in entry.body and "Commentaire : Séance sereine" in entry.body
    [inbox] = tasks.list_tasks(session, acting=Acting(team.gp, utcnow()), view="inbox")
    assert inbox.id == task.id
    event = session.scalars(
        select(TaskEvent).where(TaskEvent.task_id == task.id).order_by(TaskEvent.id.desc())
    ).first()
    assert event.data == {"file_entry_id": entry.id, "red_flags": []}


@pytest.mark.parametrize(
    ("results", "flags"),
    [
        (OK | {"hba1c": "10,1"}, ["HbA1c supérieure à 10 %"]),
        (OK | {"hba1c": "10"}, []),
        (OK | {"pieds": "Plaie ou mal perforant"}, ["Plaie du pied ou mal perforant"]),
        (OK | {"ecg_anomalie": "oui"}, ["Anomalie à l'ECG"]),
        (OK | {"pas": "180"}, ["Pression systolique ≥ 180 mmHg"]),
        # A sign observed: the session may stop, required fields may stay empty.
        ({"signs": ["douleur_thoracique"]}, ["Douleur thoracique"]),
    ],
)
def test_red_flags_escalate_back_to_the_gp(session, team, results, flags):
    task = _in_progress(session, team)
    _complete(session, team, task, results)
    assert task.red_flags_raised == flags
    assert task.is_taken_back is bool(flags)
    assert task.inbox_reason == ("escalation" if flags else "results")
    if flags:
        assert task.status_label == "Terminée — reprise par le médecin"
        assert "SIGNES D'ALERTE" in session.get(FileEntry, task.file_entry_id).body


def test_escalations_come_first_in_the_inbox(session, practice, team):
    normal = _in_progress(session, team)
    _complete(session, team, normal, OK)
    rejected = factories.make_task(
        session, team.gp, factories.make_patient(session, practice), team.dt2
    )
    transitions.transition(
        session,
        acting=Acting(team.nurse, utcnow()),
        task=rejected,
        to="rejected",
        reason="Hors secteur",
    )
    other = factories.make_patient(session, practice, birth_date=factories.born_years_ago(70))
    flagged = _in_progress(session, team, patient=other)
    _complete(session, team, flagged, OK | {"hba1c": "12"})
    inbox = tasks.list_tasks(session, acting=Acting(team.gp, utcnow()), view="inbox")
    assert [t.id for t in inbox] == [flagged.id, rejected.id, normal.id]
    assert tasks.list_tasks(session, acting=Acting(team.gp2, utcnow()), view="inbox") == []


def test_acknowledgement_leaves_the_inbox_once(session, team):
    task = _in_progress(session, team)
    _complete(session, team, task, OK)
    with pytest.raises(Forbidden):
        sessions.acknowledge(session, acting=Acting(team.gp2, utcnow()), task=task)
    sessions.acknowledge(session, acting=Acting(team.gp, utcnow()), task=task, note="Vu")
    assert task.inbox_at is None and task.acknowledged_by_id == team.gp.id
    with pytest.raises(Conflict, match="déjà été pris en compte"):
        sessions.acknowledge(session, acting=Acting(team.gp, utcnow()), task=task)
    kinds = session.scalars(select(TaskEvent.kind).where(TaskEvent.task_id == task.id)).all()
    assert kinds.count("acknowledge") == 1
    assert tasks.list_tasks(session, acting=Acting(team.gp, utcnow()), view="inbox") == []


def test_the_gp_may_take_a_completed_act_back(session, practice, team):
    task = _in_progress(session, team)
    _complete(session, team, task, OK)
    sessions.acknowledge(session, acting=Acting(team.gp, utcnow()), task=task, take_back=True)
    assert task.is_taken_back and task.taken_back_at is not None
    kinds = session.scalars(select(TaskEvent.kind).where(TaskEvent.task_id == task.id)).all()
    assert "take_back" in kinds
    failed = factories.make_task(
        session, team.gp, factories.make_patient(session, practice), team.dt2
    )
    transitions.transition(session, acting=Acting(team.nurse, utcnow()), task=failed, to="accepted")
    transitions.transition(
        session, acting=Acting(team.nurse, utcnow()), task=failed, to="in-progress"
    )
    transitions.transition(
        session, acting=Acting(team.nurse, utcnow()), task=failed, to="failed", reason="Injoignable"
    )
    with pytest.raises(Invalid, match="Seul un acte terminé"):
        sessions.acknowledge(session, acting=Acting(team.gp, utcnow()), task=failed, take_back=True)


def test_results_need_a_standing_consent(session, team):
    task = _in_progress(session, team)
    from umpro.delegation.models import ProtocolConsent

    consent = session.scalar(select(ProtocolConsent))
    consent.withdrawn_at = utcnow()  # withdrawn behind the service's back
    session.flush()
    with pytest.raises(Invalid, match="n'a pas \\(ou plus\\) consenti"):
        _complete(session, team, task, OK)


# --- Sessions and follow-up in the agenda --------------------------------------------


@pytest.fixture
def agendas(session, practice, team):
    room = factories.make_room(session, practice, kind="nurse")
    seance = factories.make_appointment_type(
        session,
        practice,
        label="Séance Asalée",
        duration_minutes=60,
        professions=["asalee_nurse"],
    )
    consultation = factories.make_appointment_type(session, practice, label="Consultation")
    for weekday in range(7):
        factories.make_rule(
            session, team.nurse, weekday=weekday, start="08:00", end="20:00", room_id=room.id
        )
        factories.make_rule(
            session,
            team.gp,
            weekday=weekday,
            start="00:00",
            end="23:55",
            room_id=factories.make_room(session, practice).id,
            open_on_holidays=True,
        )
    return seance, consultation


def _book(book, session, actor, task, appointment_type, start_at):
    """Books through `book` (sessions.book_session or sessions.book_follow_up), now."""
    return book(
        session,
        acting=Acting(actor, utcnow()),
        task=task,
        type_id=appointment_type.id,
        start_at=start_at,
    )


def test_the_owner_books_the_session_in_her_agenda(session, team, agendas):
    seance, _ = agendas
    task = factories.make_task(session, team.gp, team.patient, team.dt2)
    day = factories.future_weekday(1)
    with pytest.raises(Forbidden, match="Seul le professionnel qui a accepté"):
        _book(
            sessions.book_session, session, team.nurse, task, seance, factories.local(day, "10:00")
        )
    transitions.transition(session, acting=Acting(team.nurse, utcnow()), task=task, to="accepted")
    link = _book(
        sessions.book_session, session, team.nurse, task, seance, factories.local(day, "10:00")
    )
    appointment = session.get(Appointment, link.appointment_id)
    assert (appointment.staff_id, appointment.patient_id, appointment.type_id) == (
        team.nurse.id,
        team.patient.id,
        seance.id,
    )
    event = session.scalars(
        select(TaskEvent).where(TaskEvent.task_id == task.id).order_by(TaskEvent.id.desc())
    ).first()
    assert event.kind == "session_booked" and "Séance le" in event.note and "à 10:00" in event.note
    with pytest.raises(Conflict):
        _book(
            sessions.book_session, session, team.nurse, task, seance, factories.local(day, "10:30")
        )


def test_escalation_proposes_the_gps_next_free_slots(session, team, agendas):
    _, consultation = agendas
    task = _in_progress(session, team)
    _complete(session, team, task, OK | {"hba1c": "11"})
    types = sessions.types_for(session, staff=team.gp, purpose="follow_up")
    assert types[0].id == consultation.id
    found = slots.next_slots(
        session, staff=team.gp, appointment_type=types[0], now=utcnow(), days=1
    )
    assert found and all(s.staff.id == team.gp.id for s in found)
    assert found[0].start_at - utcnow() < timedelta(days=2)
    link = _book(sessions.book_follow_up, session, team.gp, task, consultation, found[0].start_at)
    assert link.purpose == "follow_up"
    assert session.scalar(select(func.count(TaskAppointment.id))) == 1
    with pytest.raises(Forbidden):
        _book(sessions.book_follow_up, session, team.nurse, task, consultation, found[-1].start_at)
