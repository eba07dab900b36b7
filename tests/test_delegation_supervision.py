"""Docteur junior supervision: the maître de stage's daily queue of the junior's
consultation entries, marked reviewed (our own table over the shared file's entries)."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.conftest import page_text
from umpro.acting import Acting
from umpro.auth.models import AccessLog
from umpro.db import utcnow
from umpro.delegation.models import SupervisionReview
from umpro.delegation.services import supervision
from umpro.errors import Conflict, Forbidden, Invalid, NotFound
from umpro.patients import services as patients
from umpro.timeutil import local_today


@pytest.fixture
def setup(session, practice):
    supervisor = factories.make_staff(session, practice, profession="gp")
    junior = factories.make_staff(
        session, practice, profession="junior_doctor", supervisor_id=supervisor.id
    )
    other_gp = factories.make_staff(session, practice, profession="gp")
    other_junior = factories.make_staff(
        session, practice, profession="junior_doctor", supervisor_id=other_gp.id
    )
    patient = factories.make_patient(session, practice)
    now = utcnow()

    def entry(author, *, kind="consultation", days=0, title="Consultation"):
        return patients.add_entry(
            session,
            acting=Acting(author, now - timedelta(days=days)),
            patient=patient,
            kind=kind,
            title=title,
            body="Examen normal.",
        )

    entries = {
        "today": entry(junior, title="Angine"),
        "yesterday": entry(junior, days=1, title="Lombalgie"),
        "note": entry(junior, kind="note", title="Appel"),
        "other": entry(other_junior, title="Otite"),
        "own": entry(supervisor, title="Suivi HTA"),
    }
    session.commit()
    return supervisor, junior, other_gp, patient, entries


def _queue(session, actor, day=None):
    now = utcnow()
    return supervision.review_queue(
        session, acting=Acting(actor, now), day=day or local_today("Europe/Paris", now)
    )


def test_the_daily_queue_holds_the_juniors_consultations(session, setup):
    supervisor, _, other_gp, patient, entries = setup
    queue = _queue(session, supervisor)
    assert [e.id for e in queue.of_the_day] == [entries["today"].id]
    assert [e.id for e in queue.late] == [entries["yesterday"].id]
    assert [e.id for e in _queue(session, other_gp).of_the_day] == [entries["other"].id]
    log = session.scalar(select(AccessLog).where(AccessLog.action == "supervision.queue"))
    assert log.patient_id == patient.id and log.staff_id == supervisor.id


def test_marking_reviewed_empties_the_queue_and_a_correction_comes_back(session, setup):
    supervisor, junior, _, _, entries = setup
    reviews = supervision.mark_reviewed(
        session,
        acting=Acting(supervisor, utcnow()),
        entry_ids=[entries["today"].id, entries["yesterday"].id],
        note="RAS",
    )
    assert {r.entry_id for r in reviews} == {entries["today"].id, entries["yesterday"].id}
    queue = _queue(session, supervisor)
    assert queue.of_the_day == [] and queue.late == [] and queue.reviewed_today == 2
    with pytest.raises(Conflict, match="déjà été relue"):
        supervision.mark_reviewed(
            session, acting=Acting(supervisor, utcnow()), entry_ids=[entries["today"].id]
        )
    correction = patients.correct_entry(
        session,
        acting=Acting(junior, utcnow()),
        entry=entries["today"],
        title="Angine",
        body="TROD positif.",
    )
    assert [e.id for e in _queue(session, supervisor).of_the_day] == [correction.id]


@pytest.mark.parametrize(
    ("which", "error", "message"),
    [
        ("other", Forbidden, "que vous supervisez"),
        ("own", Forbidden, "que vous supervisez"),
        ("note", Invalid, "Seules les synthèses de consultation"),
    ],
)
def test_only_the_supervised_juniors_consultations_are_reviewed(
    session, setup, which, error, message
):
    supervisor, _, _, _, entries = setup
    with pytest.raises(error, match=message):
        supervision.mark_reviewed(
            session, acting=Acting(supervisor, utcnow()), entry_ids=[entries[which].id]
        )
    session.rollback()
    assert session.scalar(select(func.count(SupervisionReview.id))) == 0


def test_another_practices_entry_is_not_found(session, setup):
    supervisor = setup[0]
    with pytest.raises(NotFound):
        supervision.mark_reviewed(session, acting=Acting(supervisor, utcnow()), entry_ids=[999_999])


def test_an_objection_hides_the_entry_from_the_supervisor(session, setup):
    supervisor, junior, _, patient, _ = setup
    patients.record_objection(session, acting=Acting(junior, utcnow()), patient=patient)
    queue = _queue(session, supervisor)
    assert queue.of_the_day == [] and queue.hidden == 2


def test_the_page(app, session, setup):
    from tests.conftest import Browser

    supervisor, junior, _, _, entries = setup
    b = Browser(app.test_client())
    b.login(supervisor.email)
    page = b.get("/delegation/supervision")
    assert page.status_code == 200
    text = page_text(page)
    assert "Angine" in text and "Lombalgie" in text and "Otite" not in text
    done = b.post(
        "/delegation/supervision/relu",
        data={"entry_ids": [entries["today"].id], "jour": ""},
        follow_redirects=True,
    )
    assert "1 entrée(s) marquée(s) comme relue(s)." in page_text(done)
    nothing = b.post("/delegation/supervision/relu", data={}, follow_redirects=True)
    assert "Cochez au moins une entrée" in page_text(nothing)
    junior_browser = Browser(app.test_client())
    junior_browser.login(junior.email)
    assert junior_browser.get("/delegation/supervision").status_code == 403
