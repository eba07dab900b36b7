"""Every non-public route refuses an anonymous visitor; a profession × route matrix."""

import re

import pytest

from umpro.auth import permissions
from umpro.team.professions import Profession

#: Endpoints reachable without signing in, on purpose.
PUBLIC = {"static", "auth.login", "main.health", "api.openapi_json"}


def _sample_url(rule) -> str:
    url = rule.rule
    for name in rule.arguments:
        url = re.sub(rf"<(?:[^:<>]+:)?{name}>", "1", url)
    return url


def _rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC or rule.endpoint.startswith("public_"):
            continue
        view = app.view_functions[rule.endpoint]
        if getattr(view, "is_public", False):
            continue
        yield rule


def test_public_endpoints_are_only_the_known_ones(app):
    public = {
        r.endpoint
        for r in app.url_map.iter_rules()
        if getattr(app.view_functions[r.endpoint], "is_public", False)
    }
    # Each later public endpoint (e.g. a calendar feed by secret token) is listed here on purpose.
    allowed = PUBLIC | {e for e in public if e.startswith(("calendars.feed", "calendars.public"))}
    assert public <= allowed, f"unexpected public endpoints: {public - allowed}"


def test_every_non_public_route_refuses_anonymous(app, client):
    checked = 0
    for rule in _rules(app):
        url = _sample_url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, headers={"Accept": "text/html"})
            if url.startswith("/api/v1/"):
                assert response.status_code in (400, 401), (method, url, response.status_code)
                if response.status_code == 401:
                    assert response.json["error"]["code"] == "unauthenticated"
            else:
                # Unsafe methods first meet the CSRF check (400); pages redirect to sign-in.
                if method == "GET":
                    assert response.status_code == 302, (method, url, response.status_code)
                    assert "/login" in response.headers["Location"]
                else:
                    assert response.status_code in (302, 400), (method, url, response.status_code)
            checked += 1
    assert checked >= 10


def test_anonymous_api_write_with_bad_key_is_401(client):
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer umpro_nope_nope"})
    assert response.status_code == 401
    assert response.json["error"]["message"] == "Authentification requise."


ADMIN_PAGES = [
    "/equipe/",
    "/equipe/nouveau",
    "/equipe/salles",
    "/equipe/salles/nouvelle",
    "/admin/journal",
]
EVERYONE_PAGES = ["/", "/profil"]


@pytest.mark.parametrize("profession", [p.value for p in Profession])
def test_profession_route_matrix(sign_in, profession):
    b, _ = sign_in(profession)
    for url in EVERYONE_PAGES:
        assert b.get(url).status_code == 200, url
    for url in ADMIN_PAGES:
        response = b.get(url)
        assert response.status_code == 403, url
        assert "Vous n'avez pas accès à cette page." in response.text.replace("&#39;", "'")


@pytest.mark.parametrize("profession", ["gp", "secretary", "coordinator"])
def test_admin_flag_opens_admin_pages(sign_in, profession):
    b, _ = sign_in(profession, is_admin=True)
    for url in ADMIN_PAGES:
        assert b.get(url).status_code == 200, url


NAV_EXPECTED = {
    "gp": {"Boîte de réception", "Patientèle"},
    "secretary": {"Agenda", "Patients"},
    "asalee_nurse": {"Tâches déléguées"},
}


@pytest.mark.parametrize(("profession", "labels"), NAV_EXPECTED.items())
def test_navigation_follows_profession(sign_in, profession, labels):
    b, _ = sign_in(profession)
    nav = (
        b.get("/").text.split('<nav aria-label="Navigation principale"', 1)[1].split("</nav>", 1)[0]
    )
    for label in labels:
        assert label in nav
    assert "Équipe" not in nav
    if profession == "secretary":
        assert "Tâches déléguées" not in nav and "Boîte de réception" not in nav


def test_unknown_action_is_a_programming_error(sign_in):
    _, staff = sign_in("gp")
    with pytest.raises(KeyError):
        permissions.can(staff, "no.such.action")


def test_inactive_or_anonymous_can_nothing(session, practice):
    from tests.factories import make_staff

    staff = make_staff(session, practice, profession="gp", is_admin=True)
    assert permissions.can(staff, "team.manage")
    staff.is_active = False
    assert not permissions.can(staff, "team.manage")
    assert not permissions.can(None, "team.manage")


def test_other_practice_object_is_refused(session, practice):
    from tests.factories import make_practice, make_room, make_staff

    admin = make_staff(session, practice, profession="coordinator", is_admin=True)
    other_room = make_room(session, make_practice(session))
    assert not permissions.can(admin, "rooms.manage", other_room)
