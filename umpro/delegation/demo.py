"""Demo delegation: the reference protocols, the nurses' memberships, consents, and tasks
in every state so that each screen shows real work — all through the services, so it
obeys the rules. Idempotent: protocols and memberships are added when missing; tasks,
consents and the junior's entries only when the practice has no task yet."""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from umpro.acting import Acting
from umpro.delegation import states
from umpro.delegation.models import CareTask, ProtocolMembership
from umpro.delegation.protocols.reference_set import REFERENCE_PROTOCOLS
from umpro.delegation.services import (
    consents,
    memberships,
    overdue,
    protocols,
    quality,
    sessions,
    tasks,
    transitions,
)
from umpro.delegation.services._common import today
from umpro.errors import DomainError
from umpro.patients.models import Patient
from umpro.scheduling.services import slots
from umpro.team.models import Staff

#: Who adheres to what: the Asalée nurse to everything, the APN to the national protocols.
MEMBERSHIPS = {
    "nathalie.roux": tuple(p["code"] for p in REFERENCE_PROTOCOLS),
    "julien.fournier": ("cystite", "odynophagie"),
}

DT2_OK = {
    "hba1c": "7,2",
    "poids": "82",
    "pas": "134",
    "pad": "82",
    "pieds": "Normal",
    "ecg": "oui",
    "ecg_anomalie": "non",
    "objectifs": "Marche 30 minutes par jour ; moins de boissons sucrées.",
}
DT2_FLAG = {
    "hba1c": "10,8",
    "poids": "91",
    "pieds": "Sensibilité diminuée (monofilament)",
    "ecg": "non",
}
RCV_OK = {
    "pas": "128",
    "pad": "79",
    "poids": "74",
    "ldl": "1,32",
    "tabac": "Ancien fumeur",
    "activite": "Vélo deux fois par semaine, conseils diététiques remis.",
}
COGNITIVE_FLAG = {
    "mmse": "21",
    "horloge": "Anormal",
    "iadl": "2",
    "etudes": "Certificat d'études",
    "entourage": "Vit avec son épouse.",
}
CYSTITIS_OK = {
    "bandelette": "Leucocytes ou nitrites positifs",
    "temperature": "37,1",
    "traitement": "Fosfomycine-trométamol dose unique",
    "conseils": "oui",
}


def load(session: Session, *, practice, members: dict[str, Staff], now: datetime) -> None:
    protocols.install_reference_protocols(
        session, acting=Acting(None, now), practice_id=practice.id
    )
    by_code = {p.code: p for p in protocols.list_protocols(session, practice_id=practice.id)}
    day = today(practice, now)
    for key, codes in MEMBERSHIPS.items():
        staff = members.get(key)
        for code in codes if staff else ():
            exists = session.scalar(
                select(ProtocolMembership.id).where(
                    ProtocolMembership.staff_id == staff.id,
                    ProtocolMembership.protocol_id == by_code[code].id,
                )
            )
            if exists is None:
                memberships.add_membership(
                    session,
                    acting=Acting(None, now),
                    protocol=by_code[code],
                    staff=staff,
                    trained_on=day - timedelta(days=400),
                    valid_until=day + timedelta(days=730),
                    today=day,
                )
    session.flush()
    has_tasks = session.scalar(
        select(CareTask.id).where(CareTask.practice_id == practice.id).limit(1)
    )
    needed = ("claire.martin", "karim.benali", "sophie.lefevre", "nathalie.roux", "julien.fournier")
    if has_tasks is None and all(k in members for k in needed):
        _tasks(session, practice, members, by_code, now)
        overdue.flag_overdue(session, practice=practice, now=now)


class _Patients:
    """Picks distinct demo patients who fit a protocol and do not object to sharing."""

    def __init__(self, session, practice, day):
        self.day = day
        self.used: set[int] = set()
        self.all = session.scalars(
            select(Patient)
            .options(selectinload(Patient.active_objection))
            .where(Patient.practice_id == practice.id)
            .order_by(Patient.id)
        ).all()

    def pick(self, protocol) -> Patient | None:
        for patient in self.all:
            age = patient.age_on(self.day)
            if (
                patient.id not in self.used
                and patient.active_objection is None
                and (protocol.min_age is None or age >= protocol.min_age)
                and (protocol.max_age is None or age <= protocol.max_age)
                and (not protocol.sexes or patient.sex in protocol.sexes)
            ):
                self.used.add(patient.id)
                return patient
        return None


def _tasks(session, practice, members, by_code, now) -> None:
    claire, karim, sophie = (
        members["claire.martin"],
        members["karim.benali"],
        members["sophie.lefevre"],
    )
    nathalie, julien = members["nathalie.roux"], members["julien.fournier"]
    pool = _Patients(session, practice, today(practice, now))

    def ago(days: int, hours: int = 0) -> datetime:
        return now - timedelta(days=days, hours=hours)

    def hand_off(gp, code, *, days, priority="routine", instructions="", due_in=None):
        protocol = by_code[code]
        patient = pool.pick(protocol)
        if patient is None:
            return None
        at = ago(days)
        if protocol.consent_required:
            consents.give_consent(
                session, acting=Acting(gp, at), patient=patient, protocol=protocol
            )
        rules = [c["key"] for c in protocol.inclusion_criteria]
        due_on = today(practice, at) + timedelta(days=due_in) if due_in is not None else None
        return tasks.create_task(
            session,
            acting=Acting(gp, at),
            patient=patient,
            data=tasks.HandOff(
                protocol_code=code,
                instructions=instructions,
                priority=priority,
                due_on=due_on,
                inclusion_met=rules,
            ),
        )

    def move(task, actor, to, *, days, hours=0, reason="", results=None):
        if task is not None:
            transitions.transition(
                session,
                acting=Acting(actor, ago(days, hours)),
                task=task,
                to=to,
                reason=reason,
                results=results,
            )

    def take_on(task, delegate, *, accepted: int, started: int, hours: int = 0):
        """The delegate accepts ``task`` ``accepted`` days ago and starts it ``started``
        days (and ``hours``) ago."""
        move(task, delegate, states.ACCEPTED, days=accepted)
        move(task, delegate, states.IN_PROGRESS, days=started, hours=hours)

    # In the queue: waiting for a delegate, most pressing first.
    hand_off(
        claire,
        "cystite",
        days=0,
        priority="asap",
        instructions="Brûlures mictionnelles depuis hier, pas de fièvre au téléphone.",
    )
    hand_off(
        karim,
        "odynophagie",
        days=0,
        priority="urgent",
        instructions="Mal de gorge depuis 2 jours, enseignant.",
    )
    hand_off(
        sophie,
        "asalee-dt2",
        days=2,
        instructions="Bilan annuel : HbA1c, pieds, ECG. Patient motivé.",
    )
    # Overdue: requested three weeks ago with a 7-day delay, still in the queue.
    hand_off(
        karim,
        "asalee-rcv",
        days=21,
        due_in=7,
        instructions="Dépistage des facteurs de risque, père décédé d'un infarctus à 55 ans.",
    )
    # Accepted, session booked in the nurse's agenda.
    accepted = hand_off(
        claire,
        "asalee-dt2",
        days=3,
        instructions="HbA1c à 8,1 % il y a 3 mois, renforcer l'éducation.",
    )
    move(accepted, nathalie, states.ACCEPTED, days=2)
    _book_session(session, accepted, nathalie, now)
    # In progress and on hold.
    started = hand_off(karim, "asalee-rcv", days=6, instructions="HTA récente sous traitement.")
    take_on(started, nathalie, accepted=5, started=1)
    held = hand_off(sophie, "asalee-bpco", days=12, instructions="Fumeur 30 paquets-années.")
    take_on(held, nathalie, accepted=11, started=9)
    move(
        held,
        nathalie,
        states.ON_HOLD,
        days=8,
        reason="Bronchite en cours : spirométrie reportée à la guérison.",
    )
    # Completed: results waiting in the GP's inbox.
    done = hand_off(claire, "asalee-dt2", days=20, instructions="Suivi trimestriel.")
    take_on(done, nathalie, accepted=19, started=4)
    move(
        done,
        nathalie,
        states.COMPLETED,
        days=4,
        results=DT2_OK,
        reason="Patient à l'aise avec son lecteur de glycémie.",
    )
    # Red flags: reprise, top of the inbox.
    flagged = hand_off(claire, "asalee-dt2", days=15, instructions="Déséquilibre suspecté.")
    take_on(flagged, nathalie, accepted=14, started=1, hours=2)
    move(
        flagged,
        nathalie,
        states.COMPLETED,
        days=1,
        results=DT2_FLAG,
        reason="Polyurie et soif depuis 3 semaines.",
    )
    memory = hand_off(
        karim, "asalee-cognitif", days=30, instructions="Plainte de l'épouse : oublis répétés."
    )
    take_on(memory, nathalie, accepted=29, started=2)
    move(memory, nathalie, states.COMPLETED, days=2, results=COGNITIVE_FLAG)
    # Completed and acknowledged, with satisfaction and an adverse event.
    seen = hand_off(sophie, "asalee-rcv", days=60)
    take_on(seen, nathalie, accepted=59, started=50)
    move(seen, nathalie, states.COMPLETED, days=50, results=RCV_OK)
    if seen is not None:
        sessions.acknowledge(
            session, acting=Acting(sophie, ago(49)), task=seen, note="Vu, poursuite du suivi."
        )
        for respondent, score in (("patient", 5), ("delegator", 4)):
            actor = nathalie if respondent == "patient" else sophie
            quality.record_satisfaction(
                session,
                acting=Acting(actor, ago(49)),
                task=seen,
                respondent=respondent,
                score=score,
            )
    cystitis = hand_off(claire, "cystite", days=40, priority="asap")
    take_on(cystitis, julien, accepted=40, started=40)
    move(cystitis, julien, states.COMPLETED, days=40, results=CYSTITIS_OK)
    if cystitis is not None:
        sessions.acknowledge(session, acting=Acting(claire, ago(39)), task=cystitis)
        quality.report_adverse_event(
            session,
            acting=Acting(julien, ago(38)),
            task=cystitis,
            occurred_on=today(practice, ago(38)),
            severity="mild",
            description="Nausées après la prise de fosfomycine.",
            action_taken="Conseils, pas d'autre traitement.",
        )
        quality.record_satisfaction(
            session, acting=Acting(julien, ago(38)), task=cystitis, respondent="patient", score=4
        )
    # Rejected, failed, cancelled, entered in error.
    rejected = hand_off(claire, "odynophagie", days=5, priority="urgent")
    move(
        rejected,
        julien,
        states.REJECTED,
        days=5,
        hours=-2,
        reason="Fièvre à 39,8 °C au rappel : relève d'une consultation médicale.",
    )
    failed = hand_off(sophie, "asalee-cognitif", days=45)
    take_on(failed, nathalie, accepted=44, started=30)
    move(
        failed,
        nathalie,
        states.FAILED,
        days=3,
        reason="Patient absent à deux rendez-vous, injoignable par téléphone.",
    )
    cancelled = hand_off(karim, "asalee-dt2", days=25)
    move(cancelled, karim, states.CANCELLED, days=24, reason="Suivi repris par l'endocrinologue.")
    mistaken = hand_off(sophie, "asalee-rcv", days=10)
    move(
        mistaken,
        sophie,
        states.ENTERED_IN_ERROR,
        days=10,
        hours=-1,
        reason="Mauvais patient sélectionné.",
    )
    _junior_entries(session, members, pool, now)


def _book_session(session, task, nurse, now) -> None:
    if task is None:
        return
    types = sessions.types_for(session, staff=nurse, purpose="session")
    free = (
        slots.next_slots(session, staff=nurse, appointment_type=types[0], now=now, days=14, limit=1)
        if types
        else []
    )
    if not free:
        return
    try:
        with session.begin_nested():
            sessions.book_session(
                session,
                acting=Acting(nurse, now),
                task=task,
                type_id=types[0].id,
                start_at=free[0].start_at,
            )
    except DomainError:
        pass  # the slot was taken meanwhile: the nurse books it herself


def _junior_entries(session, members, pool, now) -> None:
    """A few consultation summaries of the docteur junior for the supervisor to review."""
    from umpro.patients import services as patients

    junior = members.get("lucas.moreau")
    if junior is None:
        return
    notes = [
        (0, "Rhinopharyngite", "Fébricule 37,8 °C, tympans normaux. Traitement symptomatique."),
        (0, "Lombalgie commune", "Pas de signe de gravité. Antalgiques, reprise d'activité."),
        (0, "Renouvellement HTA", "TA 138/86. Amlodipine renouvelée 3 mois."),
        (1, "Entorse de cheville", "Ottawa négatif, strapping, revoir à J10 si douleur."),
    ]
    for days, title, body in notes:
        patient = next(
            (p for p in pool.all if p.id not in pool.used and p.active_objection is None), None
        )
        if patient is None:
            return
        pool.used.add(patient.id)
        patients.add_entry(
            session,
            acting=Acting(junior, now - timedelta(days=days, hours=1)),
            patient=patient,
            kind="consultation",
            title=title,
            body=body,
        )
