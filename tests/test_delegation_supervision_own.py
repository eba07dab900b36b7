"""The docteur junior sees which of their consultations the maître de stage reviewed
(issue 15 §7): « Revu par Dr X le … » on their own list, bounded to a period."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests import factories
from tests.conftest import Browser, page_text
from umpro.acting import Acting
from umpro.auth.models import AccessLog
from umpro.db import utcnow
from umpro.delegation.services import supervision
from umpro.errors import Forbidden
from umpro.patients import services as patients


@pytest.fixture
def setup(frozen_now, session, practice):
    supervisor = factories.make_staff(session, practice, profession="gp", family_name="Martin")
    junior = factories.make_staff(
        session, practice, profession="junior_doctor", supervisor_id=supervisor.id
    )
    other_junior = factories.make_staff(
        session, practice, profession="junior_doctor", supervisor_id=supervisor.id
    )
    patient = factories.make_patient(session, practice, family_name="Revu")

    def entry(author, *, days=0, title="Consultation", kind="consultation"):
        return patients.add_entry(
            session,
            acting=Acting(author, utcnow() - timedelta(days=days)),
            patient=patient,
            kind=kind,
            title=title,
            body="Examen normal.",
        )

    entries = {
        "reviewed": entry(junior, days=1, title="Lombalgie"),
        "waiting": entry(junior, title="Angine"),
        "old": entry(junior, days=45, title="Ancienne"),
        "note": entry(junior, kind="note", title="Appel"),
        "other": entry(other_junior, title="Otite"),
    }
    session.commit()
    supervision.mark_reviewed(
        session,
        acting=Acting(supervisor, utcnow() - timedelta(hours=2)),
        entry_ids=[entries["reviewed"].id],
        note="RAS",
    )
    session.commit()
    return supervisor, junior, entries


def test_the_junior_sees_what_was_reviewed_by_whom_and_when(setup, session):
    _, junior, _ = setup
    own = supervision.own_reviews(session, acting=Acting(junior, utcnow()), day=utcnow().date())
    titles = [entry.title for entry, _ in own.rows]
    assert titles == ["Angine", "Lombalgie"]  # latest first; not older than 30 days
    reviewed = dict((e.title, r) for e, r in own.rows)
    assert reviewed["Angine"] is None
    assert reviewed["Lombalgie"].reviewed_by.display_name == "Dr Camille Martin"
    assert own.reviewed == 1 and own.supervisor.family_name == "Martin"
    log = session.scalar(select(AccessLog).where(AccessLog.action == "supervision.own"))
    assert log.staff_id == junior.id


def test_the_page_marks_each_consultation(setup, app):
    _, junior, _ = setup
    b = Browser(app.test_client())
    assert b.login(junior.email).status_code == 302
    text = page_text(b.get("/delegation/supervision/mes-consultations"))
    assert "Revu par Dr Camille Martin le 30/11/2026 08:00" in text
    assert "« RAS »" in text and "Pas encore relue" in text
    assert "1 relue(s) sur 2." in text
    assert "Otite" not in text and "Ancienne" not in text and "Appel" not in text
    assert ">Mes relectures<" in text  # in the navigation
    older = page_text(b.get("/delegation/supervision/mes-consultations?jour=2026-10-20"))
    assert "Ancienne" in older and "Angine" not in older


def test_a_bad_day_is_a_clear_refusal(setup, app):
    _, junior, _ = setup
    b = Browser(app.test_client())
    b.login(junior.email)
    response = b.get("/delegation/supervision/mes-consultations?jour=2026-13-45")
    assert response.status_code in (400, 422)


@pytest.mark.parametrize("profession", ["gp", "asalee_nurse", "secretary"])
def test_only_juniors_have_the_page(setup, session, practice, sign_in, profession):
    b, staff = sign_in(profession)
    assert b.get("/delegation/supervision/mes-consultations").status_code == 403
    with pytest.raises(Forbidden):
        supervision.own_reviews(session, acting=Acting(staff, utcnow()), day=utcnow().date())
