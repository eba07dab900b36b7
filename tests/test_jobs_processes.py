"""Real processes on 127.0.0.1: two web workers under gunicorn plus two schedulers started
on purpose send each reminder exactly once; a scheduler killed with SIGKILL while the SMTP
server holds a message, then restarted, loses none and duplicates none.

The subprocesses share the test's database (its file on SQLite): the test commits and
closes its session first, and its polling queries never keep a transaction open.
"""

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.conftest import require
from tests.test_jobs_support import book, free_port, make_clinic
from tests.test_jobs_support import smtp_server as _smtp_server_fixture
from umpro.jobs.models import ERROR, JobRun, SchedulerInstance
from umpro.reminders.models import PENDING, SENT, SKIPPED, Reminder

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SCHEDULER = [str(BIN / "flask"), "--app", "wsgi", "umpro", "scheduler", "--stop-after", "150"]

smtp_server = _smtp_server_fixture  # fixture
pytestmark = pytest.mark.processes


def production_env(database_url: str, tmp_path, **settings) -> dict:
    """The environment of an app subprocess in production mode on the test's database: this
    process's own UMPRO_/FLASK_ variables left out, then ``settings`` on top."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UMPRO_", "FLASK_"))}
    env.update(
        UMPRO_CONFIG="production",
        UMPRO_DATABASE_URL=database_url,
        UMPRO_INSTANCE_PATH=str(tmp_path / "instance"),
        PYTHONUNBUFFERED="1",
    )
    env.update(settings)
    return env


def _env(database_url: str, smtp_server, tmp_path, **extra) -> dict:
    env = production_env(
        database_url,
        tmp_path,
        UMPRO_SECRET_KEY="cle-des-essais-de-processus",
        UMPRO_COOKIE_SECURE="0",
        UMPRO_REMINDER_INTERVAL_SECONDS="1",
        UMPRO_SCHEDULER_HEARTBEAT_SECONDS="1",
    )
    env.update(smtp_server.config())
    env.update(extra)
    return env


@pytest.fixture
def processes(tmp_path):
    """``start(name, args, env)`` → Popen; every process is stopped at the end."""
    started = []

    def start(name, args, env):
        require(Path(args[0]).exists(), f"programme introuvable : {args[0]}")
        log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 - closed below
        try:
            process = subprocess.Popen(
                args,
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError:
            log.close()  # else a leaked handle fails an unrelated test (warnings are errors)
            raise
        started.append((process, log))
        return process

    start.logs = lambda: "\n".join(
        f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in tmp_path.glob("*.log")
    )
    yield start
    for process, _ in started:
        if process.poll() is None:
            process.terminate()
    for process, log in started:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def wait_for(predicate, *, what: str, processes=None, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    pytest.fail(f"délai dépassé : {what}\n{processes.logs() if processes else ''}")


def query(session, statement):
    """Read, then end the transaction (SQLite: never hold the lock the others need)."""
    try:
        return list(session.execute(statement).all())
    finally:
        session.rollback()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class WebClient:
    """A browser over real HTTP: cookies, the page's CSRF token, no redirect following."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect
        )
        self.token = ""

    def open(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode()
        except OSError:
            return 0, ""
        if match := re.search(r'<meta name="csrf-token" content="([^"]+)"', text):
            self.token = match.group(1)
        return status, text

    def post(self, path: str, data: dict | None = None) -> int:
        return self.open(path, {"csrf_token": self.token} | (data or {}))[0]


def test_two_web_workers_and_two_schedulers_send_each_reminder_once(
    session, practice, database_url, smtp_server, processes, tmp_path
):
    _, gp, kind = make_clinic(session, practice)
    admin = factories.make_staff(session, practice, profession="coordinator", is_admin=True)
    appointments = [book(session, gp, kind, hours_ahead=2 + n) for n in range(8)]
    no_email = book(session, gp, kind, hours_ahead=2.5, email="")
    cancelled = book(session, gp, kind, hours_ahead=4.5, status="cancelled")
    expected = {a.patient.email: a.id for a in appointments}
    no_email_id, cancelled_id, admin_email = no_email.id, cancelled.id, admin.email
    session.commit()
    session.close()
    env = _env(database_url, smtp_server, tmp_path)
    port = free_port()
    processes(
        "web",
        [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        env,
    )
    schedulers = [processes(f"scheduler-{n}", SCHEDULER, env) for n in (1, 2)]
    web = WebClient(f"http://127.0.0.1:{port}")
    wait_for(lambda: web.open("/sante")[0] == 200, what="gunicorn répond", processes=processes)
    web.open("/login")
    assert web.post("/login", {"email": admin_email, "password": factories.PASSWORD}) == 302
    web.open("/admin/taches-planifiees")
    for _ in range(3):  # the button, several times, served by either worker
        assert web.post("/admin/taches-planifiees/reminders/lancer") == 302

    def settled():
        rows = query(session, select(Reminder.status))
        return len(rows) == 9 and all(status != PENDING for (status,) in rows)

    wait_for(settled, what="tous les rappels traités", processes=processes)
    # Let both schedulers go round again a few times: nothing more may leave.
    per_worker = select(JobRun.worker, func.count()).group_by(JobRun.worker)
    base = dict(query(session, per_worker))

    def went_round():
        now = dict(query(session, per_worker))
        return len(now) == 2 and all(now[w] >= base.get(w, 0) + 3 for w in now)

    wait_for(went_round, what="trois passages de plus par planificateur", processes=processes)

    received = smtp_server.inbox.by_recipient()
    assert {to: len(messages) for to, messages in received.items()} == dict.fromkeys(expected, 1)
    rows = query(session, select(Reminder.appointment_id, Reminder.status, Reminder.attempts))
    by_appointment = {a: (s, n) for a, s, n in rows}
    assert {by_appointment[i] for i in expected.values()} == {(SENT, 1)}
    assert by_appointment[no_email_id] == (SKIPPED, 1)
    assert cancelled_id not in by_appointment
    instances = query(session, select(SchedulerInstance.id, SchedulerInstance.pid))
    assert sorted(pid for _, pid in instances) == sorted(p.pid for p in schedulers)
    workers = {w for (w,) in query(session, select(JobRun.worker).distinct())}
    assert workers == {i for i, _ in instances}  # web workers ran nothing
    manual = query(session, select(JobRun.status).where(JobRun.trigger == "manual"))
    assert manual and {s for (s,) in manual} == {"ok"}
    status, page = web.open("/admin/taches-planifiees")
    assert status == 200
    assert "2 planificateurs actifs : un seul devrait tourner." in page.replace("&#39;", "'")


def test_a_scheduler_killed_mid_send_loses_none_and_duplicates_none(
    session, practice, database_url, smtp_server, processes, tmp_path
):
    _, gp, kind = make_clinic(session, practice)
    appointments = [book(session, gp, kind, hours_ahead=2 + n) for n in range(6)]
    expected = {a.patient.email for a in appointments}
    session.commit()
    session.close()
    env = _env(database_url, smtp_server, tmp_path, UMPRO_REMINDER_LEASE_SECONDS="4")
    inbox = smtp_server.inbox
    inbox.hold_from = 3  # the third message waits in DATA, unanswered

    first = processes("scheduler-a", SCHEDULER, env)
    wait_for(inbox.holding.is_set, what="troisième message en cours", processes=processes)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()

    # The scheduler said it was alive before its first run: its silence now is what lets
    # the next one close the run it left (a run with no instance row would stay open).
    assert query(session, select(SchedulerInstance.pid)) == [(first.pid,)]
    assert len(inbox) == 2
    rows = query(session, select(Reminder.id, Reminder.status, Reminder.claimed_until))
    assert sorted(s for _, s, _ in rows) == [PENDING] * 4 + [SENT] * 2
    (in_flight,) = [i for i, s, until in rows if s == PENDING and until is not None]
    (killed_run,) = query(
        session,
        select(JobRun.id, JobRun.status, JobRun.ended_at).where(JobRun.job == "reminders"),
    )
    assert killed_run[1:] == ("running", None)

    inbox.hold_from = None  # the server is fast again (the held message stays unanswered)
    processes("scheduler-b", SCHEDULER, env)

    def all_sent():
        return {s for (s,) in query(session, select(Reminder.status))} == {SENT}

    wait_for(all_sent, what="rappels repris après le redémarrage", processes=processes)

    def closed():
        row = query(session, select(JobRun.status, JobRun.error).where(JobRun.id == killed_run[0]))
        return row[0][0] == ERROR and row[0][1].startswith("Exécution interrompue")

    wait_for(closed, what="exécution tuée refermée comme interrompue", processes=processes)
    received = inbox.by_recipient()
    assert {to: len(messages) for to, messages in received.items()} == dict.fromkeys(expected, 1)
    attempts = dict(query(session, select(Reminder.id, Reminder.attempts)))
    assert attempts.pop(in_flight) == 2  # claimed by the killed scheduler, then taken back
    assert set(attempts.values()) == {1}
