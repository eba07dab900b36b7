"""Hand-off under a protocol: criteria (age from the birth date, sex, checklists), consent,
sharing objection, memberships, duplicates — refused in French, nothing saved."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests import factories
from umpro.acting import Acting
from umpro.auth.models import AccessLog
from umpro.db import utcnow
from umpro.delegation import states
from umpro.delegation.models import CareTask, ProtocolConsent, TaskEvent
from umpro.delegation.services import consents, protocols, tasks, transitions
from umpro.errors import Conflict, Forbidden, Invalid
from umpro.patients import services as patients
from umpro.timeutil import local_today


@pytest.fixture
def team(session, practice):
    return factories.delegation_team(session, practice)


def _today():
    return local_today("Europe/Paris", utcnow())


def _born(years: int, *, days_after_birthday: int):
    today = _today()
    if (today.month, today.day) == (2, 29):
        today -= timedelta(days=1)
    return today.replace(year=today.year - years) - timedelta(days=days_after_birthday)


def _count(session, model) -> int:
    return session.scalar(select(func.count(model.id)))


@pytest.mark.parametrize(
    ("code", "sex", "years", "days", "accepted", "message"),
    [
        ("cystite", "F", 16, 0, True, None),
        ("cystite", "F", 16, -1, False, "de 16 à 65 ans : ce patient a 15 ans"),
        ("cystite", "F", 65, 30, True, None),
        ("cystite", "F", 66, 0, False, "de 16 à 65 ans : ce patient a 66 ans"),
        ("cystite", "M", 30, 10, False, "uniquement les patients de sexe féminin"),
        ("odynophagie", "M", 6, 0, True, None),
        ("odynophagie", "F", 6, -1, False, "de 6 à 45 ans : ce patient a 5 ans"),
        ("odynophagie", "M", 45, 200, True, None),
        ("odynophagie", "M", 46, 0, False, "de 6 à 45 ans : ce patient a 46 ans"),
        ("asalee-cognitif", "F", 74, 300, False, "75 ans et plus : ce patient a 74 ans"),
        ("asalee-cognitif", "M", 80, 3, True, None),
        ("asalee-bpco", "M", 39, 100, False, "40 ans et plus"),
    ],
)
def test_age_window_and_sex_from_the_birth_date(
    session, practice, team, code, sex, years, days, accepted, message
):
    protocol = team.protocols[code]
    patient = factories.make_patient(
        session, practice, sex=sex, birth_date=_born(years, days_after_birthday=days)
    )
    session.commit()
    if accepted:
        task = factories.make_task(session, team.gp, patient, protocol)
        assert task.status == states.REQUESTED
        return
    with pytest.raises(Invalid) as refused:
        factories.make_task(session, team.gp, patient, protocol)
    assert message in refused.value.message
    assert refused.value.field == "patient_id"
    session.rollback()
    assert _count(session, CareTask) == 0


def test_inclusion_must_be_confirmed_and_no_exclusion_present(session, practice, team):
    patient = team.patient
    session.commit()
    with pytest.raises(Invalid, match="Critère d'inclusion non confirmé : « Pollakiurie"):
        factories.make_task(session, team.gp, patient, team.cystitis, inclusion_met=[])
    with pytest.raises(Invalid) as excluded:
        factories.make_task(session, team.gp, patient, team.cystitis, exclusions_present=["fievre"])
    assert excluded.value.message.startswith("Critère d'exclusion présent : « Fièvre ≥ 38 °C")
    assert "doit être vu par le médecin" in excluded.value.message
    assert excluded.value.field == "exclusions_present"
    with pytest.raises(Invalid, match="Critère d'exclusion inconnu"):
        factories.make_task(session, team.gp, patient, team.cystitis, exclusions_present=["x"])
    session.rollback()
    assert _count(session, CareTask) == 0


def test_consent_required_before_the_hand_off(session, practice, team):
    session.commit()
    with pytest.raises(Invalid) as refused:
        factories.make_task(session, team.gp, team.patient, team.dt2, consent=False)
    assert refused.value.field == "consent"
    assert "n'a pas donné son consentement au protocole « Asalée" in refused.value.message
    session.rollback()
    factories.make_consent(session, team.patient, team.dt2, actor=team.nurse)
    task = factories.make_task(session, team.gp, team.patient, team.dt2, consent=False)
    assert task.status == states.REQUESTED


def test_a_protocol_without_consent_needs_none(session, practice, team):
    data = protocols.input_of(team.dt2)
    data.code, data.consent_required = "local-sans-consentement", False
    local = protocols.save_protocol(
        session, acting=Acting(None, utcnow()), practice_id=practice.id, data=data
    )
    factories.make_membership(session, local, team.nurse)
    task = factories.make_task(session, team.gp, team.patient, local, consent=False)
    assert task.status == states.REQUESTED


def test_a_sharing_objection_forbids_the_hand_off(session, practice, team):
    patients.record_objection(session, acting=Acting(team.gp, utcnow()), patient=team.patient)
    factories.make_consent(session, team.patient, team.dt2)
    session.commit()
    with pytest.raises(Forbidden, match="s'oppose au partage de ses données"):
        factories.make_task(session, team.gp, team.patient, team.dt2)
    session.rollback()
    assert _count(session, CareTask) == 0


def test_an_objection_recorded_after_the_hand_off_stops_the_delegates(session, practice, team):
    task = factories.make_task(session, team.gp, team.patient, team.dt2)
    patients.record_objection(session, acting=Acting(team.gp, utcnow()), patient=team.patient)
    session.commit()
    available = tasks.list_tasks(session, acting=Acting(team.nurse, utcnow()), view="available")
    assert task not in available
    with pytest.raises(Forbidden, match="s'oppose au partage"):
        transitions.transition(
            session, acting=Acting(team.nurse, utcnow()), task=task, to="accepted"
        )
    session.rollback()
    [(mine, blocked)] = tasks.requested_by(session, acting=Acting(team.gp, utcnow()))
    assert mine.id == task.id and blocked is True


def test_no_delegate_with_a_valid_membership_refuses(session, practice, team):
    data = protocols.input_of(team.dt2)
    data.code = "sans-delegue"
    alone = protocols.save_protocol(
        session, acting=Acting(None, utcnow()), practice_id=practice.id, data=data
    )
    with pytest.raises(Invalid, match="Aucun membre de l'équipe n'a d'adhésion valide"):
        factories.make_task(session, team.gp, team.patient, alone)


def test_one_open_task_per_patient_and_protocol(session, practice, team):
    first = factories.make_task(session, team.gp, team.patient, team.dt2)
    session.commit()
    with pytest.raises(Conflict, match="est déjà en cours pour ce patient"):
        factories.make_task(session, team.gp2, team.patient, team.dt2)
    session.rollback()
    transitions.transition(
        session, acting=Acting(team.gp, utcnow()), task=first, to="cancelled", reason="Doublon"
    )
    again = factories.make_task(session, team.gp2, team.patient, team.dt2)
    assert again.id != first.id


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"protocol_code": "inconnu"}, "protocol_code", "Protocole inconnu : « inconnu »."),
        ({"priority": "stat"}, "priority", "Priorité inconnue"),
        ({"due_on": "yesterday"}, "due_on", "L'échéance ne peut pas être dans le passé."),
        ({"instructions": "x" * 4001}, "instructions", "4000 caractères au plus"),
    ],
)
def test_bad_hand_off_input(session, practice, team, overrides, field, message):
    if overrides.get("due_on") == "yesterday":
        overrides["due_on"] = _today() - timedelta(days=1)
    session.commit()
    with pytest.raises(Invalid) as refused:
        factories.make_task(session, team.gp, team.patient, team.dt2, **overrides)
    assert refused.value.field == field and message in refused.value.message
    session.rollback()
    assert _count(session, CareTask) == 0


def test_a_retired_protocol_is_refused(session, practice, team):
    team.dt2.is_active = False
    session.flush()
    with pytest.raises(Invalid, match="n'est plus en vigueur"):
        factories.make_task(session, team.gp, team.patient, team.dt2)


@pytest.mark.parametrize("profession", ["asalee_nurse", "secretary", "medical_assistant"])
def test_only_doctors_hand_off(session, practice, team, profession):
    someone = factories.make_staff(session, practice, profession=profession)
    with pytest.raises(Forbidden):
        factories.make_task(session, someone, team.patient, team.dt2)


def test_the_protocol_names_who_delegates(session, practice, team):
    junior = factories.make_staff(session, practice, profession="junior_doctor")
    with pytest.raises(Forbidden, match="délégué par les professions suivantes"):
        factories.make_task(session, junior, team.patient, team.dt2)


def test_default_due_date_event_and_access_log(session, practice, team):
    task = factories.make_task(session, team.gp, team.patient, team.dt2, instructions="Bilan")
    assert task.due_on == _today() + timedelta(days=team.dt2.default_due_days)
    event = session.scalar(select(TaskEvent).where(TaskEvent.task_id == task.id))
    assert (event.from_status, event.to_status, event.actor_id) == (None, "requested", team.gp.id)
    log = session.scalar(select(AccessLog).where(AccessLog.action == "care_task.create"))
    assert (log.patient_id, log.staff_id, log.target) == (
        team.patient.id,
        team.gp.id,
        f"care_task:{task.id}",
    )


def test_consent_given_twice_withdrawn_and_history_kept(session, practice, team):
    consent = factories.make_consent(session, team.patient, team.dt2, actor=team.gp)
    with pytest.raises(Conflict, match="déjà enregistré"):
        factories.make_consent(session, team.patient, team.dt2, actor=team.gp)
    with pytest.raises(Invalid, match="ne peut pas être dans le futur"):
        consents.give_consent(
            session,
            acting=Acting(team.gp, utcnow()),
            patient=team.patient,
            protocol=team.cystitis,
            given_on=_today() + timedelta(days=1),
        )
    consents.withdraw_consent(
        session,
        acting=Acting(team.nurse, utcnow()),
        patient=team.patient,
        protocol=team.dt2,
        note="Déménage",
    )
    assert consent.withdrawn_by_id == team.nurse.id and consent.withdrawal_note == "Déménage"
    with pytest.raises(Conflict, match="Aucun consentement"):
        consents.withdraw_consent(
            session, acting=Acting(team.gp, utcnow()), patient=team.patient, protocol=team.dt2
        )
    factories.make_consent(session, team.patient, team.dt2, actor=team.gp)
    history = consents.consents_of(session, patient=team.patient)
    assert len(history) == 2 and sum(c.is_standing for c in history) == 1
    actions = set(
        session.scalars(select(AccessLog.action).where(AccessLog.patient_id.is_not(None)))
    )
    assert {"protocol_consent.give", "protocol_consent.withdraw"} <= actions


def test_withdrawal_cancels_open_tasks_and_tells_the_gp(session, practice, team):
    task = factories.make_task(session, team.gp, team.patient, team.dt2)
    transitions.transition(session, acting=Acting(team.nurse, utcnow()), task=task, to="accepted")
    consents.withdraw_consent(
        session, acting=Acting(team.nurse, utcnow()), patient=team.patient, protocol=team.dt2
    )
    assert task.status == states.CANCELLED
    assert task.inbox_reason == "cancellation"
    assert task.status_reason == "Consentement au protocole retiré par le patient."
    last = session.scalars(
        select(TaskEvent).where(TaskEvent.task_id == task.id).order_by(TaskEvent.id.desc())
    ).first()
    assert (last.from_status, last.to_status, last.actor_id) == (
        "accepted",
        "cancelled",
        team.nurse.id,
    )
    assert session.scalar(select(func.count(ProtocolConsent.id))) == 1


@pytest.mark.parametrize("profession", ["secretary", "health_mediator", "student"])
def test_consent_is_recorded_by_doctors_and_delegates_only(session, practice, team, profession):
    someone = factories.make_staff(session, practice, profession=profession)
    with pytest.raises(Forbidden):
        factories.make_consent(session, team.patient, team.dt2, actor=someone)
