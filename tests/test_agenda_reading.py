"""The agenda reads well (issue 15 §6) and an appointment moves from the day view (§2):
status badges never clipped in 15–20-minute blocks and WCAG AA from the CSS colours, the
"now" line never over a patient's name, one professional at a time on a 390 px phone with
a folded menu; moving by keyboard, by drag-and-drop and by the form without JavaScript,
with the checks of any move. Screenshots of the day view go to ``screenshots/``."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests import factories
from tests.browser import chromium_page, console_errors, serve_committed, sign_in
from umpro.acting import Acting
from umpro.auth.models import AccessLog
from umpro.scheduling.models import Appointment
from umpro.scheduling.services import booking

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "screenshots"
LONG_NAME = "DE LA FONTAINE-MARCHAND"


# --- Contrast, computed from the stylesheet ---------------------------------------------


def _luminance(hex_colour: str) -> float:
    hex_colour = hex_colour.lstrip("#")
    if len(hex_colour) == 3:
        hex_colour = "".join(c * 2 for c in hex_colour)
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: str, other: str) -> float:
    high, low = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _badge_rules() -> dict[str, dict[str, str]]:
    css = (ROOT / "static" / "css" / "agenda.css").read_text()
    rules = {}
    for selector, body in re.findall(r"\.badge\.(s-[a-z-]+|badge-snp)\s*\{([^}]*)\}", css):
        props = dict(re.findall(r"(?<![-\w])(background|color)\s*:\s*(#[0-9a-fA-F]{3,6})", body))
        rules[selector] = props
    return rules


def test_contrast_formula_can_fail():
    assert contrast("#ffffff", "#000000") == pytest.approx(21)
    assert contrast("#dddddd", "#ffffff") < 4.5


def test_status_badges_pass_wcag_aa_contrast():
    rules = _badge_rules()
    # Every status shown as a badge in the grid or beside it has its own colours.
    for status in ("arrived", "fulfilled", "noshow", "cancelled", "entered-in-error"):
        assert f"s-{status}" in rules, f"pas de couleurs pour le badge {status}"
    assert "badge-snp" in rules
    for name, props in rules.items():
        assert set(props) == {"background", "color"}, (name, props)
        ratio = contrast(props["color"], props["background"])
        assert ratio >= 4.5, f"{name}: {ratio:.2f}:1 < 4.5:1"


# --- The day view in Chromium ------------------------------------------------------------


def _book_at(session, day, hour, *, now, **parties):
    """Books through the service on `day` at `hour` (Paris); `parties`: the actor, patient,
    staff and appointment type."""
    acting = Acting(parties.pop("actor"), now)
    return booking.book_appointment(
        session, acting=acting, start_at=factories.local(day, hour), **parties
    )


@pytest.fixture
def day(frozen_now, app, session, practice):
    """Monday 30/11/2026, 10:00 in Paris: two GPs, short appointments with badges, one
    under the "now" line, one to move."""
    secretary = factories.make_staff(
        session, practice, profession="secretary", email="secr@exemple.fr", is_admin=True
    )
    gp = factories.make_open_staff(session, practice, given_name="Claire", family_name="Martin")
    other = factories.make_open_staff(session, practice, given_name="Paul", family_name="Roux")
    short = factories.make_appointment_type(session, practice, label="Consultation")
    longer = factories.make_appointment_type(
        session, practice, label="Renouvellement d'ordonnance", duration_minutes=20
    )
    day = frozen_now.date()
    early = factories.local(day, "07:00")

    def book(hour, kind, staff=gp, family_name=LONG_NAME):
        patient = factories.make_patient(
            session, practice, family_name=family_name, given_names="Marie-Christine"
        )
        return _book_at(
            session,
            day,
            hour,
            now=early,
            actor=secretary,
            patient=patient,
            staff=staff,
            appointment_type=kind,
        )

    arrived = book("08:00", short)
    fulfilled = book("08:30", longer)
    book("08:15", short, staff=other)
    under_now = book("09:50", longer)
    to_move = book("11:00", short, family_name="DURAND")
    arrived.status, fulfilled.status = "arrived", "fulfilled"
    ids = {
        "gp": gp.id,
        "other": other.id,
        "day": day,
        "under_now": under_now.id,
        "to_move": to_move.id,
    }
    with serve_committed(app, session) as base_url:
        yield base_url, ids


def _open_the_day_as_the_secretary(page, base_url, ids):
    sign_in(page, base_url, "secr@exemple.fr")
    page.goto(f"{base_url}/agenda/?jour={ids['day'].isoformat()}")


def _appointment_to_move(page, ids):
    """The day view's item of the appointment the move tests move."""
    return page.locator(f'li[data-move*="/deplacer/{ids["to_move"]}"]')


CLIPPED_BADGES = """() => Array.from(document.querySelectorAll('.appt .badge')).filter((badge) => {
  const b = badge.getBoundingClientRect(), li = badge.closest('li').getBoundingClientRect();
  return b.width === 0 || b.left < li.left - 0.5 || b.right > li.right + 0.5
    || b.top < li.top - 0.5 || b.bottom > li.bottom + 0.5;
}).map((badge) => badge.closest('li').className + ' ' + badge.textContent)"""

NAMES_UNDER_NOW = """() => {
  const out = [];
  for (const line of document.querySelectorAll('.now-line')) {
    line.scrollIntoView({block: 'center'});
    const y = line.getBoundingClientRect().top + 1;
    for (const li of line.parentElement.querySelectorAll('li.appt')) {
      const r = li.getBoundingClientRect();
      if (y < r.top || y > r.bottom) continue;
      for (let x = r.left + 6; x < r.right - 2; x += 8) {
        const hit = document.elementFromPoint(x, y);
        if (!hit || !li.contains(hit)) out.push(li.textContent.trim().slice(0, 40));
      }
    }
  }
  return out;
}"""

COLUMNS_IN_VIEW = """() => Array.from(document.querySelectorAll('.agenda-col')).filter((col) => {
  const r = col.getBoundingClientRect();
  const seen = Math.min(r.right, window.innerWidth) - Math.max(r.left, 0);
  return seen > r.width / 2;
}).length"""


@pytest.mark.browser
@pytest.mark.parametrize("width", [1366, 390])
def test_day_view_reads_well(day, width):
    base_url, ids = day
    with chromium_page() as page:
        errors = console_errors(page)
        page.set_viewport_size({"width": width, "height": 900 if width > 500 else 844})
        _open_the_day_as_the_secretary(page, base_url, ids)
        badges = page.locator(".appt .badge")
        assert badges.count() == 2  # arrived (15 min) and fulfilled (20 min)
        assert page.evaluate(CLIPPED_BADGES) == []
        # Each short block still shows the start of the patient's name.
        for who in page.locator(".appt.short .who").all():
            assert who.bounding_box()["width"] > 20
        # The "now" line (10:00) crosses the 09:50–10:10 appointment, never above it.
        assert page.locator(".now-line").count() == 2
        crossed = page.locator(f'li[data-move*="/deplacer/{ids["under_now"]}"]')
        line_y = page.locator(".now-line").first.bounding_box()["y"]
        box = crossed.bounding_box()
        assert box["y"] < line_y < box["y"] + box["height"]
        assert page.evaluate(NAMES_UNDER_NOW) == []
        if width < 500:
            assert page.evaluate(COLUMNS_IN_VIEW) == 1
            header = page.locator("header.topbar")
            assert header.bounding_box()["height"] < 70
            menu = page.get_by_role("button", name="Menu")
            assert menu.get_attribute("aria-expanded") == "false"
            assert not page.get_by_role("link", name="Patients", exact=True).is_visible()
            menu.click()
            page.get_by_role("link", name="Patients", exact=True).wait_for()
            menu.click()
            # The list of names brings the other professional into view.
            page.locator(".col-jump a", has_text="Roux").click()
            page.locator('.col-jump a[aria-current="true"]', has_text="Roux").wait_for()
            assert page.evaluate(COLUMNS_IN_VIEW) == 1
            page.locator(".col-jump a", has_text="Martin").click()
            page.locator('.col-jump a[aria-current="true"]', has_text="Martin").wait_for()
        else:
            assert page.evaluate(COLUMNS_IN_VIEW) == 2
            assert not page.get_by_role("button", name="Menu").is_visible()
            assert page.get_by_role("link", name="Patients", exact=True).is_visible()
        SCREENSHOTS.mkdir(exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(SCREENSHOTS / f"agenda-jour-{width}.png"), full_page=True)
    assert (SCREENSHOTS / f"agenda-jour-{width}.png").stat().st_size > 10_000
    assert not errors, errors


@pytest.mark.browser
def test_move_an_appointment_with_the_keyboard(day, session):
    base_url, ids = day
    with chromium_page() as page:
        _open_the_day_as_the_secretary(page, base_url, ids)
        link = _appointment_to_move(page, ids).locator("a[data-row]")
        link.focus()
        page.keyboard.press("d")
        status = page.locator("[data-move-status]")
        assert "Déplacement du rendez-vous de 11:00" in status.text_content()
        page.keyboard.press("ArrowDown")  # Libre 11:15, Dr Martin
        assert "Libre 11:15" in page.evaluate("document.activeElement.textContent")
        page.keyboard.press("Escape")  # changes one's mind: back on the appointment
        assert "DURAND" in page.evaluate("document.activeElement.textContent")
        page.keyboard.press("D")
        page.keyboard.press("ArrowRight")  # Dr Roux's column, the free time nearest 11:00
        assert "Libre 11:00" in page.evaluate("document.activeElement.textContent")
        page.keyboard.press("ArrowDown")  # Libre 11:15 with Dr Roux
        page.keyboard.press("Enter")
        page.wait_for_load_state()
        message = page.locator(".flash-success")
        message.wait_for()
        assert "déplacé au 30/11/2026 à 11:15 avec Dr Paul Roux" in message.text_content()
        assert "DURAND" in page.locator(".agenda-col").nth(1).inner_text()
    moved = session.get(Appointment, ids["to_move"])
    assert moved.staff_id == ids["other"]
    assert moved.start_at == factories.local(ids["day"], "11:15")


@pytest.mark.browser
def test_move_an_appointment_by_drag_and_drop(day, session):
    base_url, ids = day
    with chromium_page() as page:
        _open_the_day_as_the_secretary(page, base_url, ids)
        source = _appointment_to_move(page, ids)
        target = page.locator(".agenda-col").first.locator("li.free", has_text="Libre 11:30")
        source.drag_to(target)
        page.locator(".flash-success").wait_for()
        assert "déplacé au 30/11/2026 à 11:30" in page.locator(".flash-success").text_content()
    moved = session.get(Appointment, ids["to_move"])
    assert moved.start_at == factories.local(ids["day"], "11:30")
    assert moved.staff_id == ids["gp"]


# --- The move form without JavaScript ----------------------------------------------------


@pytest.fixture
def booked(frozen_now, session, practice, sign_in):
    secretary_browser, _ = sign_in("secretary")
    gp = factories.make_open_staff(session, practice)
    kind = factories.make_appointment_type(session, practice)
    day = frozen_now.date() + timedelta(days=1)
    patients = [factories.make_patient(session, practice) for _ in range(2)]
    first, second = (
        _book_at(
            session,
            day,
            hour,
            now=frozen_now,
            actor=gp,
            patient=patient,
            staff=gp,
            appointment_type=kind,
        )
        for patient, hour in zip(patients, ["09:00", "09:30"], strict=True)
    )
    session.commit()
    return secretary_browser, gp, day, first, second


def test_move_form_without_javascript(booked, session):
    browser, gp, day, first, _ = booked
    url = f"/agenda/deplacer/{first.id}"
    page = browser.get(url)
    assert page.status_code == 200
    assert 'name="time"' in page.text and 'value="09:00"' in page.text
    assert "csrf_token" in page.text
    logged = session.scalars(
        select(AccessLog).where(
            AccessLog.target == f"appointment:{first.id}", AccessLog.action == "agenda.read"
        )
    ).all()
    assert len(logged) == 1
    done = browser.post(
        url + f"?staff={gp.id}",
        data={
            "version": first.version,
            "staff_id": gp.id,
            "day": day.isoformat(),
            "time": "10:00",
        },
    )
    assert done.status_code == 302
    assert f"jour={day.isoformat()}" in done.location and f"staff={gp.id}" in done.location
    session.expire_all()
    assert session.get(Appointment, first.id).start_at == factories.local(day, "10:00")


def test_move_form_refuses_like_any_move_and_keeps_the_values(booked, session):
    browser, gp, day, first, second = booked
    url = f"/agenda/deplacer/{first.id}"
    taken = browser.post(
        url,
        data={"version": first.version, "staff_id": gp.id, "day": day.isoformat(), "time": "09:30"},
    )
    assert taken.status_code == 409 or taken.status_code == 422
    assert 'value="09:30"' in taken.text
    assert 'class="error"' in taken.text or "alert-error" in taken.text
    missing = browser.post(url, data={"version": first.version, "staff_id": gp.id, "day": ""})
    assert missing.status_code == 422
    assert "date" in missing.text.lower()
    session.expire_all()
    assert session.get(Appointment, first.id).start_at == factories.local(day, "09:00")
    assert session.get(Appointment, second.id).start_at == factories.local(day, "09:30")


def test_move_form_refuses_a_profession_without_the_right(booked, session, sign_in, app):
    _, gp, day, first, _ = booked
    nurse, _ = sign_in("nurse")
    done = nurse.post(
        f"/agenda/deplacer/{first.id}",
        data={"version": first.version, "staff_id": gp.id, "day": day.isoformat(), "time": "11:00"},
    )
    assert done.status_code == 403
    session.expire_all()
    assert session.get(Appointment, first.id).start_at == factories.local(day, "09:00")
