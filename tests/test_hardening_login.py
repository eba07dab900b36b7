"""Fix 9 (issue 14): one password tried on many accounts from one address is stopped,
by a count kept in the database (so it holds across workers)."""

from sqlalchemy import func, select

from tests import factories
from tests.conftest import Browser
from umpro.auth.models import LoginAttempt


def _from(app, ip):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return Browser(client)


def test_a_password_sprayed_over_many_accounts_is_stopped(frozen_now, app, session, practice):
    limit = app.config["UMPRO_LOGIN_MAX_FAILURES_PER_ADDRESS"]
    victim = factories.make_staff(session, practice, profession="secretary")
    session.commit()
    sprayer = _from(app, "203.0.113.7")
    for n in range(limit):
        response = sprayer.login(f"compte{n}@exemple.fr", "Printemps2026!")
        assert response.status_code == 200  # wrong credentials, each account tried once
    refused = sprayer.login(victim.email)  # even the right password, from that address
    assert refused.status_code == 429
    assert "Trop de tentatives de connexion depuis votre adresse réseau" in refused.text
    assert "Réessayez à partir de 10:15" in refused.text  # frozen at 10:00, 15-minute window
    # Refusals are not recorded: the table does not grow under a flood.
    assert session.scalar(select(func.count()).select_from(LoginAttempt)) == limit
    # Another address signs in.
    assert _from(app, "198.51.100.20").login(victim.email).status_code == 302


def test_the_address_limit_holds_across_workers(frozen_now, app, session, practice):
    from umpro import create_app

    limit = app.config["UMPRO_LOGIN_MAX_FAILURES_PER_ADDRESS"]
    email = factories.make_staff(session, practice, profession="secretary").email
    session.commit()
    session.close()  # the test holds no transaction while the other worker writes
    other = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    workers = [_from(app, "203.0.113.9"), _from(other, "203.0.113.9")]
    for n in range(limit):
        workers[n % 2].login(f"autre{n}@exemple.fr", "Printemps2026!")
    assert workers[1].login(email).status_code == 429
    assert workers[0].login(email).status_code == 429
    with other.app_context():
        other.extensions["sqlalchemy"].engines[None].dispose()


def test_a_few_typos_from_a_shared_address_do_not_lock_it(frozen_now, app, session, practice):
    staff = [factories.make_staff(session, practice) for _ in range(3)]
    session.commit()
    desk = _from(app, "192.0.2.1")
    for member in staff:
        desk.login(member.email, "faute-de-frappe")
    assert desk.login(staff[0].email).status_code == 302
