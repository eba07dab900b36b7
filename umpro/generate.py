"""``flask umpro generate``: a large, deterministic practice for benchmarks (docs/architecture.md).

The team, rooms, appointment types, weekly openings and protocols are created through
the services (as the demo), under the demo's names; the volume (patients, declarations,
requests, file entries, care tasks, absences, appointments, held slots, access-log rows)
is written by bulk inserts, in chunks, that keep every rule: appointments are laid out per
staff member and opening, one after the other, a patient at most once a day, so the
overlap constraints and triggers (left on) never fire. The GPs hold a share of each
opening for same-day care (the demo's policy): the held time is left out of the ordinary
bookings and ends used (a same-day appointment), released or lost, as the release job and
the desk would have left it; the held slots of today and the next two days are written
held. The same seed, size and day give the same rows.
"""

import random
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from umpro.acting import Acting
from umpro.auth import audit
from umpro.auth.models import AccessLog
from umpro.db import utcnow
from umpro.delegation import states
from umpro.delegation.models import CareTask, Protocol, ProtocolMembership
from umpro.demo import ROOMS, TEAM
from umpro.errors import Invalid
from umpro.patients.demo import FAMILY_NAMES, GIVEN_F, GIVEN_M, NOTES
from umpro.patients.models import (
    DECLINE_REASONS,
    FileEntry,
    Patient,
    PatientNameToken,
    RegistrationRequest,
    TreatingDeclaration,
)
from umpro.patients.names import name_tokens, sort_key
from umpro.reports.services import snapshots
from umpro.scheduling.models import (
    HELD,
    LOST,
    RELEASED,
    USED,
    Absence,
    Appointment,
    HeldSlot,
)
from umpro.scheduling.services import catalogue, holds, templates
from umpro.scheduling.services.openings import load_template, openings_for
from umpro.team import services as team
from umpro.team.models import Practice, Room, Staff
from umpro.timeutil import local_today

#: Raised whenever the same seed and size give different rows, or the schema changes
#: (benchmarks key their cached databases on it).
VERSION = 4
CHUNK = 5_000
DOMAIN = "umpro-gen.fr"
GP_KEYS = ("claire.martin", "karim.benali", "sophie.lefevre")
DESK_KEY = "marie.dubois"
#: Share of the (unheld) openings booked: a GP's agenda is nearly full.
FILL = 0.96
#: How past appointments ended.
CANCELLED_SHARE, NOSHOW_SHARE = 0.07, 0.04
#: Share of the booked slots that an earlier booking, cancelled, held first (the slot was
#: given to another patient): cancellations that do not leave the agenda empty.
REBOOKED_SHARE = 0.5
#: The GPs' same-day policy (the demo's): a share held at the end of each opening.
HOLD_SHARE_PERCENT = 25
#: What became of a past held slot: used by a same-day booking (a few by the SAS
#: regulator), released at its release time, or lost.
HOLD_USED, HOLD_REGULATED, HOLD_RELEASED = 0.55, 0.06, 0.25
#: Held slots written "held" from today on (the release job's horizon).
HOLD_AHEAD_DAYS = 2
#: The demo's GPs work part-time weeks; a practice of 20,000 patients needs its GPs full
#: time: the half-days added to their demo week (weekday → periods), in their own office.
FULL_WEEKS = {
    "claire.martin": {2: [(time(14), time(19))], 5: [(time(9), time(12))]},
    "karim.benali": {3: [(time(14), time(19))]},
    "sophie.lefevre": {
        2: [(time(8, 30), time(12, 30)), (time(14), time(19))],
        5: [(time(9), time(12))],
    },
}
#: The patient with a long file (the patient page's worst case).
LONG_FILE_ENTRIES = 300


def practice_slug(number: int) -> str:
    return f"gen-{number}"


def account_email(key: str, number: int = 1) -> str:
    """The e-mail of the generated practice ``number``'s member ``key`` (demo keys)."""
    return f"{key}.p{number}@{DOMAIN}"


@dataclass
class Summary:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, count: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + count


Tick = Callable[[int], None]


def generate(
    session: Session,
    *,
    patients: int,
    years: float,
    seed: int,
    practices: int = 1,
    password: str,
    now: datetime | None = None,
    tick: Tick = lambda n: None,
) -> Summary:
    """Generate ``practices`` practices of ``patients`` patients and ``years`` of agenda
    each, numbered after the generated practices already in the database (their
    accounts: ``account_email(key, number)``). Flushes, never commits."""
    now = now or utcnow()
    if patients < 10 or years <= 0 or practices < 1:
        raise Invalid("Il faut au moins 10 patients, une durée positive et un cabinet.")
    existing = session.scalar(
        select(func.count(Practice.id)).where(Practice.slug.like(practice_slug(0)[:-1] + "%"))
    )
    summary = Summary()
    for number in range(existing + 1, existing + practices + 1):
        rng = random.Random(seed * 1_000 + number)
        _Practice(session, rng, number, now, summary, tick).build(
            patients=patients, years=years, password=password
        )
    return summary


def work_units(*, patients: int, years: float, practices: int = 1) -> int:
    """The progress bar's length: one unit per patient and one per agenda day."""
    return practices * (patients + int(years * 365.25) + 29)


class _Practice:
    def __init__(self, session, rng, number, now, summary, tick) -> None:
        self.session, self.rng, self.number = session, rng, number
        self.now, self.summary, self.tick = now, summary, tick

    def build(self, *, patients: int, years: float, password: str) -> None:
        self._team(password)
        self.today = local_today(self.practice.timezone, self.now)
        self.first_day = self.today - timedelta(days=int(years * 365.25))
        self._agenda_setup()
        self.session.flush()
        self.patient_ids = self._patients(patients)
        self._declarations_and_requests()
        self._file_entries()
        self._care_tasks()
        self._absences()
        self._appointments()
        self._access_log()
        self.session.flush()
        self._snapshots()

    def _snapshots(self) -> None:
        """Each past month end's patient-list snapshot, as the nightly job leaves them: the
        GP home page's sparkline and the growth pages read them, not the history."""
        written, day = 0, _month_end(self.first_day)
        while day < self.today:
            written += snapshots.snapshot_day(
                self.session, practice=self.practice, day=day, now=self.now
            )
            day = _month_end(day + timedelta(days=1))
        self.summary.add("patient_list_snapshot", written)

    # --- structure, through the services -------------------------------------------

    def _team(self, password: str) -> None:
        self.practice = team.create_practice(
            self.session,
            name=f"Maison de santé générée n° {self.number}",
            slug=practice_slug(self.number),
            address="1 place de l'Essai, 69003 Lyon",
        )
        members: dict[str, Staff] = {}
        for member in TEAM:
            members[member.key] = team.create_staff(
                self.session,
                acting=Acting(None, utcnow()),
                practice=self.practice,
                password=password,
                data=member.staff_input(
                    email=account_email(member.key, self.number), created=members
                ),
            )
        for name, kind in ROOMS:
            team.save_room(self.session, practice_id=self.practice.id, name=name, kind=kind)
        self.session.flush()
        self.members = members
        self.summary.add("staff", len(members))

    def _agenda_setup(self) -> None:
        from umpro.delegation.demo import MEMBERSHIPS
        from umpro.delegation.services import memberships, protocols
        from umpro.scheduling import demo as agenda_demo

        self.types = agenda_demo._types(self.session, self.practice)
        self.same_day_type = catalogue.save_type(
            self.session,
            actor=None,
            practice_id=self.practice.id,
            data=catalogue.TypeInput(
                label=agenda_demo.SAME_DAY_TYPE,
                duration_minutes=15,
                professions=["gp", "junior_doctor"],
                colour="red",
                is_unscheduled=True,
            ),
        )
        for key in GP_KEYS:
            holds.set_policy(
                self.session,
                actor=None,
                staff=self.members[key],
                practice_id=self.practice.id,
                data=holds.PolicyInput(
                    mode="share",
                    share_percent=HOLD_SHARE_PERCENT,
                    weekdays=(0, 1, 2, 3, 4),
                    slot_minutes=15,
                ),
            )
        agenda_demo._rules(self.session, self.practice, self.members, self.types, self.first_day)
        for key, week in FULL_WEEKS.items():
            room = agenda_demo.WEEKS[key][0]
            room_id = self.session.scalar(
                select(Room.id).where(Room.practice_id == self.practice.id, Room.name == room)
            )
            for weekday, periods in week.items():
                for start, end in periods:
                    templates.save_rule(
                        self.session,
                        actor=None,
                        practice_id=self.practice.id,
                        data=templates.RuleInput(
                            staff_id=self.members[key].id,
                            weekday=weekday,
                            start_time=start,
                            end_time=end,
                            valid_from=self.first_day,
                            room_id=room_id,
                        ),
                    )
        protocols.install_reference_protocols(
            self.session, acting=Acting(None, self.now), practice_id=self.practice.id
        )
        self.session.flush()
        self.protocols = list(
            self.session.scalars(
                select(Protocol)
                .where(Protocol.practice_id == self.practice.id)
                .order_by(Protocol.id)
            )
        )
        by_code = {p.code: p for p in self.protocols}
        for key, codes in MEMBERSHIPS.items():
            for code in codes:
                memberships.add_membership(
                    self.session,
                    acting=Acting(None, self.now),
                    protocol=by_code[code],
                    staff=self.members[key],
                    trained_on=self.first_day - timedelta(days=30),
                    valid_until=self.today + timedelta(days=3650),
                    today=self.today,
                )
        self.session.flush()
        self.delegates = {
            protocol_id: staff_ids
            for protocol_id, staff_ids in _group(
                self.session.execute(
                    select(ProtocolMembership.protocol_id, ProtocolMembership.staff_id).where(
                        ProtocolMembership.practice_id == self.practice.id
                    )
                )
            ).items()
        }

    # --- volume, by bulk inserts ----------------------------------------------------

    def _insert(self, model, rows: list[dict], name: str) -> None:
        for start in range(0, len(rows), CHUNK):
            self.session.execute(insert(model), rows[start : start + CHUNK])
        self.summary.add(name, len(rows))

    def _instant(self, day: date, hour: int = 9) -> datetime:
        return datetime.combine(day, time(hour)).replace(tzinfo=UTC)

    def _patients(self, count: int) -> list[int]:
        rng, practice_id = self.rng, self.practice.id
        rows, tokens = [], []
        for index in range(count):
            sex = rng.choice("FM")
            family = rng.choice(FAMILY_NAMES)
            given = rng.choice(GIVEN_F if sex == "F" else GIVEN_M)
            if rng.random() < 0.15:
                given = f"{given} {rng.choice(GIVEN_F if sex == 'F' else GIVEN_M)}"
            birth_name = rng.choice(FAMILY_NAMES) if sex == "F" and rng.random() < 0.2 else ""
            born = self.today - timedelta(days=rng.randint(0, 95 * 365))
            rows.append(
                {
                    "practice_id": practice_id,
                    "family_name": family,
                    "birth_name": birth_name,
                    "given_names": given,
                    "birth_date": born,
                    "sex": sex,
                    "phone": f"06 {rng.randint(10, 99)} {rng.randint(10, 99)} "
                    f"{rng.randint(10, 99)} {rng.randint(10, 99)}",
                    "city": "Lyon",
                    "postal_code": "69003",
                    "has_chronic_condition": rng.random() < 0.2,
                    "sort_key": sort_key(family, given),
                    "created_at": self._instant(self.first_day),
                }
            )
            if index % 1_000 == 999:
                self.tick(1_000)
        self.tick(count % 1_000)
        self._insert(Patient, rows, "patients")
        ids = list(
            self.session.scalars(
                select(Patient.id).where(Patient.practice_id == practice_id).order_by(Patient.id)
            )
        )
        for patient_id, row in zip(ids, rows, strict=True):
            for token in name_tokens(row["family_name"], row["birth_name"], row["given_names"]):
                tokens.append(
                    {"patient_id": patient_id, "token": token, "practice_id": practice_id}
                )
        self._insert(PatientNameToken, tokens, "name_tokens")
        return ids

    def _declarations_and_requests(self) -> None:
        rng, gps = self.rng, [self.members[k].id for k in GP_KEYS]
        desk = self.members[DESK_KEY].id
        history_days = (self.today - self.first_day).days + 3 * 365
        declarations, requests = [], []
        for patient_id in self.patient_ids:
            roll = rng.random()
            if roll < 0.7:
                start = self.today - timedelta(days=rng.randint(1, history_days))
                gp = rng.choice(gps)
                if rng.random() < 0.25 and (self.today - start).days > 60:
                    switch = start + timedelta(days=rng.randint(30, (self.today - start).days - 1))
                    declarations.append(
                        self._declaration(patient_id, gp, start, switch, "transfer", desk)
                    )
                    gp, start = rng.choice([g for g in gps if g != gp]), switch
                declarations.append(self._declaration(patient_id, gp, start, None, "", desk))
            elif roll < 0.76:
                requests.append(self._request(patient_id, rng.choice(gps), desk))
        self._insert(TreatingDeclaration, declarations, "declarations")
        self._insert(RegistrationRequest, requests, "registration_requests")

    def _declaration(self, patient_id, gp_id, start, end, reason, desk) -> dict:
        return {
            "practice_id": self.practice.id,
            "patient_id": patient_id,
            "gp_id": gp_id,
            "start_on": start,
            "end_on": end,
            "end_reason": reason,
            "recorded_by_id": desk,
            "ended_by_id": desk if end else None,
            "created_at": self._instant(start),
        }

    def _request(self, patient_id, gp_id, desk) -> dict:
        rng = self.rng
        received = self.today - timedelta(days=rng.randint(0, 120))
        status = rng.choices(["pending", "declined", "withdrawn"], [5, 3, 1])[0]
        decided = status != "pending"
        return {
            "practice_id": self.practice.id,
            "patient_id": patient_id,
            "gp_id": gp_id,
            "received_on": received,
            "channel": rng.choice(["phone", "desk", "conciliator", "mediator"]),
            "status": status,
            "recorded_by_id": desk,
            "decided_at": self._instant(received, 15) if decided else None,
            "decided_by_id": gp_id if decided else None,
            "decline_reason": rng.choice(list(DECLINE_REASONS)) if status == "declined" else "",
            "oriented_to": "Centre de santé municipal" if status == "declined" else "",
            "created_at": self._instant(received),
        }

    def _file_entries(self) -> None:
        rng = self.rng
        authors = [self.members[k].id for k in (*GP_KEYS, "nathalie.roux", "julien.fournier")]
        span = (self.today - self.first_day).days
        rows = []
        for index, patient_id in enumerate(self.patient_ids):
            count = LONG_FILE_ENTRIES if index == 0 else rng.choice((0, 1, 2, 3, 4, 5, 6))
            for _ in range(count):
                kind, title, body = rng.choice(NOTES)
                at = self._instant(self.today - timedelta(days=rng.randint(1, span)), 10)
                rows.append(
                    {
                        "practice_id": self.practice.id,
                        "patient_id": patient_id,
                        "kind": kind,
                        "title": title,
                        "body": body,
                        "author_id": rng.choice(authors),
                        "created_at": at,
                        "dated_at": at,
                        "version": 1,
                    }
                )
        self._insert(FileEntry, rows, "file_entries")

    def _care_tasks(self) -> None:
        rng, rows = self.rng, []
        requesters = [self.members[k].id for k in GP_KEYS]
        delegated = [p for p in self.protocols if self.delegates.get(p.id)]
        every_state = list(states.STATUSES)
        # 2 % of the patients (at least 20, so that every state shows); one task per
        # patient, so at most one open task per patient and protocol.
        step = max(1, min(50, len(self.patient_ids) // 20))
        for index, patient_id in enumerate(self.patient_ids[1::step]):
            protocol = delegated[index % len(delegated)]
            status = every_state[index % len(every_state)]
            owner = rng.choice(self.delegates[protocol.id])
            changed = self._instant(self.today - timedelta(days=rng.randint(0, 200)), 11)
            needs_owner = status in (*states.OWNED_STATUSES, states.COMPLETED, states.FAILED)
            in_inbox = status in (states.REJECTED, states.FAILED, states.COMPLETED)
            rows.append(
                {
                    "practice_id": self.practice.id,
                    "patient_id": patient_id,
                    "protocol_id": protocol.id,
                    "requester_id": rng.choice(requesters),
                    "owner_id": owner if needs_owner else None,
                    "status": status,
                    "status_changed_at": changed,
                    "priority": rng.choice(["routine", "routine", "urgent", "asap"]),
                    "due_on": changed.date() + timedelta(days=30),
                    "results": {"note": "RAS"} if status == states.COMPLETED else None,
                    "results_display": None,
                    "completed_at": changed if status == states.COMPLETED else None,
                    "inbox_at": changed if in_inbox else None,
                    "inbox_reason": _INBOX.get(status),
                    "created_at": changed - timedelta(days=3),
                }
            )
        self._insert(CareTask, rows, "care_tasks")

    def _absences(self) -> None:
        rows = []
        for key in ("claire.martin", "karim.benali", "sophie.lefevre", "nathalie.roux"):
            staff_id = self.members[key].id
            for year in range(self.first_day.year, self.today.year + 1):
                for month, day, length in ((8, 1 + 7 * (staff_id % 3), 14), (12, 24, 5)):
                    start = date(year, month, day)
                    rows.append(
                        {
                            "practice_id": self.practice.id,
                            "staff_id": staff_id,
                            "kind": "leave",
                            "start_at": self._instant(start, 0) - timedelta(hours=1),
                            "end_at": self._instant(start + timedelta(days=length), 0)
                            - timedelta(hours=1),
                            "note": "",
                            "created_at": self._instant(self.first_day),
                        }
                    )
        self._insert(Absence, rows, "absences")

    def _appointments(self) -> None:
        from umpro.scheduling.demo import WEEKS

        rng = self.rng
        staff = [self.members[k] for k in WEEKS]
        staff_ids = [s.id for s in staff] + [s.supervisor_id for s in staff if s.supervisor_id]
        desk = self.members[DESK_KEY].id
        policies = holds.load_policies(self.session, practice_id=self.practice.id)
        last_day = self.today + timedelta(days=28)
        day, rows, held_rows = self.first_day, [], []
        while day <= last_day:
            month_end = min(last_day, day + timedelta(days=30))
            template = load_template(
                self.session,
                practice_id=self.practice.id,
                staff_ids=staff_ids,
                first_day=day,
                last_day=month_end,
                tz=self.practice.timezone,
            )
            while day <= month_end:
                seen_today: set[int] = set()
                for member in staff:
                    held = holds.compute_holds(template, policies, staff_id=member.id, day=day)
                    for opening in openings_for(template, staff_id=member.id, day=day):
                        # The held share lies at the end of the opening: book before it.
                        limit = min(
                            (h.start_at for h in held if opening.contains(h.start_at, h.end_at)),
                            default=opening.end_at,
                        )
                        rows.extend(self._fill(rng, member, opening, limit, seen_today, desk))
                    for hold in held:
                        rows.extend(self._held(rng, member, day, hold, seen_today, held_rows))
                day += timedelta(days=1)
                self.tick(1)
            if len(rows) >= CHUNK:
                self._insert(Appointment, rows, "appointments")
                rows = []
        self._insert(Appointment, rows, "appointments")
        self._held_slots(held_rows)

    def _fill(self, rng, member, opening, limit, seen_today, desk) -> Iterable[dict]:
        from umpro.scheduling.demo import _pick_type

        start = opening.start_at
        while start < limit:
            kind = _pick_type(rng, member, self.types, opening)
            if kind is None:
                return
            end = start + timedelta(minutes=kind.duration_minutes)
            if end > limit:
                return
            if rng.random() < FILL:
                patient_id = rng.choice(self.patient_ids)
                if patient_id not in seen_today:
                    seen_today.add(patient_id)
                    if rng.random() < REBOOKED_SHARE:
                        cancelled = self._appointment(
                            rng, member, kind, opening.room_id, start, end,
                            rng.choice(self.patient_ids), desk,
                        )  # fmt: skip
                        cancelled["status"] = "cancelled"
                        cancelled["cancel_reason"] = "Annulé par le patient"
                        yield cancelled
                    yield self._appointment(
                        rng, member, kind, opening.room_id, start, end, patient_id, desk
                    )
            start = end

    def _held(self, rng, member, day, hold, seen_today, held_rows) -> Iterable[dict]:
        """The end of one held slot: a same-day booking (its appointment), released or
        lost for a past one; held (or already released) from today to the horizon."""
        if day > self.today + timedelta(days=HOLD_AHEAD_DAYS):
            return  # not written yet: computed from the policy when read
        row = {
            "practice_id": self.practice.id,
            "staff_id": hold.staff_id,
            "start_at": hold.start_at,
            "end_at": hold.end_at,
            "room_id": hold.room_id,
            "release_at": hold.release_at,
            "state": HELD,
            "appointment_id": None,
            "changed_at": None,
        }
        held_rows.append(row)
        roll = rng.random()
        past = hold.end_at <= self.now
        patient_id = rng.choice(self.patient_ids)
        if roll < HOLD_USED and (past or day == self.today) and patient_id not in seen_today:
            seen_today.add(patient_id)
            regulated = roll < HOLD_REGULATED
            ahead = timedelta(hours=rng.randint(18, 30) if regulated else rng.randint(2, 3))
            booked_at = min(self.now, hold.start_at - ahead)
            appointment = self._appointment(
                rng, member, self.same_day_type, hold.room_id, hold.start_at, hold.end_at,
                patient_id, self.members[DESK_KEY].id,
            )  # fmt: skip
            if past:
                status = "noshow" if rng.random() < NOSHOW_SHARE else "fulfilled"
            else:
                status = "arrived" if hold.start_at <= self.now else "booked"
            appointment.update(
                status=status,
                cancel_reason="",
                is_unscheduled=True,
                source="regulator" if regulated else rng.choice(["phone", "phone", "walk-in"]),
                regulator_name="Dr Girard (SAS 69)" if regulated else "",
                regulator_reference=f"SAS-{rng.randint(10000, 99999)}" if regulated else "",
                created_at=booked_at,
                updated_at=booked_at,
            )
            row.update(state=USED, changed_at=booked_at)
            yield appointment
        elif past and roll < HOLD_USED + HOLD_RELEASED and hold.release_at is not None:
            row.update(state=RELEASED, changed_at=hold.release_at)
        elif past:
            row.update(state=LOST, changed_at=hold.end_at)
        elif hold.release_at is not None and hold.release_at <= self.now:
            row.update(state=RELEASED, changed_at=hold.release_at)

    def _held_slots(self, rows: list[dict]) -> None:
        """The held-slot rows, the used ones pointing at their same-day appointment."""
        used = {
            (staff_id, start_at): appointment_id
            for appointment_id, staff_id, start_at in self.session.execute(
                select(Appointment.id, Appointment.staff_id, Appointment.start_at).where(
                    Appointment.practice_id == self.practice.id,
                    Appointment.is_unscheduled.is_(True),
                )
            )
        }
        for row in rows:
            if row["state"] == USED:
                row["appointment_id"] = used[(row["staff_id"], row["start_at"])]
        self._insert(HeldSlot, rows, "held_slots")

    def _appointment(self, rng, member, kind, room_id, start, end, patient_id, desk) -> dict:
        booked_at = min(self.now, start) - timedelta(days=rng.randint(1, 30))
        roll = rng.random()
        if roll < CANCELLED_SHARE:
            status = "cancelled"
        elif end <= self.now:
            status = "noshow" if roll < CANCELLED_SHARE + NOSHOW_SHARE else "fulfilled"
        elif start <= self.now:
            status = "arrived"
        else:
            status = "booked"
        return {
            "practice_id": self.practice.id,
            "uid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "staff_id": member.id,
            "patient_id": patient_id,
            "type_id": kind.id,
            "room_id": room_id,
            "start_at": start,
            "end_at": end,
            "status": status,
            "source": rng.choice(["phone", "phone", "desk"]),
            "is_unscheduled": False,
            "cancel_reason": "Annulé par le patient" if status == "cancelled" else "",
            "regulator_name": "",
            "regulator_reference": "",
            "sequence": 0,
            "version": 1,
            "created_by_id": desk,
            "created_at": booked_at,
            "updated_at": booked_at,
        }

    def _access_log(self) -> None:
        """One access-log row per appointment booking of the last 90 days, chained."""
        since = self.now - timedelta(days=90)
        booked = self.session.execute(
            select(Appointment.patient_id, Appointment.created_at, Appointment.id)
            .where(
                Appointment.practice_id == self.practice.id,
                Appointment.created_at > since,
                Appointment.created_at <= self.now,
            )
            .order_by(Appointment.created_at, Appointment.id)
        ).all()
        desk = self.members[DESK_KEY]
        rows = audit.append(
            self.session,
            [
                {
                    "practice_id": self.practice.id,
                    "at": created_at,
                    "staff_id": desk.id,
                    "role": desk.profession,
                    "patient_ids": [patient_id],
                    "action": "appointment.create",
                    "target": f"appointment:{appointment_id}",
                }
                for patient_id, created_at, appointment_id in booked
            ],
        )
        self.summary.add("access_log", rows)


_INBOX = {
    states.REJECTED: "rejection",
    states.FAILED: "failure",
    states.COMPLETED: "results",
}


def _month_end(day: date) -> date:
    first_of_next = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first_of_next - timedelta(days=1)


def _group(pairs) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


def count_rows(session: Session) -> dict[str, int]:
    """Row counts of the generated tables (the command prints them)."""
    models = {
        "patients": Patient,
        "declarations": TreatingDeclaration,
        "registration_requests": RegistrationRequest,
        "file_entries": FileEntry,
        "care_tasks": CareTask,
        "appointments": Appointment,
        "held_slots": HeldSlot,
        "access_log": AccessLog,
    }
    return {name: session.scalar(select(func.count()).select_from(m)) for name, m in models.items()}
