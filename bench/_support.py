"""Shared by the benchmarks: generated databases (cached), timing, statement counts, rows.

A generated database is built once per size and day with ``umpro.generate`` and kept in
``bench/.data/`` (SQLite) or in a PostgreSQL database named ``umpro_bench_*`` on the
server of ``BENCH_PG_URL`` (default: the local one; PostgreSQL rows are skipped, with a
note, when it does not answer).
"""

import os
import re
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data"
QUICK = os.environ.get("BENCH_QUICK") == "1"
PASSWORD = "bench-password-2026"  # noqa: S105 - generated accounts on a throwaway database
SEED = 1
#: (patients, years): the large practice and the small one of the scale rows.
LARGE = (2_000, 0.5) if QUICK else (20_000, 3.0)
SMALL = (200, 0.05) if QUICK else (2_000, 0.25)
#: LARGE's patients over SMALL's months: history alone, the same page contents.
HISTORY = (LARGE[0], SMALL[1])
PG_SERVER = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432")


def row(name, p50, p95, queries, reference="", ratio=None, target="", met=None, **extra):
    """One line of the results table (bench/README.md: name, p50_ms, p95_ms, queries, reference,
    ratio, target, met)."""
    return {
        "name": name,
        "p50_ms": None if p50 is None else round(p50, 2),
        "p95_ms": None if p95 is None else round(p95, 2),
        "queries": queries,
        "reference": reference,
        "ratio": None if ratio is None else round(ratio, 3),
        "target": target,
        "met": met,
        **extra,
    }


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p95 of durations in seconds, in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def timed(fn, runs: int, warmup: int = 2) -> tuple[float, float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return percentiles(samples)


class StatementCounter:
    """Counts the SQL statements an engine runs (``with counter.count() as n``)."""

    def __init__(self, engine) -> None:
        from sqlalchemy import event

        self.total = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *args) -> None:
        self.total += 1

    def of(self, fn) -> int:
        before = self.total
        fn()
        return self.total - before


def pg_available() -> bool:
    try:
        import sqlalchemy as sa

        engine = sa.create_engine(f"{PG_SERVER}/postgres")
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


def _name(patients: int, years: float, practices: int) -> str:
    from umpro.generate import VERSION

    day = date.today().strftime("%Y%m%d")  # noqa: DTZ011, TID251 - a cache key, not app time
    return f"{patients}_{str(years).replace('.', 'y')}_{practices}_g{VERSION}_{day}"


def database_url(kind: str, patients: int, years: float, practices: int = 1) -> str:
    """The URL of a generated database (built first if needed)."""
    name = _name(patients, years, practices)
    if kind == "sqlite":
        DATA.mkdir(exist_ok=True)
        for stale in DATA.glob("gen-*.sqlite3*"):
            if _name(0, 0, 0)[-8:] not in stale.name:
                stale.unlink()  # an earlier day's database: "today" has moved on
        path = DATA / f"gen-{name}.sqlite3"
        url = f"sqlite:///{path}"
        if not path.exists():
            _build(url, patients, years, practices, path)
        return url
    database = f"umpro_bench_{re.sub(r'[^0-9a-z_]', '_', name)}"
    url = f"{PG_SERVER}/{database}"
    import sqlalchemy as sa

    admin = sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": database}
        )
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    if not exists:
        try:
            _build(url, patients, years, practices, None)
        except BaseException:
            drop_pg(database)
            raise
    return url


def drop_pg(database: str) -> None:
    import sqlalchemy as sa

    admin = sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
    admin.dispose()


def drop_all_pg() -> list[str]:
    """Drop every ``umpro_bench_*`` database (``python -m bench clean``)."""
    import sqlalchemy as sa

    admin = sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        names = conn.scalars(
            sa.text("SELECT datname FROM pg_database WHERE datname LIKE 'umpro_bench_%'")
        ).all()
    admin.dispose()
    for name in names:
        drop_pg(name)
    return names


def _build(url, patients, years, practices, path) -> None:
    """Build the practice with ``flask umpro generate``, the command the README gives."""
    from sqlalchemy import text

    from umpro.db import Base
    from umpro.extensions import db

    print(f"   génération {patients} patients × {years} ans × {practices} ({url.split('/')[-1]})")
    started = time.perf_counter()
    app = make_app(url)
    options = {"--patients": patients, "--years": years, "--seed": SEED, "--practices": practices}
    try:
        with app.app_context():
            Base.metadata.create_all(db.engine)
        result = app.test_cli_runner().invoke(
            args=["umpro", "generate", *(str(x) for pair in options.items() for x in pair)]
        )
        if result.exit_code != 0:
            raise RuntimeError(f"flask umpro generate a échoué : {result.output}")
        with app.app_context():
            db.session.execute(text("ANALYZE"))
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
    except BaseException:
        if path is not None and path.exists():
            path.unlink()
        raise
    print(f"   … en {time.perf_counter() - started:.1f} s")


def make_app(url: str):
    os.environ.setdefault("UMPRO_INSTANCE_PATH", tempfile.mkdtemp(prefix="umpro-bench-inst-"))
    from umpro import create_app

    return create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=url,
        UMPRO_LOGIN_MAX_FAILURES=10_000,
        UMPRO_FEED_RATE_LIMIT=1_000_000,
        UMPRO_DEMO_PASSWORD=PASSWORD,
    )


def signed_in(app, email: str):
    """A Flask test client signed in as ``email``."""
    client = app.test_client()
    page = client.get("/login")
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
    answer = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    if answer.status_code != 302:
        raise RuntimeError(f"connexion refusée pour {email} ({answer.status_code})")
    return client
