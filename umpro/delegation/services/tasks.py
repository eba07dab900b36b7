"""Hand-off of a care task, and the lists that show tasks: the delegate's queue, the
GP's inbox and requests, a patient's tasks.

Every read of tasks writes the access log (one row per patient shown).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import Session, joinedload

from umpro.acting import Acting
from umpro.auth.audit import record_access_to
from umpro.auth.permissions import can
from umpro.delegation import states
from umpro.delegation.models import CareTask, Protocol, TaskAppointment, TaskEvent
from umpro.delegation.protocols import definition
from umpro.delegation.services._common import (
    authorize,
    log_patients_shown,
    rows_of_task,
    today,
)
from umpro.delegation.services.consents import give_consent, standing_consent
from umpro.delegation.services.memberships import delegates_for, valid_protocol_ids
from umpro.delegation.services.protocols import protocol_by_code
from umpro.delegation.services.transitions import record_event_and_access
from umpro.errors import Conflict, Forbidden, Invalid, NotFound
from umpro.patients.models import SEXES, Patient, SharingObjection
from umpro.patients.services.sharing import check_sharing_allows
from umpro.team.professions import label as profession_label

INSTRUCTIONS_MAX = 4000
VIEWS = ("available", "mine", "inbox")
#: Tasks on one page of the queue or the inbox (issue 11: a page's cost stays flat).
PER_PAGE = 50
#: Pages reachable by number: the offset stays bounded (past it, narrow the list).
MAX_PAGE = 40


@dataclass
class TaskPage:
    """One page of a list of tasks: the rows, and enough to link the pages around."""

    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return _page_count(self.total, self.per_page)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_rank(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last_rank(self) -> int:
        return (self.page - 1) * self.per_page + len(self.items)


def _page_count(total: int, per_page: int) -> int:
    return min(MAX_PAGE, max(1, -(-total // per_page)))


def _page_of(read, *, total: int, page: int, per_page: int | None) -> TaskPage:
    """Page ``page`` of a list of ``total`` tasks, bounded (``MAX_PAGE``; a page past the
    end shows the last one); ``read(limit=…, offset=…)`` reads its rows."""
    per_page = per_page or PER_PAGE
    page = min(max(1, page), _page_count(total, per_page))
    items = read(limit=per_page, offset=(page - 1) * per_page)
    return TaskPage(items=items, total=total, page=page, per_page=per_page)


@dataclass
class HandOff:
    """What the GP fills in to hand a task off."""

    protocol_code: str
    instructions: str = ""
    priority: str = "routine"
    due_on: date | None = None
    #: Keys of the inclusion criteria the GP confirms the patient meets.
    inclusion_met: list[str] = field(default_factory=list)
    #: Keys of the exclusion criteria the patient presents (any refuses the hand-off).
    exclusions_present: list[str] = field(default_factory=list)
    #: The GP confirms, in the hand-off form itself, that the patient was informed of the
    #: protocol and consents (recorded by ``consents.give_consent``, same rules).
    consent_given: bool = False
    consent_on: date | None = None


@dataclass
class Eligibility:
    """What the hand-off form can tell as soon as the patient and protocol are chosen,
    before the GP fills anything in."""

    #: French sentences: why the protocol does not apply to this patient (age, sex).
    problems: list[str]
    #: "not_required", "standing" (given on ``consent_on``) or "needed".
    consent: str
    consent_on: date | None
    #: An open task of this protocol for the patient (a second one would be refused).
    open_task_id: int | None
    delegates: list = field(default_factory=list)
    protocol: Protocol | None = None

    @property
    def eligible(self) -> bool:
        return not self.problems and self.open_task_id is None and bool(self.delegates)


def fit_problems(patient: Patient, protocol: Protocol, *, on: date) -> list[str]:
    """Why ``protocol`` does not apply to ``patient`` on ``on`` from what the record
    already tells (age window from the birth date, sex): French sentences, empty when
    it may apply. The criteria the GP confirms come after."""
    problems = []
    age = patient.age_on(on)
    too_young = protocol.min_age is not None and age < protocol.min_age
    too_old = protocol.max_age is not None and age > protocol.max_age
    if too_young or too_old:
        problems.append(
            f"Ce protocole concerne les patients {protocol.age_label} : "
            f"ce patient a {age} an{'s' if age > 1 else ''}."
        )
    if protocol.sexes and patient.sex not in protocol.sexes:
        allowed = " ou ".join(SEXES[s].lower() for s in protocol.sexes)
        problems.append(f"Ce protocole concerne uniquement les patients de sexe {allowed}.")
    return problems


def eligibility(
    session: Session, *, acting: Acting, patient: Patient, protocol: Protocol | str
) -> Eligibility:
    """The early check of the hand-off form (page and JSON): the patient's fit, the
    consent, an open task of the protocol, the delegates holding a valid membership.
    ``protocol`` may be given by its code (422 unknown or retired, 403 a protocol
    ``acting.actor``'s profession does not delegate). Callers hold ``care_task.create`` for the
    patient (a read: no access row, the page that shows the patient wrote one)."""
    authorize(acting.actor, "care_task.create", patient, "Vous ne pouvez pas confier de tâche.")
    if patient.practice_id != acting.actor.practice_id:
        raise NotFound("Patient introuvable.")
    if isinstance(protocol, str):
        protocol = protocol_by_code(
            session, practice_id=acting.actor.practice_id, code=protocol, field="protocole"
        )
    if not can(acting.actor, "protocol.hand_off", protocol):
        raise Forbidden("Vous ne déléguez pas sous ce protocole.", field="protocole")
    day = today(acting.actor.practice, acting.now)
    consent, consent_on = "not_required", None
    if protocol.consent_required:
        standing = standing_consent(session, patient=patient, protocol=protocol)
        consent = "standing" if standing is not None else "needed"
        consent_on = standing.given_on if standing is not None else None
    return Eligibility(
        problems=fit_problems(patient, protocol, on=day),
        consent=consent,
        consent_on=consent_on,
        open_task_id=_open_task(session, patient, protocol),
        delegates=delegates_for(session, protocol=protocol, on=day),
        protocol=protocol,
    )


def check_eligibility(
    patient: Patient, protocol: Protocol, *, on: date, inclusion_met=(), exclusions_present=()
) -> None:
    """Refuse (Invalid, French) a patient the protocol does not apply to: age window from
    the birth date on ``on``, sex, an inclusion criterion not confirmed, an exclusion."""
    problems = fit_problems(patient, protocol, on=on)
    if problems:
        raise Invalid(problems[0], field="patient_id")
    rules = definition.of(protocol)
    known_in = {c.key for c in rules.inclusion}
    known_ex = {c.key for c in rules.exclusion}
    if not set(inclusion_met) <= known_in:
        raise Invalid("Critère d'inclusion inconnu pour ce protocole.", field="inclusion_met")
    if not set(exclusions_present) <= known_ex:
        raise Invalid("Critère d'exclusion inconnu pour ce protocole.", field="exclusions_present")
    for criterion in rules.inclusion:
        if criterion.key not in inclusion_met:
            raise Invalid(
                f"Critère d'inclusion non confirmé : « {criterion.label} ».",
                field="inclusion_met",
            )
    for criterion in rules.exclusion:
        if criterion.key in exclusions_present:
            raise Invalid(
                f"Critère d'exclusion présent : « {criterion.label} ». Le protocole ne "
                "s'applique pas : le patient doit être vu par le médecin.",
                field="exclusions_present",
            )


def create_task(session: Session, *, acting: Acting, patient: Patient, data: HandOff) -> CareTask:
    """Hand a task off under a protocol. Callers hold ``care_task.create`` and a
    profession the protocol delegates from. Refuses (French, nothing saved): an unknown
    or retired protocol, a bad priority, a due date in the past, a patient outside the
    criteria (``check_eligibility``), a missing consent where the protocol requires one
    (unless ``data.consent_given``: the consent is then recorded with the task, by
    ``consents.give_consent``), no delegate with a valid membership, a sharing objection,
    an open task of the same protocol for the patient (409)."""
    authorize(acting.actor, "care_task.create", patient, "Vous ne pouvez pas confier de tâche.")
    if patient.practice_id != acting.actor.practice_id:
        raise NotFound("Patient introuvable.")
    protocol = protocol_by_code(
        session, practice_id=acting.actor.practice_id, code=data.protocol_code
    )
    if not can(acting.actor, "protocol.hand_off", protocol):
        allowed = ", ".join(profession_label(p) for p in protocol.delegating_professions)
        raise Forbidden(
            f"Ce protocole est délégué par les professions suivantes : {allowed}.",
            field="protocol_code",
        )
    if data.priority not in states.PRIORITIES:
        raise Invalid("Priorité inconnue (routine, urgent ou asap).", field="priority")
    day = today(acting.actor.practice, acting.now)
    due_on = data.due_on or day + timedelta(days=protocol.default_due_days)
    if due_on < day:
        raise Invalid("L'échéance ne peut pas être dans le passé.", field="due_on")
    instructions = (data.instructions or "").strip()
    if len(instructions) > INSTRUCTIONS_MAX:
        raise Invalid(f"Consignes : {INSTRUCTIONS_MAX} caractères au plus.", field="instructions")
    check_eligibility(
        patient,
        protocol,
        on=day,
        inclusion_met=data.inclusion_met,
        exclusions_present=data.exclusions_present,
    )
    consent_missing = (
        protocol.consent_required
        and standing_consent(session, patient=patient, protocol=protocol) is None
    )
    if consent_missing and not data.consent_given:
        raise Invalid(
            f"Le patient n'a pas donné son consentement au protocole « {protocol.title} » : "
            "confirmez qu'il a été informé et qu'il consent.",
            field="consent",
        )
    delegates = delegates_for(session, protocol=protocol, on=day)
    if not delegates:
        raise Invalid(
            "Aucun membre de l'équipe n'a d'adhésion valide à ce protocole : personne ne "
            "pourrait accepter la tâche.",
            field="protocol_code",
        )
    for delegate in delegates:
        check_sharing_allows(session, patient=patient, actor=acting.actor, recipient=delegate)
    if _open_task(session, patient, protocol) is not None:
        raise Conflict(
            f"Une tâche « {protocol.title} » est déjà en cours pour ce patient.",
            field="protocol_code",
        )
    if consent_missing:
        give_consent(
            session, acting=acting, patient=patient, protocol=protocol, given_on=data.consent_on
        )
    task = CareTask(
        practice_id=acting.actor.practice_id,
        patient=patient,
        protocol=protocol,
        requester=acting.actor,
        status=states.REQUESTED,
        status_changed_at=acting.now,
        priority=data.priority,
        instructions=instructions,
        due_on=due_on,
        created_at=acting.now,
    )
    session.add(task)
    session.flush()
    record_event_and_access(
        session,
        task,
        acting=acting,
        kind="transition",
        action="care_task.create",
        from_status=None,
        note=instructions[:500],
        data={"inclusion_met": list(data.inclusion_met)},
    )
    return task


def _open_task(session: Session, patient: Patient, protocol: Protocol) -> int | None:
    return session.scalar(
        select(CareTask.id).where(
            CareTask.patient_id == patient.id,
            CareTask.protocol_id == protocol.id,
            CareTask.status.in_(states.OPEN_STATUSES),
        )
    )


def _with_people():
    return (
        joinedload(CareTask.patient),
        joinedload(CareTask.protocol),
        joinedload(CareTask.requester),
        joinedload(CareTask.owner),
    )


def get_task(session: Session, *, acting: Acting, task_id: int, log: bool = True) -> CareTask:
    """The task if ``acting.actor`` may see it (``care_task.view``): another practice's answers
    404, someone outside the task's circle 403. Logs the read."""
    task = session.scalar(select(CareTask).options(*_with_people()).where(CareTask.id == task_id))
    if task is None or task.practice_id != acting.actor.practice_id:
        raise NotFound("Tâche introuvable.")
    authorize(acting.actor, "care_task.view", task, "Vous n'avez pas accès à cette tâche.")
    if log:
        record_access_to(session, acting, "care_task.view", task)
    return task


def thread(session: Session, *, task: CareTask) -> tuple[list[TaskEvent], list[TaskAppointment]]:
    """The task's history and its appointments, oldest first (two queries)."""
    events = rows_of_task(
        session, TaskEvent, task, TaskEvent.at, TaskEvent.id, load=[TaskEvent.actor]
    )
    appointments = rows_of_task(
        session, TaskAppointment, task, TaskAppointment.id, load=[TaskAppointment.appointment]
    )
    return events, appointments


_PRIORITY_ORDER = case(states.PRIORITY_RANK, value=CareTask.priority, else_=9)
_INBOX_ORDER = case(states.INBOX_RANK, value=CareTask.inbox_reason, else_=9)


def _objection_stands():
    return exists().where(
        SharingObjection.patient_id == CareTask.patient_id, SharingObjection.lifted_at.is_(None)
    )


def _list_query(session: Session, *, acting: Acting, view: str):
    if view not in VIEWS:
        raise Invalid("Vue inconnue : choisissez available, mine ou inbox.", field="view")
    query = select(CareTask).where(CareTask.practice_id == acting.actor.practice_id)
    if view == "available":
        if not can(acting.actor, "nav.task_queue"):
            raise Forbidden("La file des tâches est réservée aux professionnels délégués.")
        protocol_ids = valid_protocol_ids(
            session, staff=acting.actor, on=today(acting.actor.practice, acting.now)
        )
        query = query.where(
            CareTask.status == states.REQUESTED,
            CareTask.protocol_id.in_(protocol_ids),
            ~_objection_stands(),
        )
        order = (_PRIORITY_ORDER, CareTask.due_on, CareTask.created_at, CareTask.id)
    elif view == "mine":
        query = query.where(
            CareTask.owner_id == acting.actor.id, CareTask.status.in_(states.OWNED_STATUSES)
        )
        order = (_PRIORITY_ORDER, CareTask.due_on, CareTask.id)
    else:
        query = query.where(
            CareTask.requester_id == acting.actor.id, CareTask.inbox_at.is_not(None)
        )
        order = (_INBOX_ORDER, CareTask.inbox_at, CareTask.id)
    return query, order


def list_tasks(
    session: Session, *, acting: Acting, view: str, limit: int = 200, offset: int = 0
) -> list[CareTask]:
    """``available``: requested tasks under the protocols ``acting.actor`` holds a valid
    membership to, most pressing first (tasks of a patient objecting to sharing are left
    out); ``mine``: open tasks ``acting.actor`` took; ``inbox``: tasks back to ``acting.actor`` (the
    requester) until acknowledged, escalations first. Logs one row per patient shown."""
    query, order = _list_query(session, acting=acting, view=view)
    query = query.options(*_with_people()).order_by(*order).offset(offset).limit(limit)
    tasks = list(session.scalars(query).unique())
    _log_list(session, acting=acting, tasks=tasks, view=view)
    return tasks


def page_of_tasks(
    session: Session, *, acting: Acting, view: str, page: int = 1, per_page: int | None = None
) -> TaskPage:
    """One page of ``list_tasks`` (same order, same access row for the patients shown)
    and the list's total: two statements whatever the length of the list. The page
    number is bounded (``MAX_PAGE``): a page past the end shows the last one."""
    query, _ = _list_query(session, acting=acting, view=view)
    total = session.scalar(select(func.count()).select_from(query.subquery()))

    return _page_of(
        lambda limit, offset: list_tasks(
            session, acting=acting, view=view, limit=limit, offset=offset
        ),
        total=total,
        page=page,
        per_page=per_page,
    )


def _requested_where(actor):
    return (CareTask.requester_id == actor.id, CareTask.status.in_(states.OPEN_STATUSES))


def requested_by(
    session: Session, *, acting: Acting, limit: int = 200, offset: int = 0
) -> list[tuple[CareTask, bool]]:
    """Open tasks ``acting.actor`` handed off, with a flag: True when a sharing objection
    recorded since keeps every delegate from taking it."""
    rows = session.execute(
        select(CareTask, _objection_stands())
        .options(*_with_people())
        .where(*_requested_where(acting.actor))
        .order_by(CareTask.due_on, CareTask.id)
        .offset(offset)
        .limit(limit)
    ).all()
    _log_list(session, acting=acting, tasks=[r[0] for r in rows], view="requested")
    return [(task, bool(blocked)) for task, blocked in rows]


def page_of_requested(
    session: Session, *, acting: Acting, page: int = 1, per_page: int | None = None
) -> TaskPage:
    """One page of ``requested_by`` and the total (two statements, bounded page)."""
    total = session.scalar(select(func.count(CareTask.id)).where(*_requested_where(acting.actor)))

    return _page_of(
        lambda limit, offset: requested_by(session, acting=acting, limit=limit, offset=offset),
        total=total,
        page=page,
        per_page=per_page,
    )


def tasks_of_patient(session: Session, *, acting: Acting, patient: Patient) -> list[CareTask]:
    """Every task of a patient, latest first (the hand-off page lists them)."""
    tasks = list(
        session.scalars(
            select(CareTask)
            .options(*_with_people())
            .where(CareTask.patient_id == patient.id)
            .order_by(CareTask.created_at.desc(), CareTask.id.desc())
        )
    )
    if tasks:
        _log_list(session, acting=acting, tasks=tasks, view="patient")
    return tasks


def _log_list(session, *, acting: Acting, tasks, view: str) -> None:
    log_patients_shown(
        session,
        acting,
        f"care_task.list_{view}",
        (t.patient_id for t in tasks),
        f"care_tasks:{view}",
    )


def change_due(
    session: Session, *, acting: Acting, task: CareTask, due_on: date | None
) -> CareTask:
    """Move an open task's due date (the requester only); the overdue flag is cleared so
    that the job warns again if the new date passes. Refuses a date in the past."""
    authorize(
        acting.actor, "care_task.requester", task, "Seul le médecin demandeur change l'échéance."
    )
    if not task.is_open:
        raise Conflict("L'échéance d'une tâche close ne se change plus.", field="due_on")
    day = today(acting.actor.practice, acting.now)
    if due_on is None or due_on < day:
        raise Invalid("L'échéance ne peut pas être dans le passé.", field="due_on")
    before = task.due_on
    task.due_on = due_on
    task.overdue_flagged_at = None
    session.flush()
    record_event_and_access(
        session,
        task,
        acting=acting,
        kind="due_changed",
        action="care_task.due_changed",
        note=f"Échéance : {before:%d/%m/%Y} → {due_on:%d/%m/%Y}",
    )
    return task
