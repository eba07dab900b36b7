"""Agenda pages: team day view, week view, print view, booking form, appointment page
and its actions, admin pages; permissions, French messages, bounded query counts."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import page_text
from tests.factories import (
    future_weekday,
    local,
    make_absence,
    make_appointment_type,
    make_open_staff,
    make_patient,
    make_rule,
    make_staff,
)
from umpro.acting import Acting
from umpro.auth.models import AccessLog
from umpro.db import utcnow
from umpro.scheduling.models import Absence, Appointment, AppointmentType, AvailabilityRule
from umpro.scheduling.services import booking
from umpro.timeutil import local_today


@pytest.fixture
def scene(session, practice, sign_in):
    browser, secretary = sign_in("secretary")
    gp = make_open_staff(session, practice, given_name="Claire", family_name="Martin")
    consult = make_appointment_type(session, practice, label="Consultation", colour="teal")
    patient = make_patient(session, practice, family_name="Durand", given_names="Hélène")
    day = future_weekday(0)
    session.commit()
    return {
        "b": browser,
        "secretary": secretary,
        "gp": gp,
        "consult": consult,
        "patient": patient,
        "day": day,
        "practice": practice,
    }


def book(session, scene, start="09:00", **kwargs):
    values = {
        "actor": scene["secretary"],
        "patient": scene["patient"],
        "staff": scene["gp"],
        "appointment_type": scene["consult"],
    } | kwargs
    acting = Acting(values.pop("actor"), utcnow())
    appointment = booking.book_appointment(
        session, acting=acting, start_at=local(scene["day"], start), **values
    )
    session.commit()
    return appointment


def test_nav_agenda_points_at_the_day_view(scene):
    home = scene["b"].get("/")
    assert re.search(r'href="/agenda/"[^>]*>Agenda<', home.text)


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/agenda/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_day_view_shows_columns_rooms_colours_and_free_times(session, scene):
    appointment = book(session, scene)
    response = scene["b"].get(f"/agenda/?jour={scene['day']}")
    text = page_text(response)
    assert response.status_code == 200
    assert "Dr Claire Martin" in text
    assert scene["gp"].test_room.name in text
    assert "DURAND Hélène" in text
    assert 'class="appt c-teal st-booked' in text
    assert f"/agenda/rendez-vous/{appointment.id}" in text
    start = f"{scene['day'].isoformat()}T09:15"
    assert f"/agenda/rendez-vous/nouveau?staff={scene['gp'].id}&amp;start={start}" in response.text
    log = session.scalars(select(AccessLog).where(AccessLog.action == "agenda.read")).all()
    assert [row.patient_id for row in log] == [scene["patient"].id]


def test_cancelled_appointments_are_hidden_unless_asked(session, scene):
    appointment = book(session, scene)
    booking.cancel_appointment(
        session,
        acting=Acting(scene["secretary"], utcnow()),
        appointment=appointment,
        reason="Empêché",
    )
    session.commit()
    hidden = page_text(scene["b"].get(f"/agenda/?jour={scene['day']}"))
    assert "DURAND Hélène" not in hidden
    shown = page_text(scene["b"].get(f"/agenda/?jour={scene['day']}&annules=1"))
    assert "Hors agenda (1)" in shown and "Annulé" in shown and "DURAND Hélène" in shown


def test_a_line_marks_now_on_todays_agenda(frozen_now, session, scene):
    # frozen_now comes first: the sign-in happens at the frozen instant too.
    # A fresh GP (no weekday openings to conflict with), open on the frozen day.
    today = local_today("Europe/Paris", frozen_now)
    junior = make_staff(session, scene["practice"], given_name="Jeanne", family_name="Nuit")
    make_rule(session, junior, weekday=today.weekday(), start="08:00", end="19:00")
    session.commit()
    assert 'class="now-line at-' in scene["b"].get("/agenda/").text
    assert 'class="now-line at-' not in scene["b"].get(f"/agenda/?jour={scene['day']}").text


def test_absences_and_holidays_show_in_the_grid(session, scene):
    make_absence(
        session,
        scene["gp"],
        start_at=local(scene["day"], "14:00"),
        end_at=local(scene["day"], "19:00"),
        kind="training",
    )
    session.commit()
    text = page_text(scene["b"].get(f"/agenda/?jour={scene['day']}"))
    assert "Formation 14:00–19:00" in text


def test_a_bad_date_falls_back_to_today_with_a_french_message(scene):
    response = scene["b"].get("/agenda/?jour=2027-02-31")
    assert response.status_code == 200
    assert "Date illisible « 2027-02-31 »" in page_text(response)


def test_day_view_query_count_does_not_grow_with_the_data(session, scene, count_queries):
    book(session, scene)
    scene["b"].get(f"/agenda/?jour={scene['day']}")  # warm-up (sign-in session refresh)
    with count_queries() as small:
        assert scene["b"].get(f"/agenda/?jour={scene['day']}").status_code == 200
    for _n in range(5):
        other = make_open_staff(session, scene["practice"])
        for hour in ("08:00", "10:00", "15:00"):
            book(
                session, scene, hour, staff=other, patient=make_patient(session, scene["practice"])
            )
    with count_queries() as large:
        response = scene["b"].get(f"/agenda/?jour={scene['day']}")
    assert response.text.count('class="appt ') == 16
    # The access log's statements (one row per view, written at the commit point) apart.
    reads = [s for s in large.statements if not s.startswith("INSERT INTO access_log")]
    small_reads = [s for s in small.statements if not s.startswith("INSERT INTO access_log")]
    assert len(reads) == len(small_reads), "\n".join(s[:150] for s in reads)
    assert len(reads) <= 15
    assert (
        session.scalar(select(func.count(AccessLog.id)).where(AccessLog.action == "agenda.read"))
        == 3  # one row per view (warm-up, small, large), listing the patients shown
    )


def test_week_view_shows_the_persons_days(session, scene):
    book(session, scene)
    book(session, scene, "10:00", patient=make_patient(session, scene["practice"]))
    response = scene["b"].get(f"/agenda/semaine/{scene['gp'].id}?semaine={scene['day']}")
    text = page_text(response)
    assert response.status_code == 200
    assert "Semaine de Dr Claire Martin" in text
    for name in ("lundi", "mardi", "mercredi", "jeudi", "vendredi"):
        assert name in text
    assert text.count("DURAND Hélène") == 1
    assert 'class="appt ' in response.text


def test_my_week_redirects_to_my_agenda(scene):
    response = scene["b"].get("/agenda/semaine")
    assert response.headers["Location"].endswith(f"/agenda/semaine/{scene['secretary'].id}")


def test_day_view_filtered_to_one_person_logs_only_the_patients_it_shows(session, scene):
    other_gp = make_open_staff(session, scene["practice"], given_name="Karim", family_name="Benali")
    other_patient = make_patient(session, scene["practice"], family_name="Roussel")
    book(session, scene)
    book(session, scene, staff=other_gp, patient=other_patient)
    response = scene["b"].get(f"/agenda/?jour={scene['day']}&staff={scene['gp'].id}")
    assert "DURAND" in page_text(response) and "ROUSSEL" not in page_text(response)
    (row,) = session.scalars(select(AccessLog).where(AccessLog.action == "agenda.read")).all()
    assert row.patient_ids == str(scene["patient"].id)


def test_print_view_lists_each_agenda_and_logs_it(session, scene):
    book(session, scene)
    response = scene["b"].get(f"/agenda/impression?jour={scene['day']}")
    text = page_text(response)
    assert "DURAND Hélène" in text and "01/01/1970" in text and "data-print" in response.text
    assert (
        session.scalar(select(func.count(AccessLog.id)).where(AccessLog.action == "agenda.print"))
        == 1
    )


def test_print_view_filtered_to_one_person_logs_only_the_patients_it_prints(session, scene):
    book(session, scene)  # Durand, with Dr Martin
    benali = make_open_staff(session, scene["practice"], family_name="Benali")
    roussel = make_patient(session, scene["practice"], family_name="Roussel")
    book(session, scene, staff=benali, patient=roussel)
    text = page_text(scene["b"].get(f"/agenda/impression?jour={scene['day']}&staff={benali.id}"))
    assert "ROUSSEL" in text and "DURAND" not in text
    (row,) = session.scalars(select(AccessLog).where(AccessLog.action == "agenda.print")).all()
    assert (row.target, row.patient_ids) == (f"agenda:{scene['day']}", str(roussel.id))


# --- booking form ----------------------------------------------------------------------


def form(scene, **overrides):
    return {
        "patient_id": scene["patient"].id,
        "staff_id": scene["gp"].id,
        "type_id": scene["consult"].id,
        "day": scene["day"].isoformat(),
        "time": "09:00",
        "source": "phone",
        "action": "book",
    } | overrides


def test_the_form_is_prefilled_from_a_free_time(scene):
    response = scene["b"].get(
        f"/agenda/rendez-vous/nouveau?staff={scene['gp'].id}&start={scene['day']}T09:15"
    )
    assert response.status_code == 200
    assert 'value="09:15"' in response.text
    assert f'value="{scene["day"].isoformat()}"' in response.text
    assert 'data-booking-search="/api/v1/patients"' in response.text


def test_booking_through_the_form(session, scene):
    response = scene["b"].post("/agenda/rendez-vous/nouveau", data=form(scene))
    assert response.status_code == 302, page_text(response)
    appointment = session.scalars(select(Appointment)).one()
    assert (appointment.source, appointment.start_at) == ("phone", local(scene["day"], "09:00"))
    page = scene["b"].get(response.headers["Location"])
    assert "Rendez-vous pris le" in page_text(page)


def test_offered_slots_can_be_booked(session, scene):
    response = scene["b"].post(
        "/agenda/rendez-vous/nouveau", data=form(scene, action="slots", time="")
    )
    text = page_text(response)
    assert response.status_code == 200 and "Créneaux libres" in text
    slot = re.search(r'name="slot" value="([^"]+)"', response.text).group(1)
    done = scene["b"].post("/agenda/rendez-vous/nouveau", data=form(scene, slot=slot, time=""))
    assert done.status_code == 302
    assert session.scalar(select(func.count(Appointment.id))) == 1


@pytest.mark.parametrize(
    ("overrides", "status", "message"),
    [
        ({"patient_id": ""}, 422, "Choisissez un patient."),
        ({"time": ""}, 422, "Indiquez l'heure."),
        ({"time": "25:00"}, 422, "N'est pas un horaire valide."),
        ({"time": "12:30"}, 422, "en dehors des plages d'ouverture"),
        ({"day": "2027-03-28", "time": "02:30"}, 422, "L'heure 02:30 n'existe pas le 28/03/2027"),
        ({"day": "2026-10-25", "time": "02:30"}, 422, "L'heure 02:30 existe deux fois"),
        ({"type_id": ""}, 422, "Choisissez le type de rendez-vous."),
    ],
)
def test_bad_bookings_get_french_messages_next_to_the_field(
    session, scene, overrides, status, message
):
    response = scene["b"].post("/agenda/rendez-vous/nouveau", data=form(scene, **overrides))
    assert response.status_code == status
    assert message in page_text(response)
    assert 'class="error"' in response.text
    assert session.scalar(select(func.count(Appointment.id))) == 0


def test_a_taken_time_is_a_409_with_the_reason(session, scene):
    book(session, scene, patient=make_patient(session, scene["practice"]))
    response = scene["b"].post("/agenda/rendez-vous/nouveau", data=form(scene))
    assert response.status_code == 409
    assert "a déjà un rendez-vous de 09:00 à 09:15" in page_text(response)


def test_server_side_patient_search_without_javascript(scene):
    response = scene["b"].post(
        "/agenda/rendez-vous/nouveau",
        data=form(scene, patient_id="", action="search", patient_query="helene"),
    )
    assert response.status_code == 200
    assert f'name="patient_id" value="{scene["patient"].id}"' in response.text


# --- appointment page ------------------------------------------------------------------


def test_appointment_page_shows_history_and_logs_the_read(session, scene):
    appointment = book(session, scene)
    response = scene["b"].get(f"/agenda/rendez-vous/{appointment.id}")
    text = page_text(response)
    assert "Historique" in text and "Pris" in text and "Réservé" in text
    assert (
        session.scalar(
            select(func.count(AccessLog.id)).where(AccessLog.action == "appointment.read")
        )
        == 1
    )


def test_move_cancel_and_stale_version_from_the_page(session, scene):
    appointment = book(session, scene)
    url = f"/agenda/rendez-vous/{appointment.id}"
    moved = scene["b"].post(
        f"{url}/deplacer",
        data={
            "version": "1",
            "staff_id": scene["gp"].id,
            "day": scene["day"].isoformat(),
            "time": "15:00",
        },
    )
    assert moved.status_code == 302
    session.expire_all()
    assert session.get(Appointment, appointment.id).start_at == local(scene["day"], "15:00")
    stale = scene["b"].post(f"{url}/annuler", data={"version": "1", "reason": "Empêché"})
    assert stale.status_code == 409
    assert "modifié entre-temps, rechargez" in page_text(stale)
    empty = scene["b"].post(f"{url}/annuler", data={"version": "2", "reason": ""})
    assert empty.status_code == 422
    assert "Indiquez le motif de l'annulation." in page_text(empty)
    done = scene["b"].post(f"{url}/annuler", data={"version": "2", "reason": "Empêché"})
    assert done.status_code == 302
    session.expire_all()
    assert session.get(Appointment, appointment.id).status == "cancelled"


def test_marking_a_status_before_the_start_is_refused(session, scene):
    appointment = book(session, scene)
    response = scene["b"].post(
        f"/agenda/rendez-vous/{appointment.id}/statut", data={"version": "1", "status": "fulfilled"}
    )
    assert response.status_code == 422
    assert "Ce rendez-vous n'a pas encore commencé." in page_text(response)


# --- permissions -------------------------------------------------------------------------


def test_student_reads_the_agenda_without_patient_names_and_cannot_book(session, scene, sign_in):
    appointment = book(session, scene)
    student, _ = sign_in("student")
    day = page_text(student.get(f"/agenda/?jour={scene['day']}"))
    assert "Occupé" in day and "DURAND" not in day
    assert "Nouveau rendez-vous" not in day
    assert student.get("/agenda/rendez-vous/nouveau").status_code == 403
    assert student.post("/agenda/rendez-vous/nouveau", data=form(scene)).status_code == 403
    assert student.get(f"/agenda/rendez-vous/{appointment.id}").status_code == 403


def test_an_appointment_whose_patient_is_hidden_is_refused_with_a_reason(
    frozen_now, session, scene, sign_in
):
    appointment = book(session, scene)
    student, _ = sign_in("student")
    for url in (f"/agenda/rendez-vous/{appointment.id}", f"/agenda/deplacer/{appointment.id}"):
        response = student.get(url)
        assert response.status_code == 403, url
        assert "Vous ne pouvez pas consulter ce rendez-vous." in page_text(response), url


def test_gp_cannot_manage_a_colleagues_appointment(session, scene, sign_in):
    appointment = book(session, scene)
    colleague, _ = sign_in("gp")
    response = colleague.post(
        f"/agenda/rendez-vous/{appointment.id}/annuler", data={"version": "1", "reason": "x"}
    )
    assert response.status_code == 403
    assert "Vous ne pouvez pas annuler ce rendez-vous." in page_text(response)


def test_junior_counter_visible_to_junior_and_supervisor_only(session, scene, sign_in):
    junior_browser, _junior_doctor = sign_in("junior_doctor", supervisor_id=scene["gp"].id)
    supervisor = scene["b"].__class__(scene["b"].client.application.test_client())
    assert supervisor.login(scene["gp"].email).status_code == 302
    for b in (junior_browser, supervisor):
        assert "Actes réalisés par" in page_text(b.get("/agenda/"))
    assert "Actes réalisés par" not in page_text(scene["b"].get("/agenda/"))


@pytest.mark.parametrize("url", ["/agenda/types", "/agenda/plages", "/agenda/types/nouveau"])
def test_admin_pages_refuse_non_admins(scene, url):
    assert scene["b"].get(url).status_code == 403


# --- admin pages ---------------------------------------------------------------------------


@pytest.fixture
def admin(sign_in):
    browser, _staff = sign_in("coordinator", is_admin=True)
    return browser


def test_admin_creates_a_type(session, admin):
    response = admin.post(
        "/agenda/types/nouveau",
        data={
            "label": "Vaccination",
            "duration_minutes": "10",
            "professions": ["nurse", "gp"],
            "colour": "green",
            "is_active": "y",
        },
    )
    assert response.status_code == 302
    created = session.scalars(select(AppointmentType)).one()
    assert (created.label, created.professions) == ("Vaccination", ["gp", "nurse"])
    assert "Vaccination" in page_text(admin.get("/agenda/types"))


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (datetime(2026, 11, 30, 22, 30, tzinfo=UTC), "2026-11-30"),  # 23:30 in Paris
        (datetime(2026, 11, 30, 23, 30, tzinfo=UTC), "2026-12-01"),  # 00:30 in Paris
        (datetime(2026, 6, 30, 22, 30, tzinfo=UTC), "2026-07-01"),  # 00:30 in Paris, summer
    ],
)
def test_a_new_rule_starts_on_the_practices_date_not_utcs(
    frozen_now, monkeypatch, session, sign_in, instant, expected
):
    from umpro import db as umpro_db

    monkeypatch.setattr(umpro_db, "frozen_at", instant)
    admin, _ = sign_in("coordinator", is_admin=True)
    page = admin.get("/agenda/plages/nouvelle")
    assert page.status_code == 200
    field = re.search(r'<input[^>]*name="valid_from"[^>]*>', page.text)
    assert field is not None and f'value="{expected}"' in field.group(0)


def test_type_form_errors_are_french(session, admin):
    response = admin.post(
        "/agenda/types/nouveau", data={"label": "", "duration_minutes": "7", "colour": "green"}
    )
    text = page_text(response)
    assert response.status_code == 422
    assert "Le libellé est obligatoire." in text


def test_admin_edits_rules_and_sees_overlaps_refused(session, scene, admin):
    data = {
        "staff_id": scene["gp"].id,
        "weekday": "0",
        "start_time": "11:00",
        "end_time": "13:00",
        "room_id": "",
        "valid_from": "2020-01-01",
    }
    response = admin.post("/agenda/plages/nouvelle", data=data)
    assert response.status_code == 409
    assert "Cette plage chevauche celle du lundi 08:00–12:00" in page_text(response)
    response = admin.post(
        "/agenda/plages/nouvelle", data=data | {"start_time": "13:00", "end_time": "12:00"}
    )
    assert "L'heure de fin doit être après l'heure de début." in page_text(response)
    before = session.scalar(select(func.count(AvailabilityRule.id)))
    ok = admin.post("/agenda/plages/nouvelle", data=data | {"weekday": "5", "start_time": "09:00"})
    assert ok.status_code == 302
    assert session.scalar(select(func.count(AvailabilityRule.id))) == before + 1
    assert "Samedi" in page_text(admin.get("/agenda/plages"))


def _post_leave(admin, staff, start_day, end_day, **fields):
    """Posts the absences page: leave for `staff` from `start_day` to `end_day`."""
    return admin.post(
        "/agenda/absences",
        data={"staff_id": staff.id, "kind": "leave", "start_day": start_day, "end_day": end_day}
        | fields,
    )


def test_absences_page_records_leave_and_the_teaching_half_day(session, scene, admin):
    response = _post_leave(
        admin,
        scene["gp"],
        scene["day"].isoformat(),
        (scene["day"] + timedelta(days=4)).isoformat(),
        note="",
    )
    assert response.status_code == 302
    absence = session.scalars(select(Absence)).one()
    assert absence.end_at == local(scene["day"] + timedelta(days=5), "00:00")
    weekly = admin.post(
        "/agenda/absences/hebdomadaires",
        data={
            "staff_id": scene["gp"].id,
            "kind": "teaching",
            "weekday": "3",
            "start_time": "14:00",
            "end_time": "18:00",
            "valid_from": "2026-11-02",
        },
    )
    assert weekly.status_code == 302
    page = page_text(admin.get("/agenda/absences"))
    assert "Congés" in page and "Demi-journée de formation" in page and "Jeudi" in page
    bad = _post_leave(admin, scene["gp"], "2026-12-10", "2026-12-01")
    assert bad.status_code == 422
    assert "La fin de l'absence doit suivre son début." in page_text(bad)


def _forms(html: str) -> dict[str, dict]:
    """action → {name: value} of each POST form of a page (hidden inputs and buttons)."""
    forms = {}
    for action, body in re.findall(
        r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', html, re.S
    ):
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', body))
        forms.setdefault(action, []).append(fields)
    return forms


def test_the_pages_own_status_buttons_work(session, scene):
    appointment = book(session, scene)
    appointment.start_at = utcnow() - timedelta(minutes=5)
    appointment.end_at = utcnow() + timedelta(minutes=10)
    session.commit()
    page = scene["b"].get(f"/agenda/rendez-vous/{appointment.id}")
    status_forms = _forms(page.text)[f"/agenda/rendez-vous/{appointment.id}/statut"]
    arrived = next(f for f in status_forms if f["status"] == "arrived")
    assert arrived["version"] == str(appointment.version)
    response = scene["b"].post(f"/agenda/rendez-vous/{appointment.id}/statut", data=arrived)
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Appointment, appointment.id).status == "arrived"
    assert "Patient arrivé" in page_text(page) and "Patient non venu" in page_text(page)


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/agenda/rendez-vous/nouveau", {"day": "9999-12-31", "time": "23:50"}),
        ("/agenda/absences", {"start_day": "2026-12-01", "end_day": "9999-12-31"}),
    ],
)
def test_dates_out_of_range_are_refused_not_500(scene, admin, url, data):
    browser = admin if "absences" in url else scene["b"]
    base = form(scene) if "nouveau" in url else {"staff_id": scene["gp"].id, "kind": "leave"}
    response = browser.post(url, data=base | data)
    assert response.status_code == 422
    assert "Date hors limites (1900–2200)." in page_text(response)
