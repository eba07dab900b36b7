"""Demo patient-list history: three years of fulfilled consultations, past requests,
the GPs' targets and the month-end snapshots, so the Patientèle charts look like a
real practice's on first start.

The declarations themselves come from the patients demo (spread over twelve years,
with transfers and ends). Past appointments are bulk-inserted: they keep the rules
(no two at the same time for one GP or one patient; no room, hence no room clash), and
the booking service refuses the past by design.
"""

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from umpro.acting import Acting
from umpro.patients.models import DECLINE_REASONS, Patient, RegistrationRequest, TreatingDeclaration
from umpro.reports.models import PatientListTarget
from umpro.reports.services import figures as fig
from umpro.reports.services import snapshots, targets
from umpro.scheduling.demo import HOLD_HISTORY_DAYS
from umpro.scheduling.models import FULFILLED, NOSHOW, Appointment, AppointmentType
from umpro.team.models import Staff
from umpro.timeutil import local_to_utc, local_today

SEED = 20_261_126
YEARS = 3
#: GP keys and their commitment (percentage over three years), with a medical assistant.
TARGETS = {"claire.martin": 12.0, "karim.benali": 20.0}


def load(session: Session, *, practice, members: dict[str, Staff], now: datetime) -> None:
    """Once per practice: nothing happens when a target already exists."""
    if session.scalar(
        select(PatientListTarget.id).where(PatientListTarget.practice_id == practice.id).limit(1)
    ):
        return
    gps = [m for m in members.values() if m.profession == "gp"]
    kind = session.scalar(
        select(AppointmentType).where(
            AppointmentType.practice_id == practice.id, AppointmentType.label == "Consultation"
        )
    )
    if not gps or kind is None:
        return
    rng = random.Random(SEED)
    today = local_today(practice.timezone, now)
    _consultations(session, rng, practice, gps, kind, today, now)
    _past_requests(session, rng, practice, gps, members, today)
    for key, percent in TARGETS.items():
        gp = members.get(key)
        if gp is None:
            continue
        baseline_on = fig.add_months(today, -20)
        targets.set_target(
            session,
            acting=Acting(gp, now),
            data=targets.TargetInput(
                gp_id=gp.id,
                baseline_on=baseline_on,
                deadline_on=fig.years_before(baseline_on, -YEARS),
                target_percent=percent,
                with_assistant=True,
            ),
        )
    # Month ends for the series (today is computed live), and yesterday for the job.
    for month in fig.months_between(fig.add_months(today, -fig.MAX_MONTHS), today):
        day = min(fig.month_end(month), today - timedelta(days=1))
        snapshots.snapshot_day(session, practice=practice, day=day, now=now)


def _consultations(session, rng, practice, gps, kind, today: date, now: datetime) -> None:
    """Fulfilled consultations (and a few no-shows) of each declared patient with their
    GP, every three to six months over three years; before the agenda demo's weeks and
    its same-day history (held slots used at the desk over the last weeks)."""
    first = fig.years_before(today, YEARS)
    last = today - timedelta(days=HOLD_HISTORY_DAYS + 7)
    declarations = session.execute(
        select(
            TreatingDeclaration.patient_id,
            TreatingDeclaration.gp_id,
            TreatingDeclaration.start_on,
            TreatingDeclaration.end_on,
        )
        .where(TreatingDeclaration.practice_id == practice.id)
        .order_by(TreatingDeclaration.id)
    ).all()
    taken: set[tuple[int, date, int]] = set()
    seen_patient_days: set[tuple[int, date]] = set()
    rows = []
    gp_ids = [g.id for g in gps]
    for patient_id, gp_id, start_on, end_on in declarations:
        day = max(first, start_on) + timedelta(days=rng.randint(0, 60))
        stop = min(last, end_on or last)
        while day <= stop:
            # A visit now and then with a colleague (file active of several GPs).
            staff_id = gp_id if rng.random() > 0.1 else rng.choice(gp_ids)
            _add(rows, taken, seen_patient_days, rng, practice, kind, staff_id, patient_id, day,
                 now)  # fmt: skip
            day += timedelta(days=rng.randint(90, 180))
    # Patients seen often by a GP who is not their médecin traitant (a worklist).
    undeclared = session.scalars(
        select(Patient.id)
        .where(Patient.practice_id == practice.id)
        .where(~Patient.id.in_(select(TreatingDeclaration.patient_id)))
        .order_by(Patient.id)
        .limit(15)
    ).all()
    for patient_id in undeclared:
        staff_id = rng.choice(gp_ids)
        for _ in range(3):
            day = last - timedelta(days=rng.randint(0, 300))
            _add(rows, taken, seen_patient_days, rng, practice, kind, staff_id, patient_id, day,
                 now)  # fmt: skip
    if rows:
        session.execute(insert(Appointment), rows)


def _add(rows, taken, seen_patient_days, rng, practice, kind, staff_id, patient_id, day, now):
    while day.weekday() >= 5:
        day += timedelta(days=1)
    if (patient_id, day) in seen_patient_days:
        return
    for _ in range(20):
        slot = rng.randint(0, 31)  # 15-minute slots from 08:30
        if (staff_id, day, slot) not in taken:
            break
    else:
        return
    taken.add((staff_id, day, slot))
    seen_patient_days.add((patient_id, day))
    minutes = 8 * 60 + 30 + slot * 15
    start = local_to_utc(day, time(minutes // 60, minutes % 60), practice.timezone)
    rows.append(
        {
            "practice_id": practice.id,
            "staff_id": staff_id,
            "patient_id": patient_id,
            "type_id": kind.id,
            "start_at": start,
            "end_at": start + timedelta(minutes=15),
            "status": NOSHOW if rng.random() < 0.04 else FULFILLED,
            "source": rng.choice(["desk", "phone", "phone"]),
            "updated_at": now,
            "created_at": now,
        }
    )


def _past_requests(session, rng, practice, gps, members, today: date) -> None:
    """Declined and withdrawn requests over three years (the accepted ones are the
    declarations themselves): the request figures and the median waiting time."""
    desk = members.get("marie.dubois")
    patients = session.scalars(
        select(Patient.id).where(Patient.practice_id == practice.id).order_by(Patient.id)
    ).all()
    rows = []
    for patient_id in rng.sample(list(patients), min(60, len(patients))):
        received = today - timedelta(days=rng.randint(70, YEARS * 365))
        declined = rng.random() < 0.7
        decided = datetime.combine(
            received + timedelta(days=rng.randint(1, 30)), time(10, 0), tzinfo=UTC
        )
        gp = rng.choice(gps)
        rows.append(
            {
                "practice_id": practice.id,
                "patient_id": patient_id,
                "gp_id": gp.id,
                "received_on": received,
                "channel": rng.choice(["phone", "desk", "conciliator", "mediator"]),
                "status": "declined" if declined else "withdrawn",
                "recorded_by_id": desk.id if desk else None,
                "decided_at": decided,
                "decided_by_id": gp.id if declined else None,
                "decline_reason": rng.choice(list(DECLINE_REASONS)) if declined else "",
                "oriented_to": "CPTS Lyon 3e — cellule médecin traitant" if declined else "",
                "created_at": decided,
            }
        )
    if rows:
        session.execute(insert(RegistrationRequest), rows)
