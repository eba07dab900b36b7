"""Unscheduled-care figures on a hand-made week with known answers: held slots used,
released, lost; the unscheduled share; the SAS indicators (2 h a week, regulated acts
outside the GP's list against the cap of 20); the report API, page and CSV."""

from datetime import date, timedelta

import pytest

from tests.conftest import page_text
from tests.factories import (
    local,
    make_appointment,
    make_appointment_type,
    make_declaration,
    make_patient,
    make_staff,
)
from umpro.scheduling.models import CANCELLED, HELD, LOST, RELEASED, USED, HeldSlot
from umpro.scheduling.services.accounting import unscheduled_report

MONDAY = date(2027, 1, 11)
TZ = "Europe/Paris"


def _rows(session, staff, day, states, first="11:00"):
    start = local(day, first)
    for n, state in enumerate(states):
        session.add(
            HeldSlot(
                practice_id=staff.practice_id,
                staff_id=staff.id,
                start_at=start + timedelta(minutes=15 * n),
                end_at=start + timedelta(minutes=15 * (n + 1)),
                state=state,
            )
        )


@pytest.fixture
def week(frozen_now, session, practice):
    a = make_staff(session, practice, profession="gp", family_name="Alpha")
    b = make_staff(session, practice, profession="gp", family_name="Bravo")
    kind = make_appointment_type(session, practice)
    tuesday, wednesday = MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)
    _rows(session, a, MONDAY, [USED, USED, RELEASED, LOST])
    _rows(session, a, tuesday, [USED, RELEASED, RELEASED, LOST])
    _rows(session, a, wednesday, [LOST, LOST])
    _rows(session, b, MONDAY, [USED, HELD])
    _rows(session, a, MONDAY + timedelta(days=7), [USED, LOST])  # the next week: left out

    def appointment(staff, day, hour, **values):
        make_appointment(
            session, staff, make_patient(session, practice), start_at=local(day, hour), type=kind,
            **values,
        )  # fmt: skip

    for day, hour in [(MONDAY, "11:00"), (MONDAY, "11:15"), (tuesday, "11:00")]:
        appointment(a, day, hour, is_unscheduled=True, source="phone")
    for hour in ("08:00", "08:30", "09:00", "09:30", "10:00"):
        appointment(a, MONDAY, hour)
    appointment(a, MONDAY, "10:30", status=CANCELLED)  # not activity
    appointment(b, MONDAY, "11:00", is_unscheduled=True)
    # Regulated: one outside A's list within 48 h (counts), one on A's list (does not),
    # one booked three days ahead (not within 48 h: does not).
    off_list = make_patient(session, practice)
    on_list = make_patient(session, practice)
    make_declaration(session, on_list, a)
    for patient, hour, ahead in [
        (off_list, "14:00", 1),
        (on_list, "14:30", 1),
        (off_list, "15:00", 3),
    ]:
        make_appointment(
            session, a, patient, start_at=local(wednesday, hour), type=kind, source="regulator",
            is_unscheduled=True, created_at=local(wednesday, hour) - timedelta(days=ahead),
        )  # fmt: skip
    session.commit()
    return a, b


def test_figures_of_the_hand_made_week(session, practice, week):
    a, b = week
    report = unscheduled_report(
        session, practice_id=practice.id, tz=TZ, first_day=MONDAY, last_day=MONDAY + timedelta(6)
    )
    fa = report.by_week[(a.id, MONDAY)]
    assert (fa.held, fa.used, fa.released, fa.lost, fa.pending) == (10, 3, 3, 4, 0)
    assert fa.held_hours == 2.5 and fa.meets_hours_condition
    assert (fa.appointments, fa.unscheduled, fa.unscheduled_share) == (11, 6, 54.5)
    assert fa.regulated_outside_list == 1
    fb = report.by_week[(b.id, MONDAY)]
    assert (fb.held, fb.used, fb.pending, fb.held_hours) == (2, 1, 1, 0.5)
    assert not fb.meets_hours_condition
    total = report.total
    assert (total.held, total.used, total.released, total.lost) == (12, 4, 3, 4)
    assert report.by_day[(a.id, MONDAY)].used == 2
    assert report.by_day[(a.id, MONDAY + timedelta(days=2))].lost == 2


def test_the_report_api_per_week_and_in_total(week, sign_in):
    a, _ = week
    b, _ = sign_in("gp")
    response = b.api("GET", f"/api/v1/reports/unscheduled?from={MONDAY}&to=2027-01-24")
    assert response.status_code == 200
    body = response.json
    assert [w["week"] for w in body["weeks"]] == ["2027-01-11", "2027-01-18"]
    first = body["weeks"][0]
    assert {k: first[k] for k in ("held", "used", "released", "lost")} == {
        "held": 12,
        "used": 4,
        "released": 3,
        "lost": 4,
    }
    assert body["total"]["held"] == 14 and body["total"]["lost"] == 5
    only_a = b.api("GET", f"/api/v1/reports/unscheduled?from={MONDAY}&to=2027-01-17&staff={a.id}")
    assert only_a.json["total"]["regulated_outside_list"] == 1
    assert only_a.json["total"]["regulated_cap"] == 20
    bad = b.api("GET", "/api/v1/reports/unscheduled?from=2027-01-17&to=2027-01-11")
    assert bad.status_code == 422 and bad.json["error"]["field"] == "to"


def test_the_page_and_the_csv(week, sign_in):
    b, _ = sign_in("gp")
    page = b.get(f"/agenda/soins-non-programmes?du={MONDAY}&au=2027-01-17")
    text = page_text(page)
    assert page.status_code == 200
    assert "Soins non programmés" in text and "1 / 20" in text
    # The chart: an SVG with its title, description and data table (the week's figures).
    assert "<svg" in page.text and "Créneaux réservés aux soins non programmés" in text
    assert "<desc" in page.text and 'class="table chart-data"' in page.text
    csv = b.get(f"/agenda/soins-non-programmes.csv?du={MONDAY}&au=2027-01-17")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Semaine du;Professionnel;Réservés;Utilisés;Libérés;Perdus")
    assert "2027-01-11;Cabinet;12;4;3;4;1;" in lines[-1]


@pytest.mark.parametrize("profession", ["secretary", "nurse", "student", "regulator"])
def test_figures_are_for_gps_and_coordinators(week, sign_in, profession):
    b, _ = sign_in(profession)
    assert b.get("/agenda/soins-non-programmes").status_code == 403
    assert b.api("GET", "/api/v1/reports/unscheduled").status_code == 403
