"""Twenty bookings of the same slot at once end with one appointment and nineteen 409s,
through the service and through the API, on SQLite and on PostgreSQL; the database itself
refuses overlapping rows even when the Python check is skipped."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from tests.factories import (
    future_weekday,
    local,
    make_appointment_type,
    make_open_staff,
    make_patient,
    make_staff,
)
from tests.scheduling_support import book_from_ids, thread_session
from umpro.errors import Conflict
from umpro.scheduling.models import Appointment
from umpro.scheduling.services import placement
from umpro.team.models import Staff

THREADS = 20


@pytest.fixture
def scene(session, practice):
    gp = make_open_staff(session, practice)
    secretary = make_staff(session, practice, profession="secretary")
    kind = make_appointment_type(session, practice, duration_minutes=20)
    patients = [make_patient(session, practice) for _ in range(THREADS)]
    day = future_weekday(1)
    ids = {
        "gp": gp.id,
        "secretary": secretary.id,
        "type": kind.id,
        "patients": [p.id for p in patients],
        "day": day,
    }
    # The test's own session must hold no transaction while the threads write.
    session.commit()
    session.close()
    return ids


def run_threads(target) -> list:
    barrier = threading.Barrier(THREADS)
    results: list = [None] * THREADS

    def worker(n):
        try:
            barrier.wait()
            results[n] = target(n)
        except Exception as error:  # reported by the assertions below
            results[n] = repr(error)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def appointments_at(session, scene) -> int:
    return session.scalar(
        select(func.count(Appointment.id)).where(Appointment.staff_id == scene["gp"])
    )


def book_in_thread(app, scene, n, start_hour="10:00") -> int:
    with thread_session(app) as session:
        try:
            book_from_ids(
                session,
                scene,
                n,
                # Different lengths and starts, all overlapping 10:00–10:05.
                start_at=local(scene["day"], start_hour) - timedelta(minutes=5 * (n % 3)),
                now=local(scene["day"], "06:00") - timedelta(days=1),
            )
            session.commit()
            return 201
        except Conflict as error:
            session.rollback()
            # Whichever rule refused (staff, room or patient), a French sentence.
            races = {placement.RACE_MESSAGE, *placement.EXCLUSION_MESSAGES.values()}
            assert error.message in races or "n'est pas libre" in error.message
            return error.status


def test_twenty_threads_through_the_service_book_once(app, session, scene):
    results = run_threads(lambda n: book_in_thread(app, scene, n))
    assert sorted(results, key=str) == [201] + [409] * (THREADS - 1), results
    assert appointments_at(session, scene) == 1


def test_the_database_refuses_overlaps_even_without_the_python_check(
    app, session, scene, monkeypatch
):
    """What a check-then-insert in Python alone would do under load: the database stops it."""
    monkeypatch.setattr(placement, "check_free", lambda *args, **kwargs: None)
    results = run_threads(lambda n: book_in_thread(app, scene, n))
    assert sorted(results, key=str) == [201] + [409] * (THREADS - 1), results
    assert appointments_at(session, scene) == 1


def test_twenty_threads_through_the_api_book_once(app, session, scene, api_key_for):
    headers = api_key_for(session.get(Staff, scene["secretary"]))
    start = local(scene["day"], "10:00").isoformat()
    session.commit()
    session.close()

    def post(n):
        with app.app_context():
            response = app.test_client().post(
                "/api/v1/appointments",
                json={
                    "patient_id": scene["patients"][n],
                    "staff_id": scene["gp"],
                    "type_id": scene["type"],
                    "start": start,
                },
                headers=headers,
            )
            if response.status_code == 409:
                assert response.json["error"]["code"] == "conflict"
                assert response.json["error"]["message"]
            return response.status_code

    results = run_threads(post)
    assert sorted(results, key=str) == [201] + [409] * (THREADS - 1), results
    assert appointments_at(session, scene) == 1


@pytest.mark.parametrize("column", ["staff_id", "room_id", "patient_id"])
def test_overlapping_rows_are_refused_by_the_database(session, scene, column):
    """Raw SQL, no service: the constraint (PostgreSQL) or trigger (SQLite) refuses."""
    gp = session.get(Staff, scene["gp"])
    other = make_open_staff(session, gp.practice)
    first = book_from_ids(
        session,
        scene,
        0,
        start_at=local(scene["day"], "10:00"),
        now=local(scene["day"], "06:00"),
    )
    session.commit()
    values = {
        "staff_id": other.id,
        "room_id": None,
        "patient_id": scene["patients"][1],
    }
    values[column] = getattr(first, column)
    insert = text(
        "INSERT INTO appointment (practice_id, uid, staff_id, patient_id, type_id, room_id,"
        " start_at, end_at, status, source, is_unscheduled, cancel_reason, sequence, version,"
        " created_at, updated_at) VALUES (:practice, :uid, :staff_id, :patient_id, :type,"
        " :room_id, :start, :end, :status, 'desk', false, '', 0, 1, :start, :start)"
    )
    params = {
        "practice": gp.practice_id,
        "type": scene["type"],
        "start": first.start_at + timedelta(minutes=10),
        "end": first.end_at + timedelta(minutes=10),
        **values,
    }
    if session.get_bind().dialect.name == "sqlite":
        params = {
            k: v.replace(tzinfo=None) if hasattr(v, "tzinfo") else v for k, v in params.items()
        }
    with pytest.raises(IntegrityError, match="overlap"):
        session.execute(insert, params | {"uid": "raw-1", "status": "booked"})
    session.rollback()
    # A cancelled row may overlap: only live statuses hold the time.
    session.execute(insert, params | {"uid": "raw-2", "status": "cancelled"})
    session.commit()
    assert session.scalar(select(func.count(Appointment.id))) == 2
