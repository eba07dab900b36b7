"""The main pages in process (Flask test client) on a generated practice, against a bare
Flask hello-world and the sign-in page; the same pages on a small practice (3 months,
2,000 patients) and on the same 20,000 patients over 3 months (history alone) for the
"cost flat with history" rows, and on PostgreSQL with 10 practices against 1.

Every row: p50/p95 in ms over several runs, the SQL statements of one run, a ratio to
its reference and the target of bench/README.md.
"""

import random
from datetime import timedelta
from zoneinfo import ZoneInfo

from bench._support import (
    HISTORY,
    LARGE,
    QUICK,
    SMALL,
    StatementCounter,
    database_url,
    make_app,
    pg_available,
    row,
    signed_in,
    timed,
)

RUNS = 10 if QUICK else 30
#: name → (p95 target in ms or None, statements at most or None)
TARGETS = {
    "day_view": (25, None),
    "slot_search": (15, None),
    "patient_search": (20, 10),
    "booking": (10, None),
}
FLAT = 1.2


def hello_app():
    from flask import Flask

    hello = Flask("hello")

    @hello.get("/")
    def index():
        return "Bonjour"

    return hello


def _ids(app):
    from sqlalchemy import func, select

    from umpro.extensions import db
    from umpro.generate import account_email, practice_slug
    from umpro.patients.models import Patient
    from umpro.scheduling.models import AppointmentType
    from umpro.team.models import Practice, Staff

    with app.app_context():
        practice = db.session.scalar(select(Practice).where(Practice.slug == practice_slug(1)))
        staff = {
            s.email.split(".p1@")[0]: s.id
            for s in db.session.scalars(select(Staff).where(Staff.practice_id == practice.id))
        }
        patient = db.session.scalar(
            select(func.min(Patient.id)).where(Patient.practice_id == practice.id)
        )
        last_patient = db.session.scalar(
            select(func.max(Patient.id)).where(Patient.practice_id == practice.id)
        )
        consult = db.session.scalar(
            select(AppointmentType.id).where(
                AppointmentType.practice_id == practice.id,
                AppointmentType.label == "Consultation",
            )
        )
        ids = {
            "practice": practice.id,
            "tz": practice.timezone,
            "staff": staff,
            "patient": patient,
            "patients": (patient, last_patient),
            "consult": consult,
            "email": lambda key: account_email(key, 1),
        }
        db.session.remove()
    return ids


def _workday(tz: str):
    from umpro.db import utcnow

    day = utcnow().astimezone(ZoneInfo(tz)).date()
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


class Site:
    """One generated database served in process: its app, statement counter, signed-in
    clients and the path of each main page."""

    def __init__(self, url: str, label: str) -> None:
        from umpro.extensions import db

        self.label = label
        self.app = make_app(url)
        self.ids = ids = _ids(self.app)
        with self.app.app_context():
            self.counter = StatementCounter(db.engine)
        day = _workday(ids["tz"]).isoformat()
        staff = ids["staff"]
        all_staff = ",".join(str(i) for i in staff.values())
        self.desk = signed_in(self.app, ids["email"]("marie.dubois"))
        gp = signed_in(self.app, ids["email"]("claire.martin"))
        nurse = signed_in(self.app, ids["email"]("nathalie.roux"))
        self.pages = {
            "sign_in_page": (self.app.test_client(), "/login"),
            "day_view": (self.desk, f"/agenda/?jour={day}"),
            "week_view": (self.desk, f"/agenda/semaine/{staff['claire.martin']}?semaine={day}"),
            "patient_search": (self.desk, "/patients/?q=mar"),
            "slot_search": (
                self.desk,
                f"/api/v1/slots?type={ids['consult']}&staff={all_staff}&limit=50",
            ),
            "patient_page": (gp, f"/patients/{ids['patient']}"),
            "gp_inbox": (gp, "/delegation/boite"),
            "nurse_queue": (nurse, "/delegation/taches"),
            "sameday_desk": (
                self.desk,
                f"/agenda/soins-non-programmes/accueil?patient={ids['patient']}",
            ),
            "home_dashboard": (gp, "/"),
        }

    def hit(self, name: str) -> None:
        client, path = self.pages[name]
        answer = client.get(path)
        if answer.status_code != 200:
            raise RuntimeError(f"{self.label} {name}: {path} → {answer.status_code}")

    def close(self) -> None:
        from umpro.extensions import db

        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()


def measure_sites(sites: list["Site"]) -> list[dict[str, tuple[float, float, int]]]:
    """p50, p95 and statements of each main page on each site. The runs of the sites
    alternate, so that a ratio between two sites compares figures of the same moments
    (this machine's load varies)."""
    import time

    from bench._support import percentiles

    figures: list[dict] = [{} for _ in sites]
    for name in sites[0].pages:
        samples: list[list[float]] = [[] for _ in sites]
        statements = [site.counter.of(lambda s=site, n=name: s.hit(n)) for site in sites]
        for site in sites:
            site.hit(name)  # warm-up
        for _ in range(RUNS):
            for index, site in enumerate(sites):
                started = time.perf_counter()
                site.hit(name)
                samples[index].append(time.perf_counter() - started)
        for index in range(len(sites)):
            figures[index][name] = (*percentiles(samples[index]), statements[index])
    for index, site in enumerate(sites):
        figures[index]["booking"] = _bookings(site.desk, site.counter, site.ids)
    return figures


def measure_pages(url: str, label: str) -> dict[str, tuple[float, float, int]]:
    """p50, p95 and statements of each main page on the database at ``url``."""
    site = Site(url, label)
    try:
        return measure_sites([site])[0]
    finally:
        site.close()


def _compare(urls: list[str], labels: list[str]) -> list[dict]:
    sites = [Site(url, label) for url, label in zip(urls, labels, strict=True)]
    try:
        return measure_sites(sites)
    finally:
        for site in sites:
            site.close()


def _bookings(client, counter, ids) -> tuple[float, float, int]:
    """Book free slots found by the slot search, one after the other (patients drawn at
    random: a clash with the patient's own appointment is retried on the next slot)."""
    import time

    from bench._support import percentiles

    found = client.get(f"/api/v1/slots?type={ids['consult']}&limit=200").json["items"]
    rng = random.Random(5)
    low, high = ids["patients"]
    samples, statements = [], None
    page = client.get("/agenda/").text
    csrf = page.split('name="csrf-token" content="')[1].split('"')[0]
    for slot in found[: RUNS + 2]:
        body = {
            "patient_id": rng.randint(low, high),
            "staff_id": slot["staff"]["id"],
            "type_id": slot["type_id"],
            "start": slot["start"],
        }
        started = time.perf_counter()
        before = counter.total
        answer = client.post("/api/v1/appointments", json=body, headers={"X-CSRFToken": csrf})
        elapsed = time.perf_counter() - started
        if answer.status_code == 201:
            samples.append(elapsed)
            statements = counter.total - before
    if not samples:
        return (None, None, None)
    p50, p95 = percentiles(samples[2:] or samples)
    return p50, p95, statements


def _hello_p50() -> tuple[float, float]:
    client = hello_app().test_client()
    return timed(lambda: client.get("/"), RUNS * 3)


def run() -> dict:
    rows, notes = [], []
    hello = _hello_p50()
    rows.append(row("hello_world", hello[0], hello[1], 0, target="référence"))
    databases = [("sqlite", "SQLite")]
    if pg_available():
        databases.append(("postgresql", "PostgreSQL"))
    else:
        notes.append("PostgreSQL injoignable : lignes PostgreSQL omises.")
    for kind, label in databases:
        large, small, short = _compare(
            [database_url(kind, *LARGE), database_url(kind, *SMALL), database_url(kind, *HISTORY)],
            [f"{label} large", f"{label} small", f"{label} short history"],
        )
        size = f"{LARGE[1]:g} ans/{LARGE[0]} patients"
        for name, (p50, p95, statements) in large.items():
            target, max_statements = TARGETS.get(name, (None, None))
            met = None
            if target is not None and p95 is not None:
                met = p95 <= target and (max_statements is None or statements <= max_statements)
            goal = f"p95 ≤ {target} ms" if target else ""
            if max_statements:
                goal += f", ≤ {max_statements} requêtes"
            rows.append(
                row(
                    f"{kind}: {name} ({size})",
                    p50,
                    p95,
                    statements,
                    reference="hello_world",
                    ratio=(p50 / hello[0]) if p50 else None,
                    target=goal,
                    met=met,
                )
            )
        # The lists (queue, inbox) show up to a page of rows: a practice of 2,000 patients
        # fills less of it than one of 20,000. Against the same patients over 3 months,
        # the rows shown are alike and only the history differs.
        against = [
            (small, f"{LARGE[1]:g} ans/{LARGE[0]} vs {SMALL[1]:g} ans/{SMALL[0]}"),
            (short, f"{LARGE[1]:g} ans vs {HISTORY[1]:g} ans, {LARGE[0]} patients"),
        ]
        for base, versus in against:
            for name, (p50, _, statements) in large.items():
                base_p50, _, base_statements = base[name]
                if p50 and base_p50:
                    rows.append(
                        _flat_row(
                            f"{kind}: {name} — {versus}",
                            p50,
                            statements,
                            base_p50,
                            reference=f"{base_p50:.2f} ms, {base_statements} requêtes",
                        )
                    )
    if len(databases) > 1:
        rows.extend(_practices_rows())
    return {"rows": rows, "notes": notes}


def _practices_rows() -> list[dict]:
    """PostgreSQL: the same pages with 10 practices in the database against 1 (practices
    of 500 patients and 3 months: generating ten of them stays within a few minutes)."""
    size = (100, 0.05) if QUICK else (500, 0.25)
    one, ten = _compare(
        [
            database_url("postgresql", *size, practices=1),
            database_url("postgresql", *size, practices=10),
        ],
        ["PG 1 cabinet", "PG 10 cabinets"],
    )
    rows = []
    for name, (p50, _, statements) in ten.items():
        base = one[name][0]
        if p50 and base:
            rows.append(
                _flat_row(
                    f"postgresql: {name} — 10 cabinets vs 1",
                    p50,
                    statements,
                    base,
                    reference=f"{base:.2f} ms",
                )
            )
    return rows


def _flat_row(
    name: str, p50: float, statements: int | None, base_p50: float, *, reference: str
) -> dict:
    """The row of a page measured on a larger database against its p50 on the smaller one:
    met when the ratio stays within FLAT."""
    ratio = p50 / base_p50
    return row(
        name,
        p50,
        None,
        statements,
        reference=reference,
        ratio=ratio,
        target=f"≤ {FLAT}×",
        met=ratio <= FLAT,
    )
