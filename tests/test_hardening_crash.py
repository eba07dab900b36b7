"""Crash (issue 14): ``kill -9`` of gunicorn during a burst of bookings on SQLite loses no
acknowledged booking and leaves a sound database file."""

import http.client
import json
import os
import signal
import sqlite3
import threading
import urllib.error
import urllib.request
from datetime import timedelta

import pytest

from tests import factories
from tests.test_jobs_processes import BIN, production_env, wait_for
from tests.test_jobs_processes import processes as _processes_fixture
from tests.test_jobs_support import free_port

CLIENTS = 8

processes = _processes_fixture  # fixture


def _post(base: str, key: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
        base + "/api/v1/appointments",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 - http
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {}
    except (OSError, http.client.HTTPException, ValueError):  # the server died mid-answer
        return 0, {}


def _health(base: str) -> int:
    try:
        with urllib.request.urlopen(base + "/sante", timeout=5) as response:  # noqa: S310
            return response.status
    except OSError:
        return 0


@pytest.mark.sqlite_only
@pytest.mark.processes
def test_kill_9_during_a_booking_burst_loses_no_acknowledged_booking(
    session,
    practice,
    database_url,
    processes,
    tmp_path,
):
    from umpro.auth.services import create_api_key

    secretary = factories.make_staff(session, practice, profession="secretary")
    kind = factories.make_appointment_type(session, practice, label="Consultation")
    slots = []
    for _ in range(CLIENTS):
        gp = factories.make_open_staff(session, practice)
        patient = factories.make_patient(session, practice)
        queue = []
        for week in (2, 3):
            for weekday in range(5):
                day = factories.future_weekday(weekday, weeks=week)
                start = factories.local(day, "08:00")
                queue += [
                    {
                        "patient_id": patient.id,
                        "staff_id": gp.id,
                        "type_id": kind.id,
                        "start": (start + timedelta(minutes=15 * i)).isoformat(),
                    }
                    for i in range(16)
                ]
        slots.append(queue)
    key = create_api_key(session, staff=secretary)
    session.commit()
    session.close()
    path = database_url.removeprefix("sqlite:///")
    env = production_env(
        database_url,
        tmp_path,
        UMPRO_SECRET_KEY="cle-des-essais-de-crash",
        UMPRO_AUDIT_KEY="cle-du-journal-des-essais-de-crash",
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    gunicorn = [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}", "wsgi:app"]
    server = processes("web", gunicorn, env)
    wait_for(lambda: _health(base) == 200, what="gunicorn répond", processes=processes)

    acknowledged: list[tuple[int, str]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def client(queue):
        for body in queue:
            if stop.is_set():
                return
            status, created = _post(base, key, body)
            if status == 201:
                with lock:
                    acknowledged.append((created["id"], body["start"]))
            elif status == 0:
                return  # the server is gone

    threads = [threading.Thread(target=client, args=(q,)) for q in slots]
    for thread in threads:
        thread.start()
    wait_for(lambda: len(acknowledged) >= 40, what="40 rendez-vous confirmés", processes=processes)
    os.killpg(server.pid, signal.SIGKILL)  # the master and its workers, mid-burst
    server.wait(timeout=10)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)

    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        rows = dict(db.execute("SELECT id, start_at FROM appointment").fetchall())
    missing = [i for i, _ in acknowledged if i not in rows]
    assert not missing, f"{len(missing)} rendez-vous confirmés perdus sur {len(acknowledged)}"
    assert len(rows) >= len(acknowledged)

    # A restarted server serves the same data and books again.
    restarted = processes("web-2", gunicorn, env)
    wait_for(lambda: _health(base) == 200, what="gunicorn redémarre", processes=processes)
    status, _ = _post(base, key, slots[0][-1])  # a slot the burst never reached
    assert status == 201, status
    assert restarted.poll() is None
    print(f"crash: {len(acknowledged)} acknowledged before kill -9, all {len(rows)} rows sound")
