"""A GP's patient-list target: record it, and measure the progress towards it."""

import math
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from umpro.acting import Acting
from umpro.errors import Invalid
from umpro.reports.models import PatientListTarget
from umpro.reports.services import figures as fig
from umpro.team.models import Staff
from umpro.team.professions import Profession
from umpro.timeutil import local_today

#: The contract grid asks about +4 % to +35 % by year 3; anything beyond is a typo.
MAX_PERCENT = 100
MAX_GAIN = 3000
MAX_YEARS = 5


@dataclass(frozen=True)
class TargetInput:
    gp_id: int | None
    baseline_on: date | None
    deadline_on: date | None
    target_percent: float | None = None
    #: Patients to gain (instead of a percentage).
    target_gain: int | None = None
    #: The list on the baseline date; computed from history when left empty.
    baseline_value: int | None = None
    with_assistant: bool = False


def gp_of_practice(session: Session, *, actor, gp_id: int | None, field: str = "gp_id") -> Staff:
    """The GP ``gp_id`` of ``actor``'s practice; refuses anyone else, in French."""
    gp = session.get(Staff, gp_id) if gp_id else None
    if gp is None or gp.practice_id != actor.practice_id or gp.profession != Profession.GP:
        raise Invalid("Choisissez un médecin généraliste de la maison de santé.", field=field)
    return gp


def set_target(session: Session, *, acting: Acting, data: TargetInput) -> PatientListTarget:
    """Record a GP's commitment (callers hold ``reports.target.manage`` on the GP).

    Refuses a GP of another practice, a baseline date in the future, a deadline not
    after the baseline or more than five years later, and a target outside sensible
    bounds (a percentage over 0 and up to 100, a gain of 1 to 3 000 patients)."""
    gp = gp_of_practice(session, actor=acting.actor, gp_id=data.gp_id)
    today = local_today(acting.actor.practice.timezone, acting.now)
    if data.baseline_on is None:
        raise Invalid("Indiquez la date de référence.", field="baseline_on")
    if data.baseline_on > today:
        raise Invalid("La date de référence ne peut pas être dans le futur.", field="baseline_on")
    if data.deadline_on is None or data.deadline_on <= data.baseline_on:
        raise Invalid("L'échéance doit suivre la date de référence.", field="deadline_on")
    if data.deadline_on > fig.years_before(data.baseline_on, -MAX_YEARS):
        raise Invalid(
            f"L'échéance est à plus de {MAX_YEARS} ans de la date de référence.",
            field="deadline_on",
        )
    if (data.target_percent is None) == (data.target_gain is None):
        raise Invalid(
            "Indiquez l'objectif soit en pourcentage, soit en nombre de patients.",
            field="target_percent",
        )
    baseline = data.baseline_value
    if baseline is None:
        stocks = fig.figures_on(session, practice=gp.practice, gp_ids=[gp.id], day=data.baseline_on)
        baseline = stocks[gp.id].patient_list
    if baseline < 0 or baseline > 10_000:
        raise Invalid("La patientèle de référence doit être comprise entre 0 et 10 000.",
                      field="baseline_value")  # fmt: skip
    if data.target_percent is not None:
        if not 0 < data.target_percent <= MAX_PERCENT:
            raise Invalid(
                f"L'objectif doit être compris entre 0 et {MAX_PERCENT} % de hausse.",
                field="target_percent",
            )
        if baseline == 0:
            raise Invalid(
                "Sans patientèle de référence, fixez l'objectif en nombre de patients.",
                field="target_percent",
            )
        gain = max(1, math.ceil(baseline * data.target_percent / 100))
    else:
        gain = data.target_gain
        if not 1 <= gain <= MAX_GAIN:
            raise Invalid(
                f"L'objectif doit être un gain de 1 à {MAX_GAIN} patients.", field="target_gain"
            )
    target = PatientListTarget(
        practice_id=gp.practice_id,
        gp_id=gp.id,
        baseline_on=data.baseline_on,
        baseline_value=baseline,
        target_percent=data.target_percent,
        target_value=baseline + gain,
        deadline_on=data.deadline_on,
        with_assistant=data.with_assistant,
        recorded_by_id=acting.actor.id,
        created_at=acting.now,
    )
    session.add(target)
    session.flush()
    return target


def current_targets(session: Session, *, gp_ids: list[int]) -> dict[int, PatientListTarget]:
    """Each GP's latest target (one query)."""
    if not gp_ids:
        return {}
    rows = session.scalars(
        select(PatientListTarget)
        .where(PatientListTarget.gp_id.in_(gp_ids))
        .order_by(PatientListTarget.created_at, PatientListTarget.id)
    )
    return {t.gp_id: t for t in rows}


AHEAD, ON_TRACK, BEHIND, REACHED = "ahead", "on_track", "behind", "reached"
STATUS_LABELS = {
    AHEAD: "En avance",
    ON_TRACK: "Dans les temps",
    BEHIND: "En retard",
    REACHED: "Objectif atteint",
}


@dataclass
class Progress:
    target: PatientListTarget
    current: int
    on: date
    #: Share of the promised gain achieved, 0 … 1 (may exceed 1).
    done_share: float
    #: The date the target is reached at the pace since the baseline; None without growth.
    projected_on: date | None
    status: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def remaining(self) -> int:
        return max(0, self.target.target_value - self.current)


def progress(target: PatientListTarget, *, current: int, on: date) -> Progress:
    """Where the GP stands on ``on`` with ``current`` patients, and when, at the pace
    since the baseline, the target would be reached: ahead when a month or more before
    the deadline, on track up to the deadline, behind after it (or without growth)."""
    promised = target.target_value - target.baseline_value
    gained = current - target.baseline_value
    done = gained / promised if promised else 1.0
    elapsed = (on - target.baseline_on).days
    projected = None
    if current >= target.target_value:
        status = REACHED
    else:
        if elapsed > 0 and gained > 0:
            days_left = math.ceil((target.target_value - current) * elapsed / gained)
            projected = on + timedelta(days=days_left)
        if projected is None or projected > target.deadline_on:
            status = BEHIND
        elif projected <= target.deadline_on - timedelta(days=30):
            status = AHEAD
        else:
            status = ON_TRACK
    return Progress(target, current, on, round(done, 3), projected, status)
