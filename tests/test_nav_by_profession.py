"""Menus that match each trade (issue 15 §7): for every account of the demo (each
profession), every entry of the main menu and of the agenda's menu opens (200), and every
main-menu entry left out is one the profession may not open."""

import re

import pytest

from tests.conftest import Browser
from umpro.templating import NAV

LINK = re.compile(r'<a href="([^"]+)"')


def _menu(html: str, css_class: str) -> list[str]:
    match = re.search(rf'<nav[^>]*class="{css_class}"[^>]*>(.*?)</nav>', html, re.S)
    assert match, f"pas de menu {css_class}"
    return [href.replace("&amp;", "&") for href in LINK.findall(match.group(1))]


@pytest.fixture
def demo_accounts(frozen_now, app, session):
    runner = app.test_cli_runner()
    done = runner.invoke(args=["umpro", "demo"])
    assert done.exit_code == 0, done.output
    listing = runner.invoke(args=["umpro", "demo", "--list"]).output.strip().splitlines()
    return [line.split("\t")[:2] for line in listing], app.config["UMPRO_DEMO_PASSWORD"]


def test_each_profession_sees_only_menu_entries_it_can_open(app, demo_accounts):
    accounts, password = demo_accounts
    professions = set()
    all_urls = {}
    with app.test_request_context():
        from flask import url_for

        all_urls = {url_for(item.endpoint, **dict(item.args)): item.label for item in NAV}
    problems = []
    for email, profession in accounts:
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
    # Every profession of the demo was looked at (eight trades and more).
    assert len(professions) >= 8, professions
    assert not problems, "\n".join(problems)
