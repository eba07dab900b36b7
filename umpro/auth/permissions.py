"""Who may do what: the one place that decides.

``can(user, action, obj)`` answers for views, the API and templates alike; nothing
else tests professions to grant access. Actions are dotted names; each maps to a rule
taking the user and the object concerned (or None).
"""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user

from umpro.errors import Forbidden
from umpro.team.professions import CLINICIANS, Profession

Rule = Callable[[object, object], bool]
RULES: dict[str, Rule] = {}


def rule(*actions: str):
    def register(fn: Rule) -> Rule:
        for action in actions:
            if action in RULES:
                raise RuntimeError(f"permission {action!r} defined twice")
            RULES[action] = fn
        return fn

    return register


def can(user, action: str, obj=None) -> bool:
    """True when ``user`` may perform ``action`` (on ``obj``). Unknown actions raise."""
    check = RULES[action]
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if obj is not None and getattr(obj, "practice_id", user.practice_id) != user.practice_id:
        return False
    return check(user, obj)


def ensure(actor, action: str, obj, message: str) -> None:
    """Services' check: raise ``Forbidden(message)`` unless ``actor`` may do ``action``
    (on ``obj``). ``actor=None`` is the system itself (demo data, imports, jobs)."""
    if actor is not None and not can(actor, action, obj):
        raise Forbidden(message)


def require(action: str):
    """View decorator: 403 unless ``can(current_user, action)``."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not can(current_user, action):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def is_clinician(user) -> bool:
    return user.profession in CLINICIANS


# --- Foundation -------------------------------------------------------------------


@rule("team.manage", "rooms.manage", "audit.view", "jobs.manage", "api_keys.manage")
def _admin_only(user, obj) -> bool:
    return user.is_admin


@rule("staff_change.decide")
def _staff_change_decide(user, change) -> bool:
    """A second admin: neither the one who asked for the access grant nor its target."""
    return user.is_admin and (
        change is None or user.id not in (change.requested_by_id, change.staff_id)
    )


@rule("staff_change.acknowledge")
def _staff_change_acknowledge(user, change) -> bool:
    """The account concerned, or an admin who did not make the change."""
    return (
        change is None
        or user.id == change.staff_id
        or (user.is_admin and user.id != change.requested_by_id)
    )


@rule(
    "team.list",
    "profile.edit",
    "api.me",
    "nav.agenda",
    "nav.patients",
)
def _any_member(user, obj) -> bool:
    return True


@rule("nav.inbox")
def _gps(user, obj) -> bool:
    return user.profession in (Profession.GP, Profession.JUNIOR_DOCTOR)


@rule("nav.task_queue")
def _nurses(user, obj) -> bool:
    return user.profession in (Profession.ASALEE_NURSE, Profession.APN_NURSE, Profession.NURSE)


# --- Scheduling: the shared agenda (issue 4) ---------------------------------------
# ``obj`` is the Staff whose agenda is concerned, or an object with a ``staff`` (an
# Appointment, an Absence); None asks "may they do it in at least one agenda?".

#: Book, move and cancel in every agenda (they are on the phone for the whole team).
_BOOK_FOR_ALL = frozenset({Profession.SECRETARY, Profession.COORDINATOR})
#: Read the agenda only.
_AGENDA_READ_ONLY = frozenset({Profession.STUDENT, Profession.HEALTH_MEDIATOR})


def _agenda_owner(obj):
    return getattr(obj, "staff", None) or obj


@rule("agenda.view")
def _agenda_view(user, obj) -> bool:
    return True


@rule("agenda.book", "appointment.manage")
def _agenda_manage(user, obj) -> bool:
    if user.profession in _BOOK_FOR_ALL:
        return True
    if user.profession in _AGENDA_READ_ONLY:
        return False
    owner = _agenda_owner(obj)
    if owner is None or owner.id == user.id:
        return True
    if user.profession == Profession.MEDICAL_ASSISTANT:
        return owner.id in {gp.id for gp in user.assisted_gps}
    # A maître de stage manages the agenda of the docteur junior they supervise.
    return user.profession == Profession.GP and owner.supervisor_id == user.id


@rule("appointment.patient")
def _appointment_patient(user, obj) -> bool:
    """Who the patient of an appointment is: a student sees it on their own only."""
    if user.profession != Profession.STUDENT:
        return True
    return obj is not None and obj.staff_id == user.id


@rule("agenda.templates")
def _agenda_templates(user, obj) -> bool:
    return user.is_admin


@rule("absence.manage")
def _absence_manage(user, obj) -> bool:
    if user.is_admin or user.profession in _BOOK_FOR_ALL:
        return True
    owner = _agenda_owner(obj)
    return owner is not None and owner.id == user.id and user.profession not in _AGENDA_READ_ONLY


@rule("junior.acts")
def _junior_acts(user, obj) -> bool:
    """The docteur junior's monthly count of acts: themself, their supervisor, admins."""
    owner = _agenda_owner(obj)
    if owner is None:
        return False
    return user.is_admin or owner.id == user.id or owner.supervisor_id == user.id


# --- Patients: identity, shared file, médecin traitant (issue 3) ---------------------
# ``obj`` is a Patient, or an object with a ``patient`` (a FileEntry, a
# RegistrationRequest, a ReferralLetter); None asks "may they do it for some patient?".
# Professions alone decide: the admin flag grants no access to patients' data.

#: Register patients, record objections and declarations; never clinical data.
_PATIENT_DESK = frozenset(
    {Profession.SECRETARY, Profession.HEALTH_MEDIATOR, Profession.MEDICAL_ASSISTANT}
)
#: Take a patient's request to a GP as médecin traitant.
_REQUEST_INTAKE = frozenset(
    {
        Profession.SECRETARY,
        Profession.HEALTH_MEDIATOR,
        Profession.MEDICAL_ASSISTANT,
        Profession.GP,
    }
)


def _patient_of(obj):
    return getattr(obj, "patient", None) or obj


def _reaches(user, obj) -> bool:
    """A student reaches only the patients they have an appointment with."""
    from umpro.patients.relations import reaches

    patient = _patient_of(obj)
    return patient is None or reaches(user, patient)


@rule("patient.view_admin")
def _patient_view_admin(user, obj) -> bool:
    """Identity, contacts, declarations, requests: the whole team."""
    return _reaches(user, obj)


@rule("patient.edit", "patient.sharing_objection", "declaration.manage")
def _patient_edit(user, obj) -> bool:
    return user.profession in _PATIENT_DESK or (
        is_clinician(user) and user.profession != Profession.STUDENT
    )


@rule("patient.view_clinical", "file_entry.create_clinical")
def _patient_clinical(user, obj) -> bool:
    """Clinical entries: clinicians only (each entry still passes ``file_entry.view``)."""
    return is_clinician(user) and _reaches(user, obj)


@rule("file_entry.create_admin")
def _file_entry_create_admin(user, obj) -> bool:
    return _reaches(user, obj)


@rule("file_entry.view")
def _file_entry_view(user, entry) -> bool:
    """While the patient objects to team sharing, a clinical entry is visible only to its
    author and to the patient's médecin traitant (see docs/patients.md)."""
    if entry is None:
        return False
    if not entry.is_clinical:
        return _reaches(user, entry)
    if not _patient_clinical(user, entry):
        return False
    patient = entry.patient
    if patient.active_objection is None or entry.author_id == user.id:
        return True
    declaration = patient.current_declaration
    return declaration is not None and declaration.gp_id == user.id


@rule("file_entry.correct")
def _file_entry_correct(user, entry) -> bool:
    """Only the author corrects or strikes out their entry, and only its last version."""
    return (
        entry is not None
        and entry.author_id == user.id
        and entry.is_current
        and not entry.is_entered_in_error
        and _file_entry_view(user, entry)
    )


@rule("registration_request.create")
def _registration_create(user, obj) -> bool:
    return user.profession in _REQUEST_INTAKE and _reaches(user, obj)


@rule("registration_request.list")
def _registration_list(user, obj) -> bool:
    return user.profession != Profession.STUDENT


@rule("registration_request.decide")
def _registration_decide(user, request) -> bool:
    """Accept or decline: the GP who was asked, and only them."""
    return request is not None and request.gp_id == user.id


@rule("registration_request.withdraw")
def _registration_withdraw(user, request) -> bool:
    return request is not None and (request.gp_id == user.id or user.profession in _REQUEST_INTAKE)


@rule("referral_letter.write")
def _referral_letter_write(user, obj) -> bool:
    return user.profession in (Profession.GP, Profession.JUNIOR_DOCTOR) and _reaches(user, obj)


# --- Calendars: iCal feeds and .ics files (issue 7) -------------------------------------
# A feed leaves the server for a third-party calendar host: patient names travel only at
# the "full" level, and only for professions that see them in the agenda anyway.

#: Professions that may hold a feed showing patients' full names.
_FEED_FULL_DETAIL = CLINICIANS | {Profession.SECRETARY}


@rule("calendars.full_detail")
def _calendars_full_detail(user, obj) -> bool:
    return user.profession in _FEED_FULL_DETAIL


@rule("calendars.feeds", "calendars.appointment_ics")
def _calendars_own(user, obj) -> bool:
    """Subscribe to one's own agenda; download an appointment's .ics (no patient name)."""
    return True


@rule("calendars.manage_all")
def _calendars_manage_all(user, obj) -> bool:
    """Feeds of a colleague, a room or the practice; every feed of the practice."""
    return user.is_admin


@rule("calendars.feed.manage")
def _calendars_feed_manage(user, feed) -> bool:
    """Revoke or renew a feed: its owner, or an admin."""
    return user.is_admin or (feed is not None and feed.owner_id == user.id)


# --- Jobs: scheduled jobs and appointment reminders (issue 5) --------------------------
# "jobs.manage" (the admin page "Tâches planifiées", run a job now) is a Foundation rule
# above. ``obj`` is the Patient whose reminders are concerned.


@rule("reminders.view")
def _reminders_view(user, patient) -> bool:
    """A patient's reminders and opt-outs: whoever sees the patient's contacts."""
    return can(user, "patient.view_admin", patient)


@rule("reminders.opt_out")
def _reminders_opt_out(user, patient) -> bool:
    """Record or withdraw a patient's refusal of reminders: whoever edits their contacts."""
    return can(user, "patient.edit", patient)


# --- Delegation: protocols, consents, care tasks, supervision (issue 6) ----------------
# ``obj`` is a Protocol, a Patient (consents, hand-off), a CareTask or a FileEntry
# (supervision). The state machine (umpro/delegation/states.py) names, for each move, the
# role it needs; the ``care_task.<role>`` rules below say who holds it. Whether a
# membership is valid on the day is a domain rule checked by the delegation services.

#: Hand tasks off under a protocol (each protocol narrows it further).
_DELEGATING = frozenset({Profession.GP, Profession.JUNIOR_DOCTOR})
#: Take tasks from the queue (each protocol and membership narrows it further).
_DELEGATES = frozenset({Profession.ASALEE_NURSE, Profession.APN_NURSE, Profession.NURSE})


@rule("protocol.view", "nav.protocols")
def _protocol_view(user, obj) -> bool:
    return user.is_admin or user.profession in _DELEGATING | _DELEGATES


@rule("protocol.manage", "membership.manage")
def _protocol_manage(user, obj) -> bool:
    return user.is_admin


@rule("indicators.view")
def _indicators_view(user, obj) -> bool:
    """Aggregates without patient data: admins and the professionals of the protocols."""
    return user.is_admin or user.profession in _DELEGATING | _DELEGATES


@rule("consent.view", "consent.record")
def _consent(user, patient) -> bool:
    """Informing the patient and recording consent: the doctors and the delegates."""
    return user.profession in _DELEGATING | _DELEGATES and _reaches(user, patient)


@rule("care_task.create")
def _care_task_create(user, patient) -> bool:
    return user.profession in _DELEGATING and _reaches(user, patient)


@rule("care_task.view")
def _care_task_view(user, task) -> bool:
    """The task's requester and owner; the team's doctors and delegates otherwise, except
    while the patient objects to sharing (then also the médecin traitant only)."""
    if task is None:
        return user.profession in _DELEGATING | _DELEGATES
    if user.id in (task.requester_id, task.owner_id):
        return True
    if user.profession not in _DELEGATING | _DELEGATES:
        return False
    patient = task.patient
    if patient.active_objection is None:
        return True
    declaration = patient.current_declaration
    return declaration is not None and declaration.gp_id == user.id


@rule("care_task.requester")
def _care_task_requester(user, task) -> bool:
    return task is not None and task.requester_id == user.id


@rule("care_task.owner")
def _care_task_owner(user, task) -> bool:
    return task is not None and task.owner_id is not None and task.owner_id == user.id


@rule("care_task.delegate")
def _care_task_delegate(user, task) -> bool:
    """A profession the task's protocol delegates to (the service checks the membership)."""
    return task is not None and user.profession in (task.protocol.delegate_professions or [])


@rule("adverse_event.report", "satisfaction.record")
def _care_task_quality(user, task) -> bool:
    return task is not None and user.id in (task.requester_id, task.owner_id)


@rule("supervision.view")
def _supervision_view(user, obj) -> bool:
    """The maître de stage's review queue (empty for a GP who supervises nobody)."""
    return user.profession == Profession.GP


@rule("supervision.review")
def _supervision_review(user, entry) -> bool:
    return (
        entry is not None
        and user.profession == Profession.GP
        and entry.author.profession == Profession.JUNIOR_DOCTOR
        and entry.author.supervisor_id == user.id
    )


# --- Reports: patient-list growth (issue 13) -------------------------------------------
# ``obj`` is the GP (Staff) whose figures or worklists are concerned; None asks "their
# own?". ``can`` already refuses another practice's GP. The coordinator (admin) steers
# the practice's growth with the Assurance maladie: they see every GP.

#: Administrative worklists (ALD patients without a médecin traitant, pending requests):
#: identity and declarations only, the desk's daily work (docs/domain.md §1).
_ADMIN_WORKLISTS = frozenset(
    {
        Profession.GP,
        Profession.SECRETARY,
        Profession.HEALTH_MEDIATOR,
        Profession.MEDICAL_ASSISTANT,
    }
)


@rule("reports.patient_list", "reports.target.manage")
def _reports_patient_list(user, gp) -> bool:
    """A GP's figures, target and own worklists: that GP, and the coordinator."""
    if user.is_admin:
        return True
    return user.profession == Profession.GP and (gp is None or gp.id == user.id)


@rule("reports.team")
def _reports_team(user, obj) -> bool:
    return user.is_admin


@rule("reports.worklists_admin")
def _reports_worklists_admin(user, obj) -> bool:
    return user.is_admin or user.profession in _ADMIN_WORKLISTS


@rule("nav.reports")
def _reports_nav(user, obj) -> bool:
    return _reports_patient_list(user, None) or _reports_worklists_admin(user, None)


# --- Same-day care: holds, desk screen, SAS regulation, figures (issue 12) -------------
# ``obj`` is the Staff whose agenda or policy is concerned; None means the practice.

#: Take same-day demand at the desk (phone, desk, walk-in).
_SAMEDAY_DESK = frozenset(
    {Profession.SECRETARY, Profession.COORDINATOR, Profession.MEDICAL_ASSISTANT, Profession.GP}
)


@rule("holds.manage")
def _holds_manage(user, obj) -> bool:
    """The practice default: admins. A staff member's policy: admins and the GP
    themself (nurses, students and the regulator never)."""
    if user.is_admin:
        return True
    owner = _agenda_owner(obj) if obj is not None else None
    return owner is not None and owner.id == user.id and user.profession == Profession.GP


@rule("holds.page")
def _holds_page(user, obj) -> bool:
    """Open the hold-policy page: whoever may change at least one policy (an admin, or a
    GP their own)."""
    return _holds_manage(user, None) or _holds_manage(user, user)


@rule("agenda.regulate")
def _agenda_regulate(user, obj) -> bool:
    """Book with source ``regulator``: the SAS operator's account, in any clinician's
    agenda (the 48 h and SAS-hours rules are the booking service's)."""
    return user.profession == Profession.REGULATOR


@rule("appointment.create")
def _appointment_create(user, obj) -> bool:
    return _agenda_manage(user, obj) or _agenda_regulate(user, obj)


@rule("sameday.desk", "nav.sameday")
def _sameday_desk(user, obj) -> bool:
    return user.profession in _SAMEDAY_DESK


@rule("reports.unscheduled")
def _reports_unscheduled(user, obj) -> bool:
    return user.is_admin or user.profession in (Profession.GP, Profession.COORDINATOR)


# --- The access log: who saw a patient's file (issue 15) --------------------------------


@rule("access_log.patient_names")
def _access_log_patient_names(user, obj) -> bool:
    """Names, not only numbers, of the patients in the journal: an admin answering a
    patient's request (RGPD art. 15, CSP L1110-4) must find the patient, and already sees
    the team's patients; not a student (who reaches only their own patients) nor the SAS
    regulator (who sees no patient data of the practice)."""
    return user.is_admin and user.profession not in (Profession.STUDENT, Profession.REGULATOR)


@rule("patient.access_history")
def _patient_access_history(user, patient) -> bool:
    """Who saw this file: the patient's médecin traitant, who coordinates their care and
    is the one they ask (CSP L1110-4: the patient may learn who accessed their file), and
    the practice's admins (the controller's duty under RGPD art. 15). Not every colleague:
    the list also shows each colleague's activity (CNIL: monitoring staff stays
    proportionate)."""
    if _access_log_patient_names(user, None):
        return True
    if user.profession != Profession.GP or patient is None:
        return False
    declaration = _patient_of(patient).current_declaration
    return declaration is not None and declaration.gp_id == user.id


# --- Médecin traitant: who ends or changes a declaration (issue 15 §7) ------------------
# The declaration is the patient's choice and their GP's agreement (CSS art. L162-5-3;
# the "déclaration de choix du médecin traitant" is signed by both). So:
# - ending it: the patient (in writing, or by choosing another GP) or the GP concerned,
#   who may stop being médecin traitant. In the team, that is the GP named in the current
#   declaration, or the secretary who records the patient's own written choice (or a
#   death, a move) at the desk. The medical assistant and the health mediator help the
#   patient with the paperwork but do not record the end of the patient/GP relation; the
#   other GPs, the junior doctor, nurses and students are not party to it.
# - changing it (a transfer): the same, plus the new GP, who agrees by taking the patient
#   on (accepting a registration request records the transfer in their name).
# Declaring a first médecin traitant stays ``declaration.manage`` (the desk and
# clinicians record the signed form).
_DECLARATION_DESK = frozenset({Profession.SECRETARY})


def _gp_concerned(user, patient) -> bool:
    declaration = getattr(patient, "current_declaration", None) if patient else None
    return (
        user.profession == Profession.GP
        and declaration is not None
        and declaration.gp_id == user.id
    )


@rule("declaration.end")
def _declaration_end(user, patient) -> bool:
    """``patient`` a Patient (None: "may they end some patient's declaration?")."""
    if user.profession in _DECLARATION_DESK:
        return True
    if patient is None:
        return user.profession == Profession.GP
    return _gp_concerned(user, patient)


@rule("declaration.transfer")
def _declaration_transfer(user, obj) -> bool:
    """``obj`` a ``DeclarationChange`` (the patient and the new GP: may they record this
    one?), or a Patient / None (may the page offer the change? to the desk and the GPs:
    the current GP, or another who takes the patient on)."""
    if user.profession in _DECLARATION_DESK:
        return True
    if user.profession != Profession.GP:
        return False
    if isinstance(obj, DeclarationChange):
        return obj.gp_id == user.id or _gp_concerned(user, obj.patient)
    return True


class DeclarationChange:
    """A transfer asked for: the patient and the new GP (``declaration.transfer``)."""

    def __init__(self, patient, gp_id):
        self.patient = patient
        self.gp_id = gp_id
        self.practice_id = patient.practice_id


@rule("supervision.own")
def _supervision_own(user, obj) -> bool:
    """A docteur junior sees which of their own consultations the maître de stage has
    reviewed (the supervision of the third cycle's last phase: the junior knows what was
    checked, and what still waits)."""
    return user.profession == Profession.JUNIOR_DOCTOR


# --- Delegation: the protocols one may hand off under (issue 10) ------------------------
# A protocole de coopération (art. L. 4011-4 of the Code de la santé publique; for Asalée
# and the national protocols, the arrêté that authorises it) names the professions of the
# délégants: only they may hand a task off under it, whatever their other rights. The
# hand-off page offers only those protocols; the services refuse the others.


@rule("protocol.hand_off")
def _protocol_hand_off(user, protocol) -> bool:
    return protocol is not None and user.profession in (protocol.delegating_professions or [])
