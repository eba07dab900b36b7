"""Professions of the team (docs/domain.md §1) with their French labels."""

from enum import StrEnum


class Profession(StrEnum):
    GP = "gp"
    JUNIOR_DOCTOR = "junior_doctor"
    MEDICAL_ASSISTANT = "medical_assistant"
    ASALEE_NURSE = "asalee_nurse"
    APN_NURSE = "apn_nurse"
    NURSE = "nurse"
    SECRETARY = "secretary"
    HEALTH_MEDIATOR = "health_mediator"
    STUDENT = "student"
    COORDINATOR = "coordinator"
    #: SAS operator outside the practice: books within 48 h, sees no clinical data.
    REGULATOR = "regulator"


LABELS = {
    Profession.GP: "Médecin généraliste",
    Profession.JUNIOR_DOCTOR: "Docteur junior",
    Profession.MEDICAL_ASSISTANT: "Assistant médical",
    Profession.ASALEE_NURSE: "Infirmière Asalée",
    Profession.APN_NURSE: "Infirmière en pratique avancée",
    Profession.NURSE: "Infirmière",
    Profession.SECRETARY: "Secrétaire",
    Profession.HEALTH_MEDIATOR: "Médiateur en santé",
    Profession.STUDENT: "Étudiant",
    Profession.COORDINATOR: "Coordinateur",
    Profession.REGULATOR: "Régulateur du SAS",
}

#: Professions that hold an RPPS number and may see clinical data.
CLINICIANS = frozenset(
    {
        Profession.GP,
        Profession.JUNIOR_DOCTOR,
        Profession.MEDICAL_ASSISTANT,
        Profession.ASALEE_NURSE,
        Profession.APN_NURSE,
        Profession.NURSE,
        Profession.STUDENT,
    }
)
NURSES = frozenset({Profession.ASALEE_NURSE, Profession.APN_NURSE, Profession.NURSE})
#: Professions with a supervisor (maître de stage).
SUPERVISED = frozenset({Profession.JUNIOR_DOCTOR, Profession.STUDENT})


def label(profession: str) -> str:
    return LABELS.get(Profession(profession), profession)
