"""Sign-in, sign-out, sessions, throttling, CSRF."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.conftest import Browser, page_text
from umpro.auth.models import AuthSession, LoginAttempt
from umpro.auth.services import BAD_CREDENTIALS


@pytest.fixture
def secretary(session, practice):
    staff = factories.make_staff(session, practice, profession="secretary")
    session.commit()
    return staff


def test_login_page_is_french_and_carries_csrf_meta(client):
    page = client.get("/login")
    assert page.status_code == 200
    assert "Connexion à UMPro" in page.text
    assert '<meta name="csrf-token" content="' in page.text
    assert 'lang="fr"' in page.text


def test_sign_in_then_home(browser, secretary):
    response = browser.login(secretary.email)
    assert response.status_code == 302
    home = browser.get("/")
    assert home.status_code == 200
    assert f"Bonjour {secretary.given_name}" in home.text


def test_email_is_case_insensitive(browser, secretary):
    assert browser.login(secretary.email.upper()).status_code == 302


@pytest.mark.parametrize("case", ["unknown_email", "wrong_password"])
def test_same_message_for_unknown_email_and_wrong_password(browser, secretary, case):
    email = "personne@exemple.fr" if case == "unknown_email" else secretary.email
    password = factories.PASSWORD if case == "unknown_email" else "mauvais-mot-de-passe"
    response = browser.login(email, password)
    assert response.status_code == 200
    assert BAD_CREDENTIALS in response.text


def test_missing_fields_get_french_messages(browser):
    response = browser.post("/login", data={"email": "", "password": ""})
    assert "Saisissez votre adresse e-mail." in response.text
    assert "Saisissez votre mot de passe." in response.text


def test_missing_csrf_token_gives_french_400(client, secretary):
    response = client.post(
        "/login", data={"email": secretary.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 400
    assert "jeton de sécurité" in response.text


def test_session_cookie_flags(browser, secretary):
    response = browser.login(secretary.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_cookie_is_secure():
    from config import DevelopmentConfig, ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert DevelopmentConfig.SESSION_COOKIE_SECURE is False


def test_each_sign_in_opens_a_new_server_session(app, session, secretary):
    tokens = set()
    for _ in range(2):
        b = Browser(app.test_client())
        b.login(secretary.email)
        with b.client.session_transaction() as s:
            tokens.add(s["_user_id"])
    assert len(tokens) == 2
    assert session.scalar(select(func.count()).select_from(AuthSession)) == 2


def test_sign_out_ends_the_session_on_the_server(app, session, secretary):
    b = Browser(app.test_client())
    b.login(secretary.email)
    with b.client.session_transaction() as s:
        stolen = dict(s)
    assert b.logout().status_code == 302
    # Replaying the old cookie content opens nothing.
    thief = app.test_client()
    with thief.session_transaction() as s:
        s.update(stolen)
    response = thief.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    ended = session.scalars(select(AuthSession)).one()
    assert ended.ended_at is not None


def test_idle_session_times_out(app, session, secretary):
    b = Browser(app.test_client())
    b.login(secretary.email)
    auth = session.scalars(select(AuthSession)).one()
    auth.last_seen_at -= app.config["UMPRO_IDLE_TIMEOUT"] + timedelta(minutes=1)
    session.commit()
    response = b.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert "Votre session a expiré" in page_text(b.get(response.headers["Location"]))


def test_throttled_after_five_failures_with_french_retry_time(browser, session, secretary):
    for _ in range(5):
        assert BAD_CREDENTIALS in browser.login(secretary.email, "faux-mot-de-passe").text
    response = browser.login(secretary.email)  # right password, still refused
    assert response.status_code == 429
    assert "Trop de tentatives de connexion" in response.text
    assert "Réessayez à partir de" in response.text
    assert session.scalar(select(func.count()).select_from(LoginAttempt)) == 5


def test_throttling_holds_across_workers(app, session, secretary):
    """Two app instances (two workers) on one database share the failure count."""
    from umpro import create_app

    email = secretary.email
    session.close()  # the test holds no transaction while the other worker writes
    other = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    workers = [Browser(app.test_client()), Browser(other.test_client())]
    for i in range(5):
        workers[i % 2].login(email, "faux-mot-de-passe")
    assert workers[1].login(email).status_code == 429
    with other.app_context():
        other.extensions["sqlalchemy"].engines[None].dispose()


def test_throttle_expires_after_window(browser, session, secretary):
    for _ in range(5):
        browser.login(secretary.email, "faux-mot-de-passe")
    for attempt in session.scalars(select(LoginAttempt)):
        attempt.at -= timedelta(minutes=16)
    session.commit()
    assert browser.login(secretary.email).status_code == 302


def test_deactivated_account_cannot_sign_in(browser, session, secretary):
    secretary.is_active = False
    session.commit()
    response = browser.login(secretary.email)
    assert response.status_code == 200
    assert "Ce compte est désactivé" in response.text


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/"])
def test_next_parameter_cannot_redirect_off_site(browser, secretary, target):
    response = browser.post(
        f"/login?next={target}",
        data={"email": secretary.email, "password": factories.PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_parameter_returns_to_requested_page(app, session, practice):
    admin = factories.make_staff(session, practice, profession="coordinator", is_admin=True)
    session.commit()
    b = Browser(app.test_client())
    first = b.get("/equipe/")
    assert first.status_code == 302
    response = b.post(
        first.headers["Location"], data={"email": admin.email, "password": factories.PASSWORD}
    )
    assert response.headers["Location"] == "/equipe/"


def test_change_own_password(sign_in):
    b, staff = sign_in("nurse")
    wrong = b.post(
        "/profil/mot-de-passe",
        data={
            "pw-current": "pas-le-bon-mdp",
            "pw-new": "nouveau-mot-de-passe",
            "pw-confirm": "nouveau-mot-de-passe",
        },
    )
    assert wrong.status_code == 422
    assert "Mot de passe actuel incorrect." in wrong.text
    ok = b.post(
        "/profil/mot-de-passe",
        data={
            "pw-current": factories.PASSWORD,
            "pw-new": "nouveau-mot-de-passe",
            "pw-confirm": "nouveau-mot-de-passe",
        },
    )
    assert ok.status_code == 302
    b.logout()
    assert b.login(staff.email, "nouveau-mot-de-passe").status_code == 302


def test_english_is_available_as_a_preference(sign_in):
    b, _ = sign_in("secretary")
    assert b.post("/profil/preferences", data={"prefs-locale": "en"}).status_code == 302
    page = b.get("/profil")
    assert "Sign out" in page.text
    assert 'lang="en"' in page.text
