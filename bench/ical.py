"""iCal feed of one professional with 10,000 appointments: UMPro's feed (cold, warm, 304)
against the naive design (the icalendar library builds and serialises every event on
each download) and, when Radicale is installed, a warm CalDAV server serving the same
events.

The practice is generated here, in a temporary SQLite database: one GP, 10,000
appointments spread over the feed's window (a month back, a year ahead), some cancelled
and some no-shows, 3,000 patients. Figures are medians of several runs, in seconds,
measured through the Flask test client (token, throttle, queries, audit, commit).
"""

import os
import random
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from umpro.acting import Acting

EVENTS = int(os.environ.get("BENCH_ICAL_EVENTS", 10_000))
PATIENTS = 3_000
SEED = 7


def _median(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return round(statistics.median(times), 4)


def _generate(session, now: datetime):
    from sqlalchemy import insert

    from umpro.patients.models import Patient
    from umpro.scheduling.models import CANCELLED, NOSHOW, Appointment, AppointmentType
    from umpro.team.models import Practice, Room, Staff

    rng = random.Random(SEED)
    practice = Practice(name="MSP du Banc d'essai", slug="bench", address="1 place du Marché")
    session.add(practice)
    session.flush()
    gp = Staff(
        practice_id=practice.id,
        email="claire.martin@bench.invalid",
        password_hash="-",  # noqa: S106 - never signs in
        given_name="Claire",
        family_name="Martin",
        profession="gp",
    )
    rooms = [Room(practice_id=practice.id, name=f"Cabinet {i}", kind="gp_office") for i in (1, 2)]
    types = [
        AppointmentType(practice_id=practice.id, label=label, duration_minutes=minutes)
        for label, minutes in (("Consultation", 15), ("Suivi", 15), ("Renouvellement", 15))
    ]
    session.add_all([gp, *rooms, *types])
    session.flush()
    given = ["Marie", "Jean", "Hélène", "Luc", "Inès", "Noé", "Zoé", "Émile"]
    session.execute(
        insert(Patient),
        [
            {
                "practice_id": practice.id,
                "family_name": f"Patient{n:05d}",
                "given_names": rng.choice(given),
                "birth_date": date(1940, 1, 1) + timedelta(days=rng.randrange(25_000)),
                "sex": rng.choice("FM"),
            }
            for n in range(PATIENTS)
        ],
    )
    patient_ids = list(session.scalars(Patient.__table__.select().with_only_columns(Patient.id)))
    zone = ZoneInfo(practice.timezone)
    today = now.astimezone(zone).date()
    day = today - timedelta(days=28)
    rows = []
    while len(rows) < EVENTS:
        if day.weekday() < 5:
            for slot in range(44):  # 08:00-19:00 every quarter of an hour
                if len(rows) == EVENTS:
                    break
                start = datetime.combine(day, datetime.min.time(), tzinfo=zone) + timedelta(
                    hours=8, minutes=15 * slot
                )
                draw = rng.random()
                status = CANCELLED if draw < 0.03 else NOSHOW if draw < 0.05 else "booked"
                rows.append(
                    {
                        "practice_id": practice.id,
                        "uid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                        "staff_id": gp.id,
                        "patient_id": rng.choice(patient_ids),
                        "type_id": rng.choice(types).id,
                        "room_id": rng.choice(rooms).id,
                        "start_at": start.astimezone(ZoneInfo("UTC")),
                        "end_at": (start + timedelta(minutes=15)).astimezone(ZoneInfo("UTC")),
                        "status": status,
                        "sequence": 1 if status == CANCELLED else 0,
                        "version": 1,
                        "created_at": now - timedelta(days=40),
                        "updated_at": now - timedelta(days=rng.randrange(1, 20)),
                    }
                )
        day += timedelta(days=1)
    session.execute(insert(Appointment), rows)
    session.commit()
    return practice, gp


def _naive_rows(session, gp_id: int) -> list[tuple]:
    """The naive design's query: the appointments with their type and room, as objects."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from umpro.scheduling.models import Appointment

    appointments = session.scalars(
        select(Appointment)
        .where(Appointment.staff_id == gp_id)
        .options(selectinload(Appointment.type), selectinload(Appointment.room))
        .order_by(Appointment.start_at)
    ).all()
    rows = [
        (
            a.uid,
            a.start_at,
            a.end_at,
            a.updated_at,
            a.sequence,
            a.status,
            a.type.label,
            a.room.name if a.room else "",
        )
        for a in appointments
    ]
    session.expunge_all()
    return rows


def _naive_build(rows, zone, now) -> bytes:
    import icalendar

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//naive//FR")
    calendar.add("version", "2.0")
    calendar.add_component(
        icalendar.Timezone.from_tzinfo(
            zone, first_date=date(now.year - 1, 1, 1), last_date=date(now.year + 2, 1, 1)
        )
    )
    for uid, start, end, stamp, sequence, status, label, room in rows:
        event = icalendar.Event()
        event.add("uid", uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", start.astimezone(zone))
        event.add("dtend", end.astimezone(zone))
        event.add("sequence", sequence)
        event.add("status", "CANCELLED" if status == "cancelled" else "CONFIRMED")
        event.add("summary", label)
        event.add("location", room)
        calendar.add_component(event)
    return calendar.to_ical()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _radicale(body: bytes, workdir: Path) -> dict:
    """Upload the feed into a Radicale collection, then time warm GETs of it."""
    if os.environ.get("BENCH_RADICALE", "1") == "0":
        return {"skipped": "BENCH_RADICALE=0"}
    try:
        import radicale  # noqa: F401
    except ImportError:
        return {"skipped": "radicale n'est pas installé"}
    from tests.calendars_support import radicale_command

    port = _free_port()
    storage = workdir / "radicale"
    process = subprocess.Popen(
        radicale_command(workdir / "radicale.conf", port, storage),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/.web", timeout=1)  # noqa: S310 - local
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.1)
            else:
                break
        url = f"{base}/bench/agenda/"
        headers = {"Authorization": "Basic YmVuY2g6eA==", "Content-Type": "text/calendar"}
        started = time.perf_counter()
        request = urllib.request.Request(url, data=body, method="PUT", headers=headers)  # noqa: S310
        urllib.request.urlopen(request, timeout=600).read()  # noqa: S310 - local server
        upload = time.perf_counter() - started

        def get():
            request = urllib.request.Request(url, headers=headers)  # noqa: S310
            return urllib.request.urlopen(request, timeout=600).read()  # noqa: S310

        size = len(get())  # warms Radicale's cache
        return {
            "upload_s": round(upload, 3),
            "warm_get_s": _median(get, 5),
            "bytes": size,
        }
    finally:
        process.terminate()
        process.wait(timeout=30)


def run() -> dict:
    os.environ.setdefault("UMPRO_INSTANCE_PATH", tempfile.mkdtemp(prefix="umpro-bench-inst-"))
    from sqlalchemy import delete, event

    from umpro import create_app
    from umpro.calendars import services
    from umpro.calendars.models import EventCache
    from umpro.db import Base, utcnow
    from umpro.extensions import db

    workdir = Path(tempfile.mkdtemp(prefix="umpro-bench-ical-"))
    try:
        app = create_app(
            "testing",
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{workdir / 'bench.sqlite3'}",
            UMPRO_FEED_RATE_LIMIT=10**9,
        )
        with app.app_context():
            Base.metadata.create_all(db.engine)
            now = utcnow()
            started = time.perf_counter()
            _, gp = _generate(db.session, now)
            generated = time.perf_counter() - started
            feeds = {}
            for detail in ("busy", "full"):
                _, secret = services.create_feed(
                    db.session,
                    acting=Acting(None, now),
                    owner=gp,
                    data=services.FeedInput(detail=detail),
                )
                feeds[detail] = f"/calendriers/{secret}.ics"
            db.session.commit()
            gp_id = gp.id
            db.session.remove()
            client = app.test_client()
            queries = {"n": 0}
            event.listen(
                db.engine,
                "before_cursor_execute",
                lambda *args: queries.__setitem__("n", queries["n"] + 1),
            )

            def counted(fn):
                before = queries["n"]
                fn()
                return queries["n"] - before

            def drop_cache():
                db.session.execute(delete(EventCache))
                db.session.commit()
                db.session.remove()

            def get(url, **headers):
                response = client.get(url, headers=headers)
                assert response.status_code in (200, 304), response.status_code
                return response

            busy = feeds["busy"]
            cold_times = []
            for _ in range(3):
                drop_cache()
                started = time.perf_counter()
                get(busy)
                cold_times.append(time.perf_counter() - started)
            cold = round(statistics.median(cold_times), 4)
            first = get(busy)
            warm = _median(lambda: get(busy), 7)
            etag = first.headers["ETag"]
            not_modified = _median(lambda: get(busy, **{"If-None-Match": etag}), 11)
            assert get(busy, **{"If-None-Match": etag}).status_code == 304
            body = first.data
            events = body.count(b"BEGIN:VEVENT")
            queries_cold = (drop_cache(), counted(lambda: get(busy)))[1]
            queries_warm = counted(lambda: get(busy))
            queries_304 = counted(lambda: get(busy, **{"If-None-Match": etag}))
            get(feeds["full"])
            warm_full = _median(lambda: get(feeds["full"]), 3)

            zone = ZoneInfo("Europe/Paris")
            naive_full = _median(lambda: _naive_build(_naive_rows(db.session, gp_id), zone, now), 3)
            rows = _naive_rows(db.session, gp_id)
            naive_build = _median(lambda: _naive_build(rows, zone, now), 3)
            db.session.remove()
            radicale = _radicale(body, workdir)
            db.engine.dispose()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    def ratio(a, b):
        return round(a / b, 1) if b else None

    results = {
        "events": events,
        "bytes": len(body),
        "generate_s": round(generated, 2),
        "cold_s": cold,
        "warm_s": warm,
        "not_modified_304_s": not_modified,
        "warm_full_detail_s": warm_full,
        "naive_icalendar_build_and_serialise_s": naive_build,
        "naive_icalendar_with_orm_load_s": naive_full,
        "queries": {"cold": queries_cold, "warm": queries_warm, "304": queries_304},
        "ratios": {
            "naive_over_cold": ratio(naive_build, cold),
            "naive_over_warm": ratio(naive_build, warm),
            "naive_over_304": ratio(naive_build, not_modified),
        },
        "radicale": radicale,
    }
    if "warm_get_s" in radicale:
        results["ratios"]["radicale_over_warm"] = ratio(radicale["warm_get_s"], warm)
        results["ratios"]["radicale_over_cold"] = ratio(radicale["warm_get_s"], cold)
    return results
