"""Browser tests: the app served on 127.0.0.1 in a thread, Debian's Chromium driven by
Playwright. Skipped with a visible reason when Chromium is missing, failed in CI."""

import os
import shutil
import threading
from contextlib import contextmanager

import pytest
from werkzeug.serving import make_server

from tests.conftest import CI

CHROMIUM = os.environ.get("UMPRO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        message = f"Chromium introuvable ({CHROMIUM}) : apt-get install chromium"
        if CI:
            pytest.fail(message)
        pytest.skip(message)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        message = "Playwright absent : pip install playwright"
        if CI:
            pytest.fail(message)
        pytest.skip(message)


def _buffered(app):
    """The app with each response read whole before it is sent. Werkzeug's server skips
    closing a streamed file (a static file) when the browser drops the connection while
    it drains the socket; the file is then closed by the garbage collector, whose
    ResourceWarning fails whichever test runs at that moment."""

    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return wsgi


@contextmanager
def serve(app):
    """Serve ``app`` on 127.0.0.1 (a free port) until the block ends."""
    server = make_server("127.0.0.1", 0, _buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@contextmanager
def serve_committed(app, session):
    """Commit the test's data and close its session (the server thread writes; the test
    holds no transaction), then serve ``app`` until the block ends."""
    session.commit()
    session.close()
    with serve(app) as base_url:
        yield base_url


@contextmanager
def chromium_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
            page = context.new_page()
            page.set_default_timeout(15000)
            yield page
        finally:
            browser.close()


def console_errors(page) -> list[str]:
    """The text of each error the page logs to the console from now on (a list that grows)."""
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return errors


def sign_in(page, base_url: str, email: str, password: str | None = None) -> None:
    """Sign in through the login page and wait for the home page."""
    from tests.factories import PASSWORD

    page.goto(f"{base_url}/login")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password or PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base_url}/")


@contextmanager
def signed_in_page(base_url: str, email: str):
    """A Chromium page signed in as ``email``, with the console errors it logs from the start."""
    with chromium_page() as page:
        errors = console_errors(page)
        sign_in(page, base_url, email)
        yield page, errors
