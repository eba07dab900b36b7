"""Menus that match each trade (issue 15 §7): for every account of the demo, and one
account of each profession the demo lacks, every entry of the main menu and of the
agenda's menu opens (200), and every main-menu entry left out is one the profession may
not open."""

import re

import pytest
from sqlalchemy import select

from tests import factories
from tests.conftest import Browser
from umpro.team.models import Staff
from umpro.team.professions import Profession
from umpro.templating import NAV

LINK = re.compile(r'<a href="([^"]+)"')


def _menu(html: str, css_class: str) -> list[str]:
    match = re.search(rf'<nav[^>]*class="{css_class}"[^>]*>(.*?)</nav>', html, re.S)
    assert match, f"pas de menu {css_class}"
    return [href.replace("&amp;", "&") for href in LINK.findall(match.group(1))]


@pytest.fixture
def demo_accounts(frozen_now, app, session):
    """(email, profession, password) of every demo account, plus one account of each
    profession the demo lacks (with the tests' password)."""
    runner = app.test_cli_runner()
    done = runner.invoke(args=["umpro", "demo"])
    assert done.exit_code == 0, done.output
    listing = runner.invoke(args=["umpro", "demo", "--list"]).output.strip().splitlines()
    password = app.config["UMPRO_DEMO_PASSWORD"]
    accounts = [(*line.split("\t")[:2], password) for line in listing]
    practice = session.scalar(select(Staff)).practice
    for profession in set(Profession) - {p for _, p, _ in accounts}:
        extra = factories.make_staff(session, practice, profession=profession)
        accounts.append((extra.email, str(profession), factories.PASSWORD))
    session.commit()
    return accounts


def test_each_profession_sees_only_menu_entries_it_can_open(app, demo_accounts):
    accounts = demo_accounts
    professions = set()
    all_urls = {}
    with app.test_request_context():
        from flask import url_for

        all_urls = {url_for(item.endpoint, **dict(item.args)): item.label for item in NAV}
    problems = []
    for email, profession, password in accounts:
        professions.add(profession)
        browser = Browser(app.test_client())
        assert browser.login(email, password).status_code == 302, email
        home = browser.get("/")
        assert home.status_code == 200
        shown = _menu(home.text, "mainnav")
        assert shown, f"{profession}: menu vide"
        for url in shown:
            status = browser.get(url, follow_redirects=True).status_code
            if status != 200:
                problems.append(f"{profession}: « {all_urls.get(url, url)} » {url} → {status}")
        for url, label in all_urls.items():
            if url not in shown:
                status = browser.get(url, follow_redirects=True).status_code
                if status == 200:
                    problems.append(f"{profession}: « {label} » caché mais ouvert ({url})")
        if "/agenda/" in shown:
            agenda = browser.get("/agenda/")
            for url in _menu(agenda.text, "subnav"):
                status = browser.get(url, follow_redirects=True).status_code
                if status != 200:
                    problems.append(f"{profession}: agenda « {url} » → {status}")
    # Every profession was looked at.
    assert professions == {str(p) for p in Profession}, professions
    assert not problems, "\n".join(problems)
