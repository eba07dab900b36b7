"""Who ends or changes a médecin traitant declaration (issue 15 §7): the GP named in it
and the secretary recording the patient's written choice; for a transfer, also the new
GP taking the patient on. The reasons are in umpro/auth/permissions.py."""

from datetime import date

import pytest
from sqlalchemy import select

from tests import factories
from tests.conftest import page_text
from umpro.acting import Acting
from umpro.auth.permissions import DeclarationChange, can
from umpro.db import utcnow
from umpro.errors import Forbidden
from umpro.patients import services
from umpro.patients.models import TreatingDeclaration

END = "Mettre fin à la déclaration"
CHANGE = "Changer de médecin traitant"


@pytest.fixture
def case(frozen_now, session, practice):
    treating = factories.make_staff(session, practice, profession="gp", family_name="Martin")
    other = factories.make_staff(session, practice, profession="gp", family_name="Benali")
    patient = factories.make_patient(session, practice, birth_date=date(1960, 5, 4))
    factories.make_declaration(session, patient, treating)
    session.commit()
    return patient, treating, other


@pytest.mark.parametrize(
    ("profession", "allowed"),
    [
        ("secretary", True),
        ("medical_assistant", False),
        ("health_mediator", False),
        ("junior_doctor", False),
        ("asalee_nurse", False),
        ("coordinator", False),
        ("student", False),
    ],
)
def test_ending_by_profession(session, practice, case, profession, allowed):
    patient, _, _ = case
    staff = factories.make_staff(session, practice, profession=profession)
    assert can(staff, "declaration.end", patient) is allowed
    call = lambda: services.end_declaration(  # noqa: E731
        session,
        acting=Acting(staff, utcnow()),
        patient=patient,
        on=date(2024, 1, 1),
        reason="moved",
    )
    if allowed:
        assert call().end_on == date(2024, 1, 1)
    else:
        with pytest.raises(Forbidden, match="Seuls le médecin traitant déclaré"):
            call()
        session.rollback()
        assert session.scalar(select(TreatingDeclaration.end_on)) is None


def test_only_the_gp_concerned_ends_it(session, case):
    patient, treating, other = case
    assert can(treating, "declaration.end", patient)
    assert not can(other, "declaration.end", patient)
    with pytest.raises(Forbidden):
        services.end_declaration(
            session,
            acting=Acting(other, utcnow()),
            patient=patient,
            on=date(2024, 1, 1),
            reason="other",
        )
    session.rollback()
    ended = services.end_declaration(
        session,
        acting=Acting(treating, utcnow()),
        patient=patient,
        on=date(2024, 1, 1),
        reason="gp_left",
    )
    assert ended.ended_by_id == treating.id


def test_a_transfer_by_the_new_gp_to_themself_only(session, practice, case):
    patient, treating, other = case
    third = factories.make_staff(session, practice, profession="gp", family_name="Tiers")
    assert can(other, "declaration.transfer", DeclarationChange(patient, other.id))
    assert not can(other, "declaration.transfer", DeclarationChange(patient, third.id))
    assert can(treating, "declaration.transfer", DeclarationChange(patient, third.id))
    with pytest.raises(Forbidden, match="vers lui-même"):
        services.transfer(
            session,
            acting=Acting(other, utcnow()),
            patient=patient,
            gp_id=third.id,
            on=date(2024, 1, 1),
        )
    session.rollback()
    moved = services.transfer(
        session,
        acting=Acting(other, utcnow()),
        patient=patient,
        gp_id=other.id,
        on=date(2024, 1, 1),
    )
    assert moved.gp_id == other.id


@pytest.mark.parametrize("profession", ["medical_assistant", "health_mediator", "nurse"])
def test_the_other_trades_cannot_transfer(session, practice, case, profession):
    patient, _, other = case
    staff = factories.make_staff(session, practice, profession=profession)
    with pytest.raises(Forbidden):
        services.transfer(
            session,
            acting=Acting(staff, utcnow()),
            patient=patient,
            gp_id=other.id,
            on=date(2024, 1, 1),
        )


@pytest.mark.parametrize(
    ("who", "offered"),
    [
        ("secretary", {END, CHANGE}),
        ("treating", {END, CHANGE}),
        ("other_gp", {CHANGE}),
        ("medical_assistant", set()),
        ("health_mediator", set()),
    ],
)
def test_the_patient_page_offers_only_what_each_may_do(sign_in, app, case, who, offered):
    patient, treating, _ = case
    if who == "treating":
        from tests.conftest import Browser

        b = Browser(app.test_client())
        assert b.login(treating.email).status_code == 302
    else:
        b, _ = sign_in("gp" if who == "other_gp" else who)
    page = page_text(b.get(f"/patients/{patient.id}"))
    assert {label for label in (END, CHANGE) if label in page} == offered


def test_the_end_form_refuses_a_medical_assistant(sign_in, case):
    patient, _, _ = case
    b, _ = sign_in("medical_assistant")
    response = b.post(
        f"/patients/{patient.id}/declaration/fin",
        data={"end-end_on": "01/01/2024", "end-end_reason": "moved"},
    )
    assert response.status_code == 403
