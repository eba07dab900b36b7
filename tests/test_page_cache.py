"""Pages answered again while their data has not changed (umpro/page_cache.py) and the
practice data version behind them (umpro/versioning.py): never stale, never another
user's page, and every answer in the access log."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select, text, update

from tests.factories import (
    local,
    make_appointment_type,
    make_hold_policy,
    make_open_staff,
    make_patient,
    make_practice,
)
from umpro.acting import Acting
from umpro.auth.models import AccessLog
from umpro.page_cache import PageStore, _Page, store
from umpro.patients.models import Patient
from umpro.scheduling.services import booking
from umpro.versioning import practice_version

DAY = date(2026, 12, 1)  # the day after the frozen instant's (a Tuesday)
DAY_URL = f"/agenda/?jour={DAY}"


@pytest.fixture
def scene(frozen_now, app, session, practice, sign_in):
    app.config["UMPRO_PAGE_CACHE_BYTES"] = 8 * 1024 * 1024
    browser, secretary = sign_in("secretary")
    gp = make_open_staff(session, practice, given_name="Claire", family_name="Martin")
    consult = make_appointment_type(session, practice, label="Consultation")
    patient = make_patient(session, practice, family_name="Durand", given_names="Hélène")
    session.commit()
    booking.book_appointment(
        session,
        acting=Acting(secretary, frozen_now),
        patient=patient,
        staff=gp,
        appointment_type=consult,
        start_at=local(DAY, "09:00"),
    )
    session.commit()
    browser.csrf()  # a page seen since signing in: the session holds its CSRF token
    return {"b": browser, "secretary": secretary, "gp": gp, "patient": patient, "consult": consult}


def _hits(app) -> int:
    with app.test_request_context():
        return store().hits


def _reads(session) -> list[AccessLog]:
    return session.scalars(
        select(AccessLog).where(AccessLog.action == "agenda.read").order_by(AccessLog.id)
    ).all()


def test_the_same_page_is_answered_again_with_fewer_statements(app, scene, count_queries):
    first = scene["b"].get(DAY_URL)
    with count_queries() as again:
        second = scene["b"].get(DAY_URL)
    assert first.status_code == second.status_code == 200
    assert second.data == first.data
    assert "DURAND" in second.text
    assert _hits(app) == 1
    with count_queries() as rendered:
        app.config["UMPRO_PAGE_CACHE_BYTES"] = 0
        scene["b"].get(DAY_URL)
    assert again.count < rendered.count / 2, (again.statements, rendered.count)


def test_every_answer_is_in_the_access_log_at_its_own_time(app, session, scene, frozen_now):
    from umpro import db as umpro_db

    scene["b"].get(DAY_URL)
    umpro_db.frozen_at = frozen_now + timedelta(seconds=20)  # the same minute
    scene["b"].get(DAY_URL)
    assert _hits(app) == 1
    reads = _reads(session)
    assert len(reads) == 2
    assert [r.patient_ids for r in reads] == [str(scene["patient"].id)] * 2
    assert [r.at for r in reads] == [frozen_now, frozen_now + timedelta(seconds=20)]
    assert {r.staff_id for r in reads} == {scene["secretary"].id}


@pytest.mark.parametrize(
    "change",
    [
        "rename the patient (ORM)",
        "rename the patient (SQL)",
        "book an appointment",
        "add a hold block (a table without practice_id)",
    ],
)
def test_any_change_of_the_practice_data_renders_the_page_anew(
    app, session, scene, frozen_now, change
):
    before = scene["b"].get(DAY_URL).text
    version = practice_version(session, scene["gp"].practice_id)
    if change == "rename the patient (ORM)":
        scene["patient"].family_name = "Lefort"
    elif change == "rename the patient (SQL)":
        session.execute(update(Patient).values(family_name="Lefort"))
    elif change == "book an appointment":
        other = make_patient(session, scene["gp"].practice, family_name="Lefort")
        session.commit()
        booking.book_appointment(
            session,
            acting=Acting(scene["secretary"], frozen_now),
            patient=other,
            staff=scene["gp"],
            appointment_type=scene["consult"],
            start_at=local(DAY, "10:00"),
        )
    else:
        policy = make_hold_policy(session, scene["gp"].practice)
        session.commit()
        version = practice_version(session, scene["gp"].practice_id)
        session.execute(
            text(
                "INSERT INTO hold_block (policy_id, weekday, start_time, end_time)"
                " VALUES (:p, 1, '08:00', '09:00')"
            ),
            {"p": policy.id},
        )
    session.commit()
    assert practice_version(session, scene["gp"].practice_id) > version
    after = scene["b"].get(DAY_URL).text
    assert _hits(app) == 0
    if change != "add a hold block (a table without practice_id)":
        assert "LEFORT" in after and "LEFORT" not in before


def test_a_change_in_another_practice_keeps_the_page(app, session, scene):
    scene["b"].get(DAY_URL)
    other = make_practice(session, name="Cabinet voisin")
    session.commit()
    make_patient(session, other, family_name="Lefort")
    session.commit()
    assert practice_version(session, other.id) > 0
    scene["b"].get(DAY_URL)
    assert _hits(app) == 1


def test_the_next_minute_renders_anew(app, scene, frozen_now):
    from umpro import db as umpro_db

    scene["b"].get(DAY_URL)
    umpro_db.frozen_at = frozen_now + timedelta(minutes=1)
    scene["b"].get(DAY_URL)
    assert _hits(app) == 0


def test_another_user_or_session_never_gets_the_page(app, session, scene, sign_in):
    from tests.conftest import Browser

    other_browser, _ = sign_in("secretary", given_name="Paul", family_name="Autre")
    second = Browser(app.test_client())  # the same account, in a second browser
    assert second.login(scene["secretary"].email).status_code == 302
    for browser in (other_browser, second):
        browser.csrf()
    mine = scene["b"].get(DAY_URL).data
    others = other_browser.get(DAY_URL).text
    again = second.get(DAY_URL).data
    assert _hits(app) == 0
    profile = 'title="Mon profil">{}</a>'
    assert profile.format("Paul Autre") in others
    assert profile.format(scene["secretary"].display_name) in mine.decode()
    assert again != mine  # each session's own CSRF token
    assert scene["b"].get(DAY_URL).data == mine
    assert _hits(app) == 1


def test_a_page_with_a_message_is_not_kept(app, scene):
    bad = "/agenda/?jour=2027-02-31"
    assert "Date illisible" in scene["b"].get(bad).text
    assert "Date illisible" in scene["b"].get(bad).text
    assert _hits(app) == 0


def test_week_view_and_search_are_kept_too(app, scene):
    week = f"/agenda/semaine/{scene['gp'].id}?semaine={DAY}"
    assert scene["b"].get(week).data == scene["b"].get(week).data
    assert "DURAND" in scene["b"].get("/patients/?q=dur").text
    scene["b"].get("/patients/?q=dur")
    assert _hits(app) == 2


def test_the_store_keeps_to_its_bytes_dropping_the_least_recently_used():
    pages = PageStore(max_bytes=10)
    for key in "abc":
        pages.put(key, _Page(b"1234", (), ()))
    assert pages.get("a") is None  # 12 bytes > 10: the oldest left
    assert pages.get("b") is not None
    pages.put("d", _Page(b"1234", (), ()))
    assert pages.get("c") is None and pages.get("b") is not None
    pages.put("big", _Page(b"x" * 11, (), ()))
    assert pages.get("big") is None and pages.size <= 10


@pytest.mark.postgresql
def test_postgresql_raises_the_version_once_per_transaction_at_commit(session, practice):
    version = practice_version(session, practice.id)
    for n in range(3):
        make_patient(session, practice, family_name=f"Patient{n}")
    session.flush()
    assert practice_version(session, practice.id) == version  # deferred to the commit
    session.commit()
    assert practice_version(session, practice.id) == version + 1


def test_the_patient_page_is_kept_but_who_saw_the_file_is_always_current(
    app, session, scene, sign_in
):
    admin_browser, admin = sign_in("gp", is_admin=True, given_name="Anne", family_name="Chef")
    admin_browser.csrf()
    url = f"/patients/{scene['patient'].id}"
    first = admin_browser.get(url).text
    assert "Qui a consulté ce dossier" in first
    name = scene["secretary"].display_name
    before = first.split("Qui a consulté ce dossier")[1].count(name)
    assert scene["b"].get(url).status_code == 200  # the secretary opens the file
    second = admin_browser.get(url).text
    assert _hits(app) == 1
    # The panel is read anew, not kept: the secretary's opening is in it.
    assert second.split("Qui a consulté ce dossier")[1].count(name) == before + 1
    assert "<!--umpro:live-part-->" not in second
    views = session.scalars(
        select(AccessLog.staff_id).where(AccessLog.action == "patient.view")
    ).all()
    shown = session.scalars(
        select(AccessLog.staff_id).where(AccessLog.action == "patient.access_history")
    ).all()
    assert views.count(admin.id) == 2 and shown.count(admin.id) == 2
