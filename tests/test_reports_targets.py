"""Patient-list targets: French refusals, progress and projection (issue 13 §2)."""

from datetime import UTC, date, datetime

import pytest

from tests import factories as f
from tests.conftest import page_text
from umpro.acting import Acting
from umpro.errors import Invalid
from umpro.reports.models import PatientListTarget
from umpro.reports.services import targets

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _input(gp, **overrides):
    values = {
        "gp_id": gp.id,
        "baseline_on": date(2026, 1, 1),
        "deadline_on": date(2028, 12, 31),
        "target_percent": 10.0,
        "baseline_value": 800,
    } | overrides
    return targets.TargetInput(**values)


@pytest.fixture
def gp(session, practice):
    return f.make_staff(session, practice, profession="gp")


def test_a_percentage_becomes_a_count(session, gp):
    target = targets.set_target(session, acting=Acting(gp, NOW), data=_input(gp))
    assert (target.baseline_value, target.target_value) == (800, 880)


def test_baseline_is_computed_from_history_when_left_empty(session, practice, gp):
    for _ in range(3):
        patient = f.make_patient(session, practice)
        f.make_declaration_period(session, patient, gp, start_on=date(2025, 6, 1))
    data = _input(gp, baseline_value=None, target_percent=None, target_gain=2)
    target = targets.set_target(session, acting=Acting(gp, NOW), data=data)
    assert (target.baseline_value, target.target_value) == (3, 5)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"target_percent": 250.0}, "target_percent"),
        ({"target_percent": 0.0}, "target_percent"),
        ({"target_percent": None, "target_gain": 50_000}, "target_gain"),
        ({"target_percent": None}, "target_percent"),
        ({"baseline_on": date(2026, 12, 15)}, "baseline_on"),
        ({"deadline_on": date(2025, 12, 31)}, "deadline_on"),
        ({"deadline_on": date(2035, 1, 1)}, "deadline_on"),
    ],
)
def test_out_of_bounds_targets_are_refused(session, gp, overrides, field):
    with pytest.raises(Invalid) as refused:
        targets.set_target(session, acting=Acting(gp, NOW), data=_input(gp, **overrides))
    assert refused.value.field == field
    assert session.query(PatientListTarget).count() == 0


def test_a_gp_of_another_practice_is_refused(session, gp):
    stranger = f.make_staff(session, f.make_practice(session), profession="gp")
    with pytest.raises(Invalid) as refused:
        targets.set_target(session, acting=Acting(gp, NOW), data=_input(stranger))
    assert refused.value.field == "gp_id"


@pytest.mark.parametrize(
    ("current", "status", "projected"),
    [
        # 800 → 880 between 1 Jan 2026 and 31 Dec 2028; 333 days elapsed on 30 Nov 2026.
        (840, "ahead", date(2027, 10, 29)),  # +40 in 333 days: 40 more in 333 days
        (810, "behind", date(2033, 4, 18)),  # +10: 70 more in 2331 days
        (800, "behind", None),
        (880, "reached", None),
    ],
)
def test_progress_and_projection(session, gp, current, status, projected):
    target = targets.set_target(session, acting=Acting(gp, NOW), data=_input(gp))
    got = targets.progress(target, current=current, on=date(2026, 11, 30))
    assert (got.status, got.projected_on) == (status, projected)
    assert got.status_label in ("En avance", "En retard", "Objectif atteint")


def test_on_track_close_to_the_deadline(session, gp):
    target = targets.set_target(
        session, acting=Acting(gp, NOW), data=_input(gp, deadline_on=date(2027, 10, 31))
    )
    got = targets.progress(target, current=840, on=date(2026, 11, 30))
    assert got.status == "on_track"  # projected 29 Oct 2027, 2 days before the deadline


def _post_target_from_500(browser, gp, **fields):
    """Posts the GP's target form: from a list of 500 patients, due 31/12/2028."""
    return browser.post(
        f"/patientele/medecin/{gp.id}/objectif",
        data={"deadline_on": "2028-12-31", "baseline_value": "500"} | fields,
    )


def test_target_form_shows_french_errors_and_saves_nothing(frozen_now, sign_in, session):
    b, gp = sign_in("gp")
    response = _post_target_from_500(
        b, gp, baseline_on="2026-12-20", kind="percent", target_percent="10"
    )
    assert response.status_code == 422
    assert "ne peut pas être dans le futur" in page_text(response)
    assert session.query(PatientListTarget).count() == 0
    ok = _post_target_from_500(b, gp, baseline_on="2026-01-01", kind="gain", target_gain="60")
    assert ok.status_code == 302
    page = page_text(b.get(f"/patientele/medecin/{gp.id}"))
    assert "560" in page and "En retard" in page


def test_a_secretary_cannot_set_a_target(frozen_now, sign_in, session, practice):
    gp = f.make_staff(session, practice, profession="gp")
    session.commit()
    b, _ = sign_in("secretary")
    assert b.get(f"/patientele/medecin/{gp.id}/objectif").status_code == 403
