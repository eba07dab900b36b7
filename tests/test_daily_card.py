"""Issue 15, items 1 and 2: the patient card as the hub (book from it, its appointments,
hand-off and registration request from it) and booking with less friction (a default type
per professional, only those who perform the type, namesakes told apart, every missing
field at once). Statement counts do not grow with history or with namesakes."""

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import page_text
from tests.factories import (
    local,
    make_appointment,
    make_appointment_type,
    make_declaration,
    make_open_staff,
    make_patient,
    make_staff,
)
from umpro.acting import Acting
from umpro.auth.models import AccessLog
from umpro.scheduling.models import Appointment
from umpro.scheduling.services import patient_card
from umpro.team import services as team

BOOK = "/agenda/rendez-vous/nouveau"


@pytest.fixture
def scene(frozen_now, session, practice, sign_in):
    browser, secretary = sign_in("secretary")
    gp = make_open_staff(session, practice, given_name="Claire", family_name="Martin")
    other_gp = make_open_staff(session, practice, given_name="Paul", family_name="Bernard")
    nurse = make_open_staff(session, practice, profession="asalee_nurse", family_name="Roux")
    mediator = make_staff(session, practice, profession="health_mediator", family_name="Lemoine")
    consult = make_appointment_type(session, practice, label="Consultation")
    long = make_appointment_type(
        session, practice, label="Consultation longue", duration_minutes=30
    )
    session_type = make_appointment_type(
        session, practice, label="Séance Asalée", duration_minutes=60, professions=["asalee_nurse"]
    )
    patient = make_patient(
        session,
        practice,
        family_name="Dupont",
        given_names="Jean",
        phone="06 12 34 56 78",
        city="Lyon",
    )
    make_declaration(session, patient, gp)
    session.commit()
    return {
        "b": browser,
        "now": frozen_now,
        "practice": practice,
        "secretary": secretary,
        "gp": gp,
        "other_gp": other_gp,
        "nurse": nurse,
        "mediator": mediator,
        "consult": consult,
        "long": long,
        "session_type": session_type,
        "patient": patient,
    }


def _words(response) -> str:
    """The page's text without tags, spaces folded: what a reader sees."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page_text(response)))


def _set_default(session, staff, appointment_type):
    staff.default_type_id = appointment_type.id
    session.commit()


# --- The patient's appointments on the card ---------------------------------------------


def test_card_lists_next_and_last_appointments_bounded_and_counts_noshows(
    frozen_now, session, scene
):
    now, gp, patient = scene["now"], scene["gp"], scene["patient"]
    for days in range(1, 13):  # 12 upcoming: 10 shown
        make_appointment(session, gp, patient, start_at=now + timedelta(days=days, hours=1))
    for days in range(1, 13):  # 12 past: 10 shown
        make_appointment(
            session, gp, patient, start_at=now - timedelta(days=days), status="fulfilled"
        )
    make_appointment(session, gp, patient, start_at=now - timedelta(days=40), status="noshow")
    make_appointment(session, gp, patient, start_at=now - timedelta(days=41), status="noshow")
    make_appointment(session, gp, patient, start_at=now + timedelta(days=50), status="cancelled")
    # Older than 24 months: neither listed nor counted.
    make_appointment(session, gp, patient, start_at=now - timedelta(days=800), status="noshow")
    make_appointment(
        session, gp, patient, start_at=now - timedelta(hours=3), status="entered-in-error"
    )
    session.commit()
    card = patient_card.patient_appointments(
        session, acting=Acting(scene["secretary"], now), patient=patient
    )
    assert len(card.upcoming) == 10 and len(card.past) == 10
    assert [a.start_at for a in card.upcoming] == sorted(a.start_at for a in card.upcoming)
    assert card.upcoming[0].start_at == now + timedelta(days=1, hours=1)
    assert card.past[0].start_at == now - timedelta(days=1)  # newest first
    assert all(a.status != "entered-in-error" for a in card.past)
    assert (card.noshows, card.cancellations) == (2, 1)

    text = _words(scene["b"].get(f"/patients/{patient.id}"))
    assert "Rendez-vous" in text and "À venir" in text and "Passés" in text
    assert "2 non venus · 1 annulé" in text
    assert "24 derniers mois" in text
    assert "Les 10 prochains seulement." in text


def test_a_student_sees_only_their_own_appointments_on_the_card(frozen_now, session, scene):
    now, patient = scene["now"], scene["patient"]
    student = make_staff(session, scene["practice"], profession="student")
    mine = make_appointment(session, student, patient, start_at=now + timedelta(days=2))
    make_appointment(session, scene["gp"], patient, start_at=now + timedelta(days=3))
    make_appointment(
        session, scene["gp"], patient, start_at=now - timedelta(days=3), status="noshow"
    )
    session.commit()
    card = patient_card.patient_appointments(session, acting=Acting(student, now), patient=patient)
    assert [a.id for a in card.upcoming] == [mine.id]
    assert card.noshows == 0


# --- Booking from the card -------------------------------------------------------------


def _past_visit(session, scene, staff, appointment_type, days_ago):
    """A fulfilled appointment of the scene's patient with scene[staff], `days_ago` days back."""
    make_appointment(
        session,
        scene[staff],
        scene["patient"],
        start_at=scene["now"] - timedelta(days=days_ago),
        type=scene[appointment_type],
        status="fulfilled",
    )


def _booking_start(session, scene, actor):
    """What booking from the scene patient's card pre-selects for scene[actor]."""
    return patient_card.booking_start(
        session, acting=Acting(scene[actor], scene["now"]), patient_id=scene["patient"].id
    )


def test_booking_start_brings_the_treating_gp_and_the_usual_type(frozen_now, session, scene):
    _past_visit(session, scene, "gp", "long", days_ago=30)
    session.commit()
    start = _booking_start(session, scene, "secretary")
    assert (start.patient, start.staff, start.appointment_type) == (
        scene["patient"],
        scene["gp"],
        scene["long"],
    )


def test_without_a_usual_type_the_professionals_default_type_is_chosen(frozen_now, session, scene):
    # The last appointment was an Asalée session: the GP does not perform it.
    _past_visit(session, scene, "nurse", "session_type", days_ago=3)
    _set_default(session, scene["gp"], scene["consult"])
    start = _booking_start(session, scene, "secretary")
    assert (start.staff, start.appointment_type) == (scene["gp"], scene["consult"])


def test_a_gp_booking_from_a_colleagues_patient_gets_no_professional_preselected(
    frozen_now, session, scene
):
    # A GP may not book in a colleague's agenda: the médecin traitant is not pre-selected.
    start = _booking_start(session, scene, "other_gp")
    assert start.staff is None


def test_prendre_rendez_vous_opens_booking_preselected_and_logs_the_read(
    frozen_now, session, scene
):
    patient, gp = scene["patient"], scene["gp"]
    _set_default(session, gp, scene["long"])
    card = scene["b"].get(f"/patients/{patient.id}")
    link = re.search(r'href="([^"]+)">Prendre rendez-vous<', card.text).group(1)
    assert link == f"{BOOK}?patient={patient.id}"
    before = session.scalar(select(func.count(AccessLog.id)))
    page = scene["b"].get(link)
    assert page.status_code == 200
    assert re.search(rf'name="patient_id" value="{patient.id}" checked', page.text)
    assert re.search(rf'<option selected value="{gp.id}">', page.text)
    assert re.search(rf'<option selected value="{scene["long"].id}">', page.text)
    session.expire_all()
    row = session.scalars(select(AccessLog).order_by(AccessLog.id.desc())).first()
    assert session.scalar(select(func.count(AccessLog.id))) == before + 1
    assert row.action == "patient.view" and row.target == f"booking:patient:{patient.id}"
    assert "Dupont" not in row.target


def test_booking_for_a_patient_of_another_practice_is_404(frozen_now, session, scene):
    from tests.factories import make_practice

    stranger = make_patient(session, make_practice(session))
    session.commit()
    assert scene["b"].get(f"{BOOK}?patient={stranger.id}").status_code == 404
    assert scene["b"].get(f"{BOOK}?patient=abc").status_code in (400, 422)


def test_the_card_hands_off_and_records_a_request_without_retyping(
    frozen_now, session, scene, sign_in
):
    browser, _ = sign_in("gp")
    patient = scene["patient"]
    card = browser.get(f"/patients/{patient.id}").text
    assert f'href="/delegation/patients/{patient.id}/nouvelle-tache"' in card
    assert f'href="/patients/{patient.id}/demandes/nouvelle"' in card
    hand_off = browser.get(f"/delegation/patients/{patient.id}/nouvelle-tache")
    request_form = browser.get(f"/patients/{patient.id}/demandes/nouvelle")
    for page in (hand_off, request_form):
        assert page.status_code == 200
        assert "DUPONT Jean" in page_text(page)


# --- A default type per professional (team admin) --------------------------------------


def test_admin_sets_a_default_type_in_the_staff_form(frozen_now, session, scene, sign_in):
    admin_browser, _ = sign_in("gp", is_admin=True)
    gp = scene["gp"]
    page = admin_browser.get(f"/equipe/{gp.id}")
    assert "Type de rendez-vous par défaut" in page_text(page)
    data = {
        "given_name": gp.given_name,
        "family_name": gp.family_name,
        "email": gp.email,
        "profession": "gp",
        "default_type_id": str(scene["long"].id),
    }
    assert admin_browser.post(f"/equipe/{gp.id}", data=data).status_code == 302
    session.expire_all()
    assert session.get(type(gp), gp.id).default_type_id == scene["long"].id
    refused = admin_browser.post(
        f"/equipe/{gp.id}", data=data | {"default_type_id": str(scene["session_type"].id)}
    )
    assert refused.status_code == 422
    assert "« Séance Asalée » n'est pas réalisé par cette profession." in page_text(refused)


def test_staff_service_refuses_another_practices_type(frozen_now, session, scene):
    from tests.factories import make_practice

    foreign = make_appointment_type(session, make_practice(session), label="Ailleurs")
    nurse = scene["nurse"]
    data = team.StaffInput(
        email=nurse.email,
        given_name=nurse.given_name,
        family_name=nurse.family_name,
        profession=nurse.profession,
        default_type_id=foreign.id,
    )
    with pytest.raises(Exception, match="Type de rendez-vous introuvable"):
        team.apply_staff_input(
            session, acting=Acting(scene["secretary"], scene["now"]), staff=nurse, data=data
        )


def test_a_professional_chosen_from_the_day_view_brings_their_default_type(
    frozen_now, session, scene
):
    _set_default(session, scene["nurse"], scene["session_type"])
    page = scene["b"].get(f"{BOOK}?staff={scene['nurse'].id}")
    assert re.search(rf'<option selected value="{scene["session_type"].id}">', page.text)


# --- The professional picker -------------------------------------------------------------


def _options(html: str, name: str) -> list[str]:
    select_html = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S).group(0)
    return re.findall(r'<option[^>]*value="(\d+)"', select_html)


def test_picker_lists_only_those_who_perform_the_type(frozen_now, session, scene):
    ids = lambda *staff: sorted(str(s.id) for s in staff)  # noqa: E731
    page = scene["b"].get(BOOK)
    # No type yet: clinicians who perform some type; no secretary, no mediator.
    assert sorted(_options(page.text, "staff_id")) == ids(
        scene["gp"], scene["other_gp"], scene["nurse"]
    )
    asalee = scene["b"].get(f"{BOOK}?type={scene['session_type'].id}")
    assert _options(asalee.text, "staff_id") == [str(scene["nurse"].id)]
    # Without JavaScript the server narrows the list on each submit.
    posted = scene["b"].post(
        BOOK, data={"action": "slots", "type_id": str(scene["consult"].id), "source": "phone"}
    )
    assert sorted(_options(posted.text, "staff_id")) == ids(scene["gp"], scene["other_gp"])
    # One choice, one plain select (no Ctrl-click multiple select).
    assert not re.search(r'<select[^>]*name="staff_id"[^>]*multiple', page.text)


def test_picker_carries_what_the_script_needs(frozen_now, session, scene):
    _set_default(session, scene["gp"], scene["consult"])
    page = scene["b"].get(BOOK)
    performers = json.loads(
        re.search(r"data-performers=\"([^\"]+)\"", page.text).group(1).replace("&#34;", '"')
    )
    assert performers[str(scene["session_type"].id)] == [scene["nurse"].id]
    defaults = re.search(r"data-default-types=\"([^\"]+)\"", page.text).group(1)
    assert json.loads(defaults.replace("&#34;", '"')) == {str(scene["gp"].id): scene["consult"].id}
    assert "js/booking.js" in page.text


# --- Every missing field at once --------------------------------------------------------


def test_every_missing_field_is_flagged_at_once(frozen_now, session, scene):
    response = scene["b"].post(BOOK, data={"action": "book", "source": "phone"})
    assert response.status_code == 422
    text = page_text(response)
    for message in (
        "Choisissez un patient.",
        "Choisissez le type de rendez-vous.",
        "Choisissez le professionnel.",
        "Indiquez la date.",
        "Indiquez l'heure.",
    ):
        assert message in text
    assert response.text.count('class="error"') == 5
    assert session.scalar(select(func.count(Appointment.id))) == 0


def test_missing_fields_keep_what_was_typed(frozen_now, session, scene):
    response = scene["b"].post(
        BOOK,
        data={
            "action": "book",
            "patient_id": str(scene["patient"].id),
            "type_id": str(scene["consult"].id),
            "source": "phone",
        },
    )
    assert response.status_code == 422
    text = page_text(response)
    assert "Choisissez le professionnel." in text and "Indiquez la date." in text
    assert "Choisissez un patient." not in text
    assert re.search(rf'name="patient_id" value="{scene["patient"].id}" checked', response.text)
    assert re.search(rf'<option selected value="{scene["consult"].id}">', response.text)


def test_booking_from_the_card_with_an_offered_slot(frozen_now, session, scene):
    """The card's journey without a browser: open, ask for slots, book the first one."""
    _set_default(session, scene["gp"], scene["consult"])
    page = scene["b"].get(f"{BOOK}?patient={scene['patient'].id}")
    assert page.status_code == 200
    base = {
        "patient_id": str(scene["patient"].id),
        "type_id": str(scene["consult"].id),
        "staff_id": str(scene["gp"].id),
        "source": "phone",
    }
    offered = scene["b"].post(BOOK, data=base | {"action": "slots"})
    slot = re.search(r'name="slot" value="([^"]+)" checked', offered.text).group(1)
    done = scene["b"].post(BOOK, data=base | {"action": "book", "slot": slot})
    assert done.status_code == 302
    appointment = session.scalars(select(Appointment)).one()
    assert (appointment.patient_id, appointment.staff_id) == (scene["patient"].id, scene["gp"].id)


# --- Telling namesakes apart --------------------------------------------------------------


def test_search_results_tell_namesakes_apart(frozen_now, session, scene):
    text = page_text(scene["b"].get("/patients/?q=dupont"))
    assert "Ville" in text and "Lyon" in text
    assert "Dr Claire Martin" in text
    assert "(56 ans)" in text  # born 1 January 1970, on 30 November 2026
    found = scene["b"].post(
        BOOK, data={"action": "search", "patient_query": "dupont", "source": "phone"}
    )
    clue = page_text(found)
    assert "né(e) le 01/01/1970 (56 ans) · MT : Dr Claire Martin · Lyon · tél. …78" in clue


def _namesakes(session, scene, numbers: range):
    gps = [scene["gp"], scene["other_gp"]]
    for n in numbers:
        patient = make_patient(
            session,
            scene["practice"],
            family_name="Dupond",
            given_names="Marie",
            city=f"Ville {n}",
            phone=f"04 00 00 00 {n:02d}",
        )
        make_declaration(session, patient, gps[n % 2])
    session.commit()


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/patients/?q=dupond", None),
        ("post", BOOK, {"action": "search", "patient_query": "dupond", "source": "phone"}),
    ],
)
def test_search_statements_do_not_grow_with_namesakes(
    frozen_now, session, scene, count_queries, method, path, data
):
    def statements() -> int:
        call = getattr(scene["b"], method)
        call(path, data=data) if data else call(path)
        with count_queries() as q:
            response = call(path, data=data) if data else call(path)
        assert response.status_code == 200
        return q.count

    _namesakes(session, scene, range(1))
    one = statements()
    _namesakes(session, scene, range(1, 7))  # seven of them
    assert "Ville 6" in page_text(
        scene["b"].post(BOOK, data=data) if data else scene["b"].get(path)
    )
    assert statements() == one


def _warm_get_statements(browser, path, count_queries) -> int:
    """Statements a GET of `path` costs once its caches are warm (the first GET is not counted)."""
    browser.get(path)
    with count_queries() as q:
        assert browser.get(path).status_code == 200
    return q.count


def test_card_statements_do_not_grow_with_history(frozen_now, session, scene, count_queries):
    now, patient = scene["now"], scene["patient"]
    path = f"/patients/{patient.id}"

    make_appointment(session, scene["gp"], patient, start_at=now + timedelta(days=1))
    make_appointment(session, scene["nurse"], patient, start_at=now - timedelta(days=1))
    session.commit()
    few = _warm_get_statements(scene["b"], path, count_queries)
    staff = [scene["gp"], scene["other_gp"], scene["nurse"]]
    for n in range(60):
        start = now + timedelta(days=n - 30, hours=(n % 5))
        status = "noshow" if n % 7 == 0 and n < 30 else "fulfilled" if n < 30 else "booked"
        make_appointment(
            session, staff[n % 3], patient, start_at=start + timedelta(minutes=1), status=status
        )
    session.commit()
    assert _warm_get_statements(scene["b"], path, count_queries) == few


def test_booking_page_statements_do_not_grow_with_history(
    frozen_now, session, scene, count_queries
):
    now, patient = scene["now"], scene["patient"]
    path = f"{BOOK}?patient={patient.id}"

    make_appointment(session, scene["gp"], patient, start_at=now - timedelta(days=1))
    session.commit()
    few = _warm_get_statements(scene["b"], path, count_queries)
    for n in range(40):
        make_appointment(
            session,
            scene["gp"],
            patient,
            start_at=local(now.date(), "08:00") - timedelta(days=n + 2),
        )
    session.commit()
    assert _warm_get_statements(scene["b"], path, count_queries) == few
