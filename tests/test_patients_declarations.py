"""Médecin traitant declarations: declare, transfer, end, history by date; overlaps and
non-GPs refused, by the services and by the database."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from tests import factories
from tests.conftest import page_text
from umpro.acting import Acting
from umpro.auth.models import AccessLog
from umpro.db import utcnow
from umpro.errors import Conflict, Invalid
from umpro.patients import services
from umpro.patients.models import TreatingDeclaration


@pytest.fixture
def gps(session, practice):
    return (
        factories.make_staff(session, practice, profession="gp", family_name="Martin"),
        factories.make_staff(session, practice, profession="gp", family_name="Benali"),
    )


@pytest.fixture
def patient(session, practice):
    return factories.make_patient(session, practice, birth_date=date(1960, 5, 4))


def _declarations(session, patient):
    return session.scalars(
        select(TreatingDeclaration)
        .where(TreatingDeclaration.patient_id == patient.id)
        .order_by(TreatingDeclaration.start_on)
    ).all()


def _declare(session, patient, gp, start_on, actor=None, now=None):
    """services.declare with the arguments the tests vary; `now` defaults to the current time."""
    return services.declare(
        session,
        acting=Acting(actor, now or utcnow()),
        patient=patient,
        gp_id=gp.id,
        start_on=start_on,
    )


def _insert_declaration(session, practice, patient, gp, start_on, end_on=None, end_reason=""):
    """Writes a declaration row straight to the table, around the services' checks."""
    whose = {"practice_id": practice.id, "patient_id": patient.id, "gp_id": gp.id}
    period = {"start_on": start_on, "end_on": end_on, "end_reason": end_reason}
    session.execute(insert(TreatingDeclaration).values(**whose, **period, created_at=utcnow()))


def test_declare_transfer_end_and_history_by_date(session, patient, gps):
    first, second = gps
    secretary = factories.make_staff(
        session, patient_practice(session, patient), profession="secretary"
    )
    now = utcnow()
    _declare(session, patient, first, date(2019, 1, 10), actor=secretary, now=now)
    services.transfer(
        session,
        acting=Acting(secretary, now),
        patient=patient,
        gp_id=second.id,
        on=date(2022, 6, 1),
    )
    services.end_declaration(
        session, acting=Acting(secretary, now), patient=patient, on=date(2024, 2, 1), reason="moved"
    )
    rows = _declarations(session, patient)
    assert [(r.gp_id, r.start_on, r.end_on, r.end_reason) for r in rows] == [
        (first.id, date(2019, 1, 10), date(2022, 6, 1), "transfer"),
        (second.id, date(2022, 6, 1), date(2024, 2, 1), "moved"),
    ]
    assert services.treating_gp_of(session, patient, on=date(2019, 1, 9)) is None
    assert services.treating_gp_of(session, patient, on=date(2022, 5, 31)) == first
    assert services.treating_gp_of(session, patient, on=date(2022, 6, 1)) == second
    assert services.treating_gp_of(session, patient, on=date(2024, 2, 1)) is None
    assert patient.current_declaration is None
    actions = session.scalars(
        select(AccessLog.action).where(AccessLog.patient_id == patient.id).order_by(AccessLog.id)
    ).all()
    assert actions[-3:] == ["declaration.create", "declaration.transfer", "declaration.end"]


def patient_practice(session, patient):
    from umpro.team.models import Practice

    return session.get(Practice, patient.practice_id)


def test_declaring_over_an_active_declaration_is_refused(session, patient, gps):
    factories.make_declaration(session, patient, gps[0], start_on=date(2020, 1, 1))
    with pytest.raises(Conflict, match="déjà un médecin traitant"):
        _declare(session, patient, gps[1], date(2023, 1, 1))
    assert len(_declarations(session, patient)) == 1


def test_a_period_overlapping_a_past_one_is_refused(session, patient, gps):
    factories.make_declaration(session, patient, gps[0], start_on=date(2020, 1, 1))
    services.end_declaration(
        session, acting=Acting(None, utcnow()), patient=patient, on=date(2021, 1, 1), reason="other"
    )
    with pytest.raises(Conflict):
        _declare(session, patient, gps[1], date(2020, 6, 1))
    _declare(session, patient, gps[1], date(2021, 1, 1))
    assert len(_declarations(session, patient)) == 2


@pytest.mark.parametrize("profession", ["junior_doctor", "nurse", "secretary"])
def test_transfer_to_a_non_gp_is_refused(session, practice, patient, gps, profession):
    factories.make_declaration(session, patient, gps[0])
    other = factories.make_staff(session, practice, profession=profession)
    with pytest.raises(Invalid, match="médecin généraliste") as refused:
        services.transfer(
            session,
            acting=Acting(None, utcnow()),
            patient=patient,
            gp_id=other.id,
            on=date(2024, 1, 1),
        )
    assert refused.value.field == "gp_id"
    assert [d.gp_id for d in _declarations(session, patient)] == [gps[0].id]


def test_gp_of_another_practice_or_inactive_is_refused(session, practice, patient, gps):
    stranger = factories.make_staff(session, factories.make_practice(session), profession="gp")
    gone = factories.make_staff(session, practice, profession="gp", family_name="Parti")
    gone.is_active = False
    for gp in (stranger, gone):
        with pytest.raises(Invalid):
            _declare(session, patient, gp, date(2020, 1, 1))
    assert _declarations(session, patient) == []


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ("transfer_same_gp", "déjà le médecin traitant"),
        ("transfer_before_start", "postérieure au début"),
        ("transfer_future", "ne peut pas être dans le futur"),
        ("end_without_reason", "Choisissez le motif de fin."),
        ("end_future", "ne peut pas être dans le futur"),
    ],
)
def test_transfer_and_end_rules(session, patient, gps, call, message):
    factories.make_declaration(session, patient, gps[0], start_on=date(2020, 1, 1))
    tomorrow = utcnow().date() + timedelta(days=2)
    calls = {
        "transfer_same_gp": lambda: services.transfer(
            session,
            acting=Acting(None, utcnow()),
            patient=patient,
            gp_id=gps[0].id,
            on=date(2021, 1, 1),
        ),
        "transfer_before_start": lambda: services.transfer(
            session,
            acting=Acting(None, utcnow()),
            patient=patient,
            gp_id=gps[1].id,
            on=date(2020, 1, 1),
        ),
        "transfer_future": lambda: services.transfer(
            session, acting=Acting(None, utcnow()), patient=patient, gp_id=gps[1].id, on=tomorrow
        ),
        "end_without_reason": lambda: services.end_declaration(
            session, acting=Acting(None, utcnow()), patient=patient, on=date(2021, 1, 1), reason=""
        ),
        "end_future": lambda: services.end_declaration(
            session, acting=Acting(None, utcnow()), patient=patient, on=tomorrow, reason="moved"
        ),
    }
    with pytest.raises(Invalid, match=message):
        calls[call]()
    [declaration] = _declarations(session, patient)
    assert declaration.end_on is None


def test_a_declaration_before_birth_is_refused(session, patient, gps):
    with pytest.raises(Invalid, match="précéder la naissance"):
        _declare(session, patient, gps[0], date(1950, 1, 1))
    assert _declarations(session, patient) == []


def test_transfer_without_a_current_declaration_is_refused(session, patient, gps):
    with pytest.raises(Invalid, match="n'a pas de médecin traitant"):
        services.transfer(
            session,
            acting=Acting(None, utcnow()),
            patient=patient,
            gp_id=gps[0].id,
            on=date(2024, 1, 1),
        )


def test_the_database_refuses_a_second_open_declaration(session, practice, patient, gps):
    factories.make_declaration(session, patient, gps[0])
    session.commit()
    with pytest.raises(IntegrityError), session.begin_nested():
        _insert_declaration(session, practice, patient, gps[1], date(2024, 1, 1))


def test_the_database_refuses_an_empty_period(session, practice, patient, gps):
    with pytest.raises(IntegrityError), session.begin_nested():
        _insert_declaration(
            session, practice, patient, gps[1], date(2024, 1, 1), end_on=date(2024, 1, 1)
        )


def test_the_database_refuses_overlapping_closed_periods(session, practice, patient, gps):
    factories.make_declaration(session, patient, gps[0], start_on=date(2020, 1, 1))
    services.end_declaration(
        session, acting=Acting(None, utcnow()), patient=patient, on=date(2022, 1, 1), reason="other"
    )
    session.commit()
    with (
        pytest.raises(IntegrityError, match=r"ex_treating_declaration_overlap|periods overlap"),
        session.begin_nested(),
    ):
        _insert_declaration(
            session,
            practice,
            patient,
            gps[1],
            date(2021, 1, 1),
            end_on=date(2021, 6, 1),
            end_reason="other",
        )


# --- through the pages ----------------------------------------------------------------


def test_secretary_declares_then_transfers_on_the_patient_page(sign_in, session, patient, gps):
    session.commit()
    b, _ = sign_in("secretary")
    declared = b.post(
        f"/patients/{patient.id}/declaration",
        data={"declare-gp_id": str(gps[0].id), "declare-start_on": "10/01/2019"},
    )
    assert declared.status_code == 302
    page = page_text(b.get(f"/patients/{patient.id}"))
    assert "Médecin traitant : Dr Camille Martin" in page and "depuis le 10/01/2019" in page
    moved = b.post(
        f"/patients/{patient.id}/declaration/changement",
        data={"transfer-gp_id": str(gps[1].id), "transfer-on": "01/06/2022"},
    )
    assert moved.status_code == 302
    assert [d.gp_id for d in _declarations(session, patient)] == [gps[0].id, gps[1].id]


@pytest.mark.parametrize(
    ("url", "data", "message"),
    [
        (
            "declaration",
            {"declare-gp_id": "", "declare-start_on": "01/01/2020"},
            "Choisissez un médecin généraliste",
        ),
        ("declaration", {"declare-gp_id": "GP", "declare-start_on": "32/01/2020"}, "Date invalide"),
        (
            "declaration",
            {"declare-gp_id": "GP", "declare-start_on": ""},
            "La date de début est obligatoire.",
        ),
        (
            "declaration/fin",
            {"end-end_on": "01/01/2021", "end-end_reason": ""},
            "Choisissez le motif de fin.",
        ),
    ],
)
def test_declaration_forms_show_french_errors(sign_in, session, patient, gps, url, data, message):
    if url != "declaration":
        factories.make_declaration(session, patient, gps[0])
    session.commit()
    before = session.scalar(select(func.count()).select_from(TreatingDeclaration))
    b, _ = sign_in("secretary")
    data = {k: (str(gps[0].id) if v == "GP" else v) for k, v in data.items()}
    response = b.post(f"/patients/{patient.id}/{url}", data=data)
    assert response.status_code == 422
    assert message in page_text(response)
    assert session.scalar(select(func.count()).select_from(TreatingDeclaration)) == before


def test_coordinator_cannot_declare(sign_in, session, patient, gps):
    session.commit()
    b, _ = sign_in("coordinator", is_admin=True)
    response = b.post(
        f"/patients/{patient.id}/declaration",
        data={"declare-gp_id": str(gps[0].id), "declare-start_on": "10/01/2019"},
    )
    assert response.status_code == 403
    assert _declarations(session, patient) == []
