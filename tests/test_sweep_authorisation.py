"""Authorisation sweep (issue 14): every route with an id, for every profession, with
the ids of ANOTHER practice's objects: no 2xx that shows that practice's data, and no
change to any of its rows."""

import re

import pytest
from werkzeug.routing import IntegerConverter

from tests import sweep_support
from tests.conftest import Browser
from umpro.team.professions import Profession

OUTSIDER = "Horspratique"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _id_routes(app):
    for rule in app.url_map.iter_rules():
        ints = [a for a, c in rule._converters.items() if isinstance(c, IntegerConverter)]
        if not ints:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, ints, method


@pytest.fixture
def foreign(frozen_now, app, session):
    from tests import factories

    other = factories.make_practice(session, name=f"MSP {OUTSIDER}")
    ids = sweep_support.populate(session, other, name=OUTSIDER)
    session.commit()
    return other, ids


@pytest.mark.parametrize("profession", [p.value for p in Profession])
def test_no_route_reveals_or_changes_another_practice(app, session, practice, foreign, profession):
    from tests import factories

    other, ids = foreign
    me = factories.make_staff(
        session, practice, profession=profession, is_admin=profession == "coordinator"
    )
    session.commit()
    b = Browser(app.test_client())
    assert b.login(me.email).status_code == 302
    before = sweep_support.fingerprint(session)
    leaks, tried = [], 0
    for rule, ints, method in _id_routes(app):
        values = {
            a: sweep_support.id_for(session, a, ids, other.id) for a in rule.arguments if a in ints
        }
        url = rule.build(values, append_unknown=False)[1]
        if rule.rule.startswith("/api/"):
            response = b.api(method, url, json={} if method in UNSAFE else None)
        elif method in UNSAFE:
            response = b.post(url) if method == "POST" else b.api(method, url)
        else:
            response = b.get(url)
        tried += 1
        body = response.get_data(as_text=True)
        if 200 <= response.status_code < 300 and re.search(OUTSIDER, body):
            leaks.append(f"{method} {url} → {response.status_code}")
        assert response.status_code < 500, f"{method} {url} → {response.status_code}"
    session.expire_all()
    assert sweep_support.fingerprint(session) == before
    assert not leaks, leaks
    assert tried >= 60
