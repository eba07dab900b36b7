"""Patients domain services (docs/domain.md §3): identity and search, the shared file, the
sharing objection, médecin traitant declarations and requests, referral letters.

Plain functions taking a session and keyword arguments; they check the rules (and the
actor's permission, ``actor=None`` meaning the system: demo data, imports), write the
access log, flush and never commit.
"""

from umpro.patients.services.declarations import (
    declare,
    end_declaration,
    history,
    transfer,
    treating_gp_of,
)
from umpro.patients.services.entries import (
    Timeline,
    add_entry,
    correct_entry,
    get_entry,
    mark_entered_in_error,
    timeline,
)
from umpro.patients.services.identity import (
    PatientInput,
    create_patient,
    get_patient,
    likely_duplicates,
    open_patient,
    update_patient,
)
from umpro.patients.services.letters import (
    create_letter,
    get_letter,
    print_letter,
    record_reply,
)
from umpro.patients.services.registrations import (
    QueueItem,
    create_request,
    decide,
    declined_requests,
    get_request,
    queue,
    requests_of,
)
from umpro.patients.services.search import search_patients
from umpro.patients.services.sharing import (
    SHARING_REFUSED,
    check_sharing_allows,
    lift_objection,
    objection_history,
    print_information_sheet,
    record_objection,
)

__all__ = [
    "SHARING_REFUSED",
    "PatientInput",
    "QueueItem",
    "Timeline",
    "add_entry",
    "check_sharing_allows",
    "correct_entry",
    "create_letter",
    "create_patient",
    "create_request",
    "decide",
    "declare",
    "declined_requests",
    "end_declaration",
    "get_entry",
    "get_letter",
    "get_patient",
    "get_request",
    "history",
    "lift_objection",
    "likely_duplicates",
    "mark_entered_in_error",
    "objection_history",
    "open_patient",
    "print_information_sheet",
    "print_letter",
    "queue",
    "record_objection",
    "record_reply",
    "requests_of",
    "search_patients",
    "timeline",
    "transfer",
    "treating_gp_of",
    "update_patient",
]
