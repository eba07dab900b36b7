"""The desk screen (médecin traitant first, booking, alternatives, query count), the
unscheduled-slots and appointment API with the regulator rules, permissions."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import page_text
from tests.factories import (
    local,
    make_appointment,
    make_appointment_type,
    make_declaration,
    make_hold_policy,
    make_open_staff,
    make_patient,
)
from umpro.scheduling.models import USED, Appointment, AppointmentEvent, HeldSlot


@pytest.fixture
def desk(frozen_now, session, practice, sign_in):
    """Monday 30 November 2026, 10:00 Paris. Two GPs hold 25 % of each opening
    (11:00–12:00 and 17:45–19:00), released 30 minutes ahead; the patient's médecin
    traitant is the second GP."""
    day = frozen_now.astimezone().date()
    gp = make_open_staff(session, practice, given_name="Claire", family_name="Martin")
    gp2 = make_open_staff(session, practice, given_name="Karim", family_name="Benali")
    consult = make_appointment_type(session, practice, label="Consultation")
    make_hold_policy(session, practice, release_lead_minutes=30)
    patient = make_patient(session, practice, family_name="Durand")
    make_declaration(session, patient, gp2)
    session.commit()
    b, secretary = sign_in("secretary")
    return type(
        "Desk",
        (),
        {
            "b": b,
            "secretary": secretary,
            "gp": gp,
            "gp2": gp2,
            "consult": consult,
            "patient": patient,
            "day": day,
            "practice": practice,
        },
    )


def test_the_desk_proposes_todays_held_slots_treating_gp_first(desk):
    response = desk.b.get(f"/agenda/soins-non-programmes/accueil?patient={desk.patient.id}")
    text = page_text(response)
    assert response.status_code == 200
    assert "médecin traitant : Dr Karim Benali" in text
    offers = text.split("Créneaux réservés aux soins non programmés aujourd'hui", 1)[1]
    # The médecin traitant's held slots first (eight proposals: all his at first).
    first = offers.split("Créneau SNP")[1]
    assert "Benali" in first and "(médecin traitant)" in first
    assert offers.count("Créneau SNP") == 8
    assert "30/11/2026 11:00" in offers and "Créneau SNP" in offers
    assert "La régulation SAS est ouverte" in text


def test_the_desk_books_in_one_click_after_the_patient(desk, session):
    slot = f"{desk.gp2.id}|{local(desk.day, '11:00').isoformat()}|{desk.consult.id}"
    response = desk.b.post(
        "/agenda/soins-non-programmes/accueil",
        data={
            "patient_id": desk.patient.id,
            "reason": "Fièvre depuis hier",
            "urgency": "today",
            "source": "phone",
            "slot": slot,
        },
    )
    assert response.status_code == 302
    appointment = session.scalar(select(Appointment))
    assert appointment.is_unscheduled and appointment.staff_id == desk.gp2.id
    assert session.scalar(select(HeldSlot.state)) == USED
    note = session.scalar(select(AppointmentEvent.note))
    assert "motif : Fièvre depuis hier" in note and "urgence : aujourd'hui" in note


def test_the_desk_refuses_without_a_reason_and_saves_nothing(desk, session):
    slot = f"{desk.gp2.id}|{local(desk.day, '11:00').isoformat()}|{desk.consult.id}"
    response = desk.b.post(
        "/agenda/soins-non-programmes/accueil",
        data={"patient_id": desk.patient.id, "urgency": "today", "source": "phone", "slot": slot},
    )
    assert response.status_code == 422
    assert "Indiquez le motif de la demande." in page_text(response)
    assert session.scalar(select(func.count(Appointment.id))) == 0


def test_the_desk_creates_a_patient_in_a_few_fields(desk, session):
    response = desk.b.post(
        "/agenda/soins-non-programmes/accueil/patient",
        data={
            "family_name": "Nouveau",
            "given_names": "Léa",
            "birth_date": "1990-05-04",
            "sex": "F",
        },
    )
    assert response.status_code == 302 and "patient=" in response.headers["Location"]
    bad = desk.b.post(
        "/agenda/soins-non-programmes/accueil/patient",
        data={"family_name": "", "given_names": "Léa", "birth_date": "x", "sex": "F"},
    )
    assert bad.status_code == 422 and "Date de naissance illisible." in page_text(bad)


def test_when_nothing_is_left_today_the_alternatives_show(desk, session, practice):
    make_hold_policy(session, practice, weekdays=(1,), release_lead_minutes=30)  # Tuesdays
    make_open_staff(session, practice, profession="nurse", given_name="Inès", family_name="Roux")
    make_appointment_type(session, practice, label="Soin infirmier", professions=["nurse"])
    session.commit()
    text = page_text(desk.b.get(f"/agenda/soins-non-programmes/accueil?patient={desk.patient.id}"))
    assert "Plus aucun créneau réservé libre aujourd'hui." in text
    assert "01/12/2026 11:00" in text  # tomorrow's held slot, within 48 h
    assert "Autres professionnels aujourd'hui" in text and "Roux" in text


def test_the_desk_query_count_does_not_grow_with_history(desk, session, count_queries):
    url = f"/agenda/soins-non-programmes/accueil?patient={desk.patient.id}"
    desk.b.get(url)
    with count_queries() as small:
        assert desk.b.get(url).status_code == 200
    for week in range(1, 9):
        for hour in ("08:00", "09:00", "14:00", "15:00"):
            make_appointment(
                session,
                desk.gp,
                make_patient(session, desk.practice),
                start_at=local(desk.day - timedelta(weeks=week), hour),
                type=desk.consult,
            )
    session.commit()
    with count_queries() as large:
        assert desk.b.get(url).status_code == 200
    assert large.count == small.count
    assert large.count <= 20, "\n".join(s[:120] for s in large.statements)


@pytest.mark.parametrize("profession", ["nurse", "student", "regulator", "health_mediator"])
def test_the_desk_is_for_the_desk(desk, sign_in, profession):
    b, _ = sign_in(profession)
    assert b.get("/agenda/soins-non-programmes/accueil").status_code == 403


# --- API ---------------------------------------------------------------------------------


def test_unscheduled_slots_api(desk):
    response = desk.b.api("GET", f"/api/v1/unscheduled-slots?date={desk.day}&staff={desk.gp.id}")
    assert response.status_code == 200
    items = response.json["items"]
    assert [i["start"][11:16] for i in items] == [
        "11:00", "11:15", "11:30", "11:45", "17:45", "18:00", "18:15", "18:30", "18:45",
    ]  # fmt: skip
    assert set(items[0]) == {"staff_id", "type_id", "start", "end", "room_id"}
    assert items[0]["staff_id"] == desk.gp.id and items[0]["type_id"] == desk.consult.id
    assert (
        desk.b.api("GET", "/api/v1/unscheduled-slots?date=2026-13-01").status_code == 422
    )  # a value refused (one policy: 422)


def post(b, desk, start, **body):
    payload = {
        "patient_id": desk.patient.id,
        "staff_id": desk.gp.id,
        "type_id": desk.consult.id,
        "start": start,
    } | body
    return b.api("POST", "/api/v1/appointments", json=payload)


def test_api_books_a_held_slot_today_and_refuses_tomorrows(desk, session):
    today = post(desk.b, desk, f"{desk.day}T11:00", unscheduled=True, source="phone")
    assert today.status_code == 201 and today.json["is_unscheduled"] is True
    tomorrow = post(desk.b, desk, f"{desk.day + timedelta(days=1)}T11:00", source="phone")
    assert tomorrow.status_code == 422
    assert "gardé pour les soins non programmés" in tomorrow.json["error"]["message"]
    assert session.scalar(select(func.count(Appointment.id))) == 1


def test_api_regulator_rules(desk, sign_in, session):
    no_reference = post(desk.b, desk, f"{desk.day}T15:00", source="regulator")
    assert no_reference.status_code == 422
    assert no_reference.json["error"]["field"] == "regulator_name"
    by_desk = post(
        desk.b,
        desk,
        f"{desk.day}T15:00",
        source="regulator",
        regulator_name="Dr Sas",
        regulator_reference="R-1",
    )
    assert by_desk.status_code == 201
    assert by_desk.json["regulator_reference"] == "R-1"
    b, regulator = sign_in("regulator")
    too_far = post(b, desk, f"{desk.day + timedelta(days=3)}T09:00", source="regulator")
    assert too_far.status_code == 422 and "48 heures" in too_far.json["error"]["message"]
    held = post(b, desk, f"{desk.day + timedelta(days=1)}T11:00", source="regulator")
    assert held.status_code == 201, held.json
    assert held.json["regulator_name"] == regulator.display_name
    as_desk = post(b, desk, f"{desk.day + timedelta(days=1)}T09:00", source="phone")
    assert as_desk.status_code == 403
    assert session.scalar(select(func.count(Appointment.id))) == 2


def test_the_slot_api_and_the_page_offer_the_same_slots(desk):
    api = desk.b.api("GET", f"/api/v1/slots?type={desk.consult.id}&staff={desk.gp.id}&limit=5")
    starts = [i["start"][11:16] for i in api.json["items"]]
    assert starts[0] == "10:30"  # 30 minutes' notice (UMPRO_MIN_NOTICE_MINUTES)
    assert "11:00" not in starts  # held
    page = desk.b.post(
        "/agenda/rendez-vous/nouveau",
        data={"action": "slots", "type_id": desk.consult.id, "staff_id": desk.gp.id},
    )
    text = page_text(page)
    assert "30/11/2026 10:30" in text and "30/11/2026 11:00" not in text


def test_openapi_documents_the_new_routes(desk):
    paths = desk.b.api("GET", "/api/v1/openapi.json").json["paths"]
    assert "/unscheduled-slots" in paths and "/reports/unscheduled" in paths


def test_day_and_week_views_show_held_slots_with_a_label(desk, session):
    post(desk.b, desk, f"{desk.day}T11:15", unscheduled=True, source="phone")
    day = desk.b.get(f"/agenda/?jour={desk.day}")
    assert day.status_code == 200
    assert day.text.count('class="held ') == 2 * 9 - 1  # two GPs, 9 held each, one used
    assert "créneau réservé aux soins non programmés (réservé snp)" in day.text
    assert 'class="badge badge-snp">SNP<' in day.text
    week = desk.b.get(f"/agenda/semaine/{desk.gp2.id}?semaine={desk.day}")
    assert week.status_code == 200 and 'class="held ' in week.text


def _save_blocks(browser, staff, blocks, *, weekdays, slot_minutes, release_lead):
    """Posts the hold policy page in blocks mode for `staff`."""
    return browser.post(
        "/agenda/soins-non-programmes/reglages",
        data={
            "staff": staff.id,
            "mode": "blocks",
            "blocks": blocks,
            "weekdays": weekdays,
            "slot_minutes": slot_minutes,
            "release_lead": release_lead,
        },
    )


def test_the_policy_page_saves_and_refuses_in_french(desk, sign_in, session):
    b, _ = sign_in("coordinator", is_admin=True)
    assert b.get("/agenda/soins-non-programmes/reglages").status_code == 200
    bad = b.post(
        "/agenda/soins-non-programmes/reglages",
        data={"mode": "share", "share_percent": "150", "weekdays": ["0"], "slot_minutes": "15"},
    )
    assert bad.status_code == 422 and "de 0 à 100 %" in page_text(bad)
    overlap = _save_blocks(
        b,
        desk.gp,
        "lundi 11:00-12:00\nlundi 11:30-12:00",
        weekdays=["0"],
        slot_minutes="15",
        release_lead="30",
    )
    assert overlap.status_code == 422 and "se chevauchent le lundi" in page_text(overlap)
    good = _save_blocks(
        b, desk.gp, "lundi 11:00-12:00", weekdays=["0", "1"], slot_minutes="20", release_lead=""
    )
    assert good.status_code == 302
    page = page_text(b.get(f"/agenda/soins-non-programmes/reglages?staff={desk.gp.id}"))
    assert "Lundi 11:00–12:00" in page and "jamais" in page


@pytest.mark.parametrize("profession", ["nurse", "student", "secretary", "regulator"])
def test_the_policy_page_is_closed_to_others(desk, sign_in, profession):
    b, _ = sign_in(profession)
    assert b.get("/agenda/soins-non-programmes/reglages").status_code == 403
