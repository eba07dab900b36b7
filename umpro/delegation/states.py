"""The care task's state machine, after FHIR Task.status: the ONE table of allowed
transitions and who may make each.

``by`` names a role relative to the task; ``umpro.auth.permissions`` decides who holds it
(rules ``care_task.requester``, ``care_task.owner``, ``care_task.delegate``). The service
``services.transitions.transition`` is the only code that changes a task's status.
"""

from dataclasses import dataclass

REQUESTED, ACCEPTED, REJECTED = "requested", "accepted", "rejected"
IN_PROGRESS, ON_HOLD, COMPLETED = "in-progress", "on-hold", "completed"
FAILED, CANCELLED, ENTERED_IN_ERROR = "failed", "cancelled", "entered-in-error"

STATUSES = {
    REQUESTED: "Demandée",
    ACCEPTED: "Acceptée",
    REJECTED: "Refusée",
    IN_PROGRESS: "En cours",
    ON_HOLD: "En attente",
    COMPLETED: "Terminée",
    FAILED: "Échec",
    CANCELLED: "Annulée",
    ENTERED_IN_ERROR: "Saisie par erreur",
}
#: Statuses in which the task still needs someone: it may become overdue.
OPEN_STATUSES = (REQUESTED, ACCEPTED, IN_PROGRESS, ON_HOLD)
#: Statuses held by the delegate who took the task.
OWNED_STATUSES = (ACCEPTED, IN_PROGRESS, ON_HOLD)
TERMINAL_STATUSES = (REJECTED, COMPLETED, FAILED, CANCELLED, ENTERED_IN_ERROR)

#: FHIR request priorities, most pressing first.
PRIORITIES = {"asap": "Dès que possible", "urgent": "Urgente", "routine": "Programmée"}
PRIORITY_RANK = {"asap": 0, "urgent": 1, "routine": 2}

#: Why a task waits in the requesting GP's inbox; escalations come first.
INBOX_REASONS = {
    "escalation": "Reprise : signe d'alerte",
    "rejection": "Tâche refusée",
    "failure": "Échec de la prise en charge",
    "cancellation": "Tâche annulée",
    "results": "Résultats à prendre en compte",
}
INBOX_RANK = {"escalation": 0, "rejection": 1, "failure": 2, "cancellation": 3, "results": 4}

ROLES = {
    "requester": "le médecin qui a confié la tâche",
    "owner": "le professionnel qui a accepté la tâche",
    "delegate": "un professionnel adhérent au protocole",
}


@dataclass(frozen=True)
class Move:
    source: str
    target: str
    verb: str
    label: str
    by: str
    needs_reason: bool = False
    needs_results: bool = False
    #: The task then waits in the requester's inbox for this reason.
    inbox: str | None = None


MOVES: tuple[Move, ...] = (
    Move(REQUESTED, ACCEPTED, "accept", "Accepter", "delegate"),
    Move(REQUESTED, REJECTED, "reject", "Refuser", "delegate", True, inbox="rejection"),
    Move(REQUESTED, CANCELLED, "cancel", "Annuler la demande", "requester", True),
    Move(ACCEPTED, IN_PROGRESS, "start", "Commencer la prise en charge", "owner"),
    Move(ACCEPTED, REQUESTED, "release", "Remettre dans la file", "owner", True),
    Move(ACCEPTED, CANCELLED, "cancel", "Annuler la demande", "requester", True),
    Move(IN_PROGRESS, ON_HOLD, "hold", "Mettre en attente", "owner", True),
    Move(IN_PROGRESS, COMPLETED, "complete", "Terminer", "owner", needs_results=True),
    Move(IN_PROGRESS, FAILED, "fail", "Déclarer un échec", "owner", True, inbox="failure"),
    Move(IN_PROGRESS, CANCELLED, "cancel", "Annuler la demande", "requester", True),
    Move(ON_HOLD, IN_PROGRESS, "resume", "Reprendre la prise en charge", "owner"),
    Move(ON_HOLD, FAILED, "fail", "Déclarer un échec", "owner", True, inbox="failure"),
    Move(ON_HOLD, CANCELLED, "cancel", "Annuler la demande", "requester", True),
    *(
        Move(source, ENTERED_IN_ERROR, "error", "Marquer « saisie par erreur »", "requester", True)
        for source in STATUSES
        if source != ENTERED_IN_ERROR
    ),
)
_BY_PAIR = {(m.source, m.target): m for m in MOVES}


def move_for(source: str, target: str) -> Move | None:
    """The allowed move from ``source`` to ``target``, or None."""
    return _BY_PAIR.get((source, target))


def moves_from(source: str) -> list[Move]:
    return [m for m in MOVES if m.source == source]


def label(status: str) -> str:
    return STATUSES.get(status, status)
