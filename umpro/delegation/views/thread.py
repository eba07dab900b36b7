"""The steps of one hand-off, shown on top of its page: request → acceptance → sessions →
results → GP review → follow-up."""

from dataclasses import dataclass

from umpro.delegation import states

DONE, CURRENT, TODO, STOPPED = "done", "current", "todo", "stopped"
STATE_LABELS = {DONE: "fait", CURRENT: "en cours", TODO: "à venir", STOPPED: "interrompu"}


@dataclass(frozen=True)
class Step:
    label: str
    state: str
    detail: str = ""

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


def _last(events, **match):
    found = [e for e in events if all(getattr(e, k) == v for k, v in match.items())]
    return found[-1] if found else None


def steps_of(task, events, links) -> list[Step]:
    """Each step is done, current, to come, or stopped (rejected, cancelled, failed)."""
    stopped = task.status in (
        states.REJECTED,
        states.CANCELLED,
        states.FAILED,
        states.ENTERED_IN_ERROR,
    )
    accepted = _last(events, kind="transition", to_status=states.ACCEPTED)
    sessions = [link for link in links if link.purpose == "session"]
    follow_ups = [link for link in links if link.purpose == "follow_up"]
    steps = [Step("Demande", DONE, f"par {task.requester.display_name}")]
    if task.status == states.REJECTED:
        rejected = _last(events, to_status=states.REJECTED)
        who = rejected.actor.display_name if rejected and rejected.actor else ""
        steps.append(Step("Acceptation", STOPPED, f"refusée par {who}".strip()))
    elif task.owner is not None or accepted is not None:
        name = task.owner.display_name if task.owner else accepted.actor.display_name
        steps.append(Step("Acceptation", DONE, name))
    else:
        steps.append(Step("Acceptation", STOPPED if stopped else CURRENT, "dans la file"))
    if sessions:
        steps.append(Step("Séances", DONE, f"{len(sessions)} réservée(s)"))
    elif task.results_recorded_at:
        steps.append(Step("Séances", DONE, "sans rendez-vous dans l'agenda"))
    else:
        in_hand = task.status in states.OWNED_STATUSES
        steps.append(Step("Séances", CURRENT if in_hand else (STOPPED if stopped else TODO)))
    if task.results_recorded_at:
        detail = "signe d'alerte : reprise" if task.red_flags_raised else "enregistrés"
        steps.append(Step("Résultats", DONE, detail))
    else:
        current = task.status == states.IN_PROGRESS
        steps.append(Step("Résultats", CURRENT if current else (STOPPED if stopped else TODO)))
    if task.acknowledged_at:
        steps.append(Step("Revue du médecin", DONE, "pris en compte"))
    elif task.inbox_at:
        steps.append(Step("Revue du médecin", CURRENT, task.inbox_label))
    else:
        steps.append(Step("Revue du médecin", TODO))
    if follow_ups:
        steps.append(Step("Suivi", DONE, "rendez-vous réservé"))
    else:
        steps.append(Step("Suivi", TODO))
    return steps
