"""Managing feeds: the profile page, the API, the command line; who may choose what; the
.ics download of one appointment."""

import re

import pytest
from sqlalchemy import select

from tests import factories
from tests.calendars_support import book, create_feed, day_in, make_team, unfold
from tests.conftest import page_text
from umpro.auth.models import AccessLog
from umpro.calendars.models import FeedToken
from umpro.calendars.services import FULL_DETAIL_WARNING
from umpro.team.professions import Profession

URL_RE = re.compile(r'value="(http://[^"]+/calendriers/[A-Za-z0-9_-]{43}\.ics)"')
FULL_ALLOWED = {
    "gp",
    "junior_doctor",
    "medical_assistant",
    "asalee_nurse",
    "apn_nurse",
    "nurse",
    "student",
    "secretary",
}


# --- Profile page -------------------------------------------------------------------------


def test_profile_page_creates_a_feed_and_shows_its_url_once(sign_in, session):
    browser, staff = sign_in("gp")
    page = browser.get("/profil/calendriers")
    assert page.status_code == 200
    assert "Mes calendriers" in page_text(page)
    response = browser.post(
        "/profil/calendriers",
        data={"target": f"staff:{staff.id}", "detail": "busy", "label": "Téléphone"},
    )
    assert response.status_code == 201
    url = URL_RE.search(page_text(response)).group(1)
    assert "ne sera plus jamais affichée" in page_text(response)
    assert 'value="Téléphone"' not in page_text(response), "the form below starts afresh"
    feed = session.scalars(select(FeedToken)).one()
    assert (feed.owner_id, feed.scope, feed.target_id, feed.detail, feed.label) == (
        staff.id,
        "staff",
        staff.id,
        "busy",
        "Téléphone",
    )
    assert feed.created_by_id == staff.id
    secret = url.rsplit("/", 1)[1][:-4]
    assert secret not in feed.token_hash
    assert browser.get(url.split("localhost", 1)[1]).status_code == 200
    # Listed afterwards, never with its secret.
    listing = page_text(browser.get("/profil/calendriers"))
    assert "Téléphone" in listing and secret not in listing


def test_full_detail_shows_the_health_data_warning(sign_in, session):
    browser, staff = sign_in("gp")
    assert FULL_DETAIL_WARNING in page_text(browser.get("/profil/calendriers"))
    response = browser.post(
        "/profil/calendriers", data={"target": f"staff:{staff.id}", "detail": "full"}
    )
    assert response.status_code == 201
    assert "hébergeur de données de santé" in page_text(response)


@pytest.mark.parametrize("profession", [p.value for p in Profession])
def test_who_may_choose_full_detail(sign_in, session, profession):
    browser, staff = sign_in(profession)
    response = browser.post(
        "/profil/calendriers", data={"target": f"staff:{staff.id}", "detail": "full"}
    )
    if profession in FULL_ALLOWED:
        assert response.status_code == 201
    else:
        assert response.status_code == 403
        assert "ne permet pas d'afficher le nom des patients" in page_text(response)
        assert session.scalars(select(FeedToken)).all() == []


def test_room_practice_and_colleague_feeds_are_for_admins(sign_in, session, practice):
    room = factories.make_room(session, practice)
    colleague = factories.make_staff(session, practice)
    browser, _ = sign_in("secretary")
    for target in (f"room:{room.id}", "practice", f"staff:{colleague.id}"):
        response = browser.post("/profil/calendriers", data={"target": target, "detail": "busy"})
        assert response.status_code == 403, target
        assert "Seul un administrateur" in page_text(response)
    admin, _ = sign_in("coordinator", is_admin=True)
    for target in (f"room:{room.id}", "practice", f"staff:{colleague.id}"):
        response = admin.post("/profil/calendriers", data={"target": target, "detail": "busy"})
        assert response.status_code == 201, target
    assert len(session.scalars(select(FeedToken)).all()) == 3


def test_revoke_and_rotate_from_the_profile(sign_in, session, client):
    browser, staff = sign_in("nurse")
    feed, url = create_feed(session, staff)
    response = browser.post(f"/profil/calendriers/{feed.id}/renouveler")
    assert response.status_code == 200
    new_url = URL_RE.search(page_text(response)).group(1).split("localhost", 1)[1]
    assert client.get(url).status_code == 404
    assert client.get(new_url).status_code == 200
    new = session.scalars(select(FeedToken).where(FeedToken.revoked_at.is_(None))).one()
    assert browser.post(f"/profil/calendriers/{new.id}/revoquer").status_code == 302
    assert client.get(new_url).status_code == 404


def test_a_member_cannot_revoke_a_colleagues_feed_but_an_admin_can(sign_in, session):
    browser, me = sign_in("gp")
    colleague = factories.make_staff(session, me.practice)
    feed, _ = create_feed(session, colleague)
    response = browser.post(f"/profil/calendriers/{feed.id}/revoquer")
    assert response.status_code == 403
    assert feed.revoked_at is None
    admin, _ = sign_in("secretary", is_admin=True)
    assert admin.post(f"/profil/calendriers/{feed.id}/revoquer").status_code == 302
    session.refresh(feed)
    assert feed.revoked_at is not None


def test_a_feed_of_another_practice_is_404(sign_in, session):
    elsewhere = make_team(session, factories.make_practice(session))
    feed, _ = create_feed(session, elsewhere.gp)
    admin, _ = sign_in("gp", is_admin=True)
    assert admin.post(f"/profil/calendriers/{feed.id}/revoquer").status_code == 404
    response = admin.post(
        "/profil/calendriers", data={"target": f"staff:{elsewhere.gp.id}", "detail": "busy"}
    )
    assert response.status_code == 404
    assert "Membre de l'équipe introuvable." in page_text(response)


# --- API ------------------------------------------------------------------------------------


def test_api_create_list_and_revoke(app, session, practice, api_key_for, client):
    staff = factories.make_staff(session, practice, profession="secretary")
    headers = api_key_for(staff)
    response = client.post(
        "/api/v1/feeds", json={"detail": "initials", "label": "Bureau"}, headers=headers
    )
    assert response.status_code == 201
    body = response.json
    assert body["scope"] == "staff" and body["target_id"] == staff.id
    assert body["detail"] == "initials" and "warning" not in body
    assert re.fullmatch(r"http://localhost/calendriers/[A-Za-z0-9_-]{43}\.ics", body["url"])
    listed = client.get("/api/v1/feeds", headers=headers).json["items"]
    assert [f["id"] for f in listed] == [body["id"]] and "url" not in listed[0]
    path = body["url"].split("localhost", 1)[1]
    assert client.get(path).status_code == 200
    assert client.delete(f"/api/v1/feeds/{body['id']}", headers=headers).status_code == 204
    assert client.get(path).status_code == 404
    assert client.get("/api/v1/feeds", headers=headers).json["items"] == []


def test_api_uses_the_configured_base_url(app, session, practice, api_key_for, client):
    app.config["UMPRO_BASE_URL"] = "https://umpro.exemple.fr/"
    staff = factories.make_staff(session, practice)
    response = client.post("/api/v1/feeds", json={}, headers=api_key_for(staff))
    assert response.json["url"].startswith("https://umpro.exemple.fr/calendriers/")


@pytest.mark.parametrize(
    ("profession", "payload", "status", "field"),
    [
        ("coordinator", {"detail": "full"}, 403, "detail"),
        ("health_mediator", {"detail": "full"}, 403, "detail"),
        ("gp", {"detail": "everything"}, 422, "detail"),
        ("gp", {"scope": "building"}, 422, "scope"),
        ("gp", {"scope": "room"}, 404, "target_id"),
        ("gp", {"scope": "practice"}, 403, "scope"),
        ("gp", {"target_id": "3"}, 422, "target_id"),
        ("gp", {"label": "x" * 101}, 422, "label"),
    ],
)
def test_api_refusals(session, practice, api_key_for, client, profession, payload, status, field):
    staff = factories.make_staff(session, practice, profession=profession)
    response = client.post("/api/v1/feeds", json=payload, headers=api_key_for(staff))
    assert response.status_code == status
    assert response.json["error"]["field"] == field
    assert response.json["error"]["message"][0].isupper()
    assert session.scalars(select(FeedToken)).all() == []


def test_api_feed_for_staff_of_another_practice_is_404(session, practice, api_key_for, client):
    admin = factories.make_staff(session, practice, is_admin=True)
    stranger = make_team(session, factories.make_practice(session)).gp
    response = client.post(
        "/api/v1/feeds", json={"target_id": stranger.id}, headers=api_key_for(admin)
    )
    assert response.status_code == 404
    other_feed, _ = create_feed(session, stranger)
    deleted = client.delete(f"/api/v1/feeds/{other_feed.id}", headers=api_key_for(admin))
    assert deleted.status_code == 404
    assert client.post("/api/v1/feeds", json=[1], headers=api_key_for(admin)).status_code == 400


def test_feeds_are_in_openapi(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert set(paths["/feeds"]) == {"get", "post"}
    assert "delete" in paths["/feeds/{feed_id}"]


# --- Command line ---------------------------------------------------------------------------


def test_cli_feed_create_prints_the_url_last(app, session, practice, client, monkeypatch):
    staff = factories.make_staff(session, practice, email="claire@exemple.fr")
    session.commit()
    monkeypatch.setenv("PORT", "5123")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["umpro", "feed", "create", "--staff", "Claire@exemple.fr"])
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert re.fullmatch(r"http://127\.0\.0\.1:5123/calendriers/[A-Za-z0-9_-]{43}\.ics", last)
    assert client.get(last.split("5123", 1)[1]).status_code == 200
    listed = runner.invoke(args=["umpro", "feed", "list"]).output
    assert "claire@exemple.fr" in listed and last.rsplit("/", 1)[1] not in listed
    feed_id = int(listed.split("\t", 1)[0])
    revoked = runner.invoke(args=["umpro", "feed", "revoke", str(feed_id)])
    assert revoked.exit_code == 0
    assert client.get(last.split("5123", 1)[1]).status_code == 404
    assert staff.is_active


def test_cli_refuses_full_detail_to_a_coordinator_and_unknown_accounts(app, session, practice):
    factories.make_staff(session, practice, profession="coordinator", email="coord@exemple.fr")
    session.commit()
    runner = app.test_cli_runner()
    refused = runner.invoke(
        args=["umpro", "feed", "create", "--staff", "coord@exemple.fr", "--detail", "full"]
    )
    assert refused.exit_code != 0
    assert "ne permet pas d'afficher le nom des patients" in refused.output
    unknown = runner.invoke(args=["umpro", "feed", "create", "--staff", "nobody@exemple.fr"])
    assert unknown.exit_code != 0 and "Aucun compte actif" in unknown.output


# --- The .ics of one appointment --------------------------------------------------------


def test_appointment_ics_download(sign_in, session):
    browser, staff = sign_in("secretary")
    team = make_team(session, staff.practice)
    appointment = book(session, team, day_in(4), "16:15")
    session.commit()
    response = browser.get(f"/calendriers/rendez-vous/{appointment.id}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar; method=REQUEST")
    text = unfold(response.data)
    assert "METHOD:REQUEST" in text and f"UID:{appointment.uid}" in text
    assert "Dupont" not in text and "DUPONT" not in text
    cancel = browser.get(f"/calendriers/rendez-vous/{appointment.id}.ics?annulation=1")
    assert "METHOD:CANCEL" in unfold(cancel.data)
    logged = session.scalars(
        select(AccessLog).where(AccessLog.target == f"appointment:{appointment.id}")
    ).all()
    assert [(r.patient_id, r.staff_id) for r in logged] == [(team.patient.id, staff.id)] * 2


def test_appointment_ics_of_another_practice_is_404(sign_in, session):
    browser, _ = sign_in("secretary")
    elsewhere = make_team(session, factories.make_practice(session))
    appointment = book(session, elsewhere, day_in(4))
    session.commit()
    assert browser.get(f"/calendriers/rendez-vous/{appointment.id}.ics").status_code == 404
    assert browser.get("/calendriers/rendez-vous/999999.ics").status_code == 404
