"""Patient pages: bounded SQL whatever the data size, one access-log row per access, the
information sheet, navigation, and the demo patients."""

from datetime import date

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.conftest import page_text
from umpro.acting import Acting
from umpro.auth.models import AccessLog
from umpro.db import utcnow
from umpro.patients import services
from umpro.patients.models import FileEntry, Patient


def _fill(session, practice, patient, gp, nurse, *, entries: int, others: int):
    for n in range(entries):
        entry = factories.make_entry(session, patient, nurse if n % 2 else gp, title=f"E{n}")
        if n % 5 == 0:
            services.correct_entry(
                session,
                acting=Acting(entry.author, utcnow()),
                entry=entry,
                title=f"E{n}",
                body="corrigé",
            )
        if n % 7 == 0 and n % 5:
            services.mark_entered_in_error(
                session, acting=Acting(entry.author, utcnow()), entry=entry, reason="erreur"
            )
    for _ in range(others):
        other = factories.make_patient(session, practice)
        factories.make_entry(session, other, gp)


@pytest.mark.parametrize("objection", [False, True])
def test_patient_page_queries_are_bounded(sign_in, session, practice, count_queries, objection):
    b, gp = sign_in("gp")
    nurse = factories.make_staff(session, practice, profession="asalee_nurse")
    patient = factories.make_patient(session, practice)
    factories.make_declaration(session, patient, gp)
    factories.make_request(session, patient, factories.make_staff(session, practice))
    if objection:
        services.record_objection(session, acting=Acting(gp, utcnow()), patient=patient)

    def measure() -> int:
        session.commit()
        with count_queries() as q:
            response = b.get(f"/patients/{patient.id}")
        assert response.status_code == 200
        return q.count

    _fill(session, practice, patient, gp, nurse, entries=3, others=2)
    small = measure()
    _fill(session, practice, patient, gp, nurse, entries=80, others=150)
    large = measure()
    assert large == small, (small, large)
    assert large <= 22


def test_student_patient_page_queries_are_bounded(
    app, session, practice, count_queries, monkeypatch
):
    """A student's reach is asked once per page, not once per entry."""
    from sqlalchemy import literal

    from tests.conftest import Browser
    from umpro.patients import relations

    monkeypatch.setattr(
        relations,
        "reach_condition",
        lambda staff, pid: literal(True) if staff.profession == "student" else None,
    )
    gp = factories.make_staff(session, practice, profession="gp")
    student = factories.make_staff(session, practice, profession="student")
    patient = factories.make_patient(session, practice)
    session.commit()
    b = Browser(app.test_client())
    b.login(student.email)

    def measure() -> int:
        session.commit()
        with count_queries() as q:
            assert b.get(f"/patients/{patient.id}").status_code == 200
        return q.count

    factories.make_entry(session, patient, gp)
    small = measure()
    for _ in range(40):
        factories.make_entry(session, patient, gp)
    assert measure() == small


def _rows(session, action):
    return session.scalars(select(AccessLog).where(AccessLog.action == action)).all()


def test_each_access_is_one_access_log_row(sign_in, session, practice):
    b, gp = sign_in("gp")
    patient = factories.make_patient(session, practice)
    entry = factories.make_entry(session, patient, gp)
    letter = services.create_letter(
        session, acting=Acting(gp, utcnow()), patient=patient, recipient="Dr X", reason="Avis"
    )
    session.commit()
    before = session.scalar(select(func.count()).select_from(AccessLog))
    accesses = [
        ("patient.view", lambda: b.get(f"/patients/{patient.id}"), f"patient:{patient.id}"),
        (
            "patient.view",
            lambda: b.get(f"/api/v1/patients/{patient.id}"),
            f"api:patient:{patient.id}",
        ),
        (
            "patient.print_sheet",
            lambda: b.get(f"/patients/{patient.id}/fiche-information"),
            f"patient:{patient.id}",
        ),
        (
            "registration_request.print",
            lambda: b.get(f"/patients/{patient.id}/refus"),
            f"patient:{patient.id}",
        ),
        (
            "referral_letter.print",
            lambda: b.get(f"/patients/{patient.id}/lettres/{letter.id}"),
            f"referral_letter:{letter.id}",
        ),
        (
            "file_entry.create",
            lambda: b.post(
                f"/patients/{patient.id}/entrees", data={"entry-kind": "note", "entry-body": "Vu"}
            ),
            None,
        ),
        (
            "file_entry.correct",
            lambda: b.post(
                f"/patients/{patient.id}/entrees/{entry.id}/corriger",
                data={"title": "T", "body": "corrigé"},
            ),
            None,
        ),
    ]
    for n, (action, access, target) in enumerate(accesses, start=1):
        response = access()
        assert response.status_code in (200, 302), action
        after = session.scalar(select(func.count()).select_from(AccessLog))
        assert after == before + n, action  # exactly one row for this access
        last = session.scalar(select(AccessLog).order_by(AccessLog.id.desc()).limit(1))
        assert (last.action, last.staff_id, last.patient_id) == (action, gp.id, patient.id)
        if target:
            assert last.target == target
        assert last.ip == "127.0.0.1"


def test_information_sheet_explains_sharing_and_the_right_to_object(sign_in, session, practice):
    b, _ = sign_in("secretary")
    patient = factories.make_patient(session, practice, family_name="Ménard", given_names="Paul")
    session.commit()
    text = page_text(b.get(f"/patients/{patient.id}/fiche-information"))
    assert "MÉNARD Paul" in text
    assert "Votre droit d'opposition" in text and "L1110-4" in text
    assert "Vous acceptez le partage" in text
    assert "data-print" in text


def test_patients_menu_points_at_the_search(sign_in):
    b, _ = sign_in("secretary")
    home = b.get("/")
    assert 'href="/patients/"' in home.text
    assert "bientot/patients" not in home.text


def test_demo_loads_300_patients_once(session, practice):
    from umpro.demo import TEAM
    from umpro.patients import demo

    members = {
        m.key: factories.make_staff(
            session,
            practice,
            profession=m.profession,
            email=m.email,
            given_name=m.given_name,
            family_name=m.family_name,
        )
        for m in TEAM
    }
    demo.load(session, practice=practice, members=members, now=utcnow())
    count = session.scalar(
        select(func.count()).select_from(Patient).where(Patient.practice_id == practice.id)
    )
    assert count == demo.COUNT
    secretary = members["marie.dubois"]
    [helene] = services.search_patients(
        session, acting=Acting(secretary, utcnow()), query="helene mar 12/03/1958"
    )
    assert helene.birth_date == date(1958, 3, 12)
    assert services.search_patients(
        session, acting=Acting(secretary, utcnow()), query="jean-pierre"
    )
    assert services.search_patients(session, acting=Acting(secretary, utcnow()), query="n'diaye")
    gps = {members[k].id for k in demo.GP_KEYS}
    declared = sum(1 for p in session.scalars(select(Patient)) if p.treating_gp)
    assert declared > count // 2  # most patients have one of the three demo GPs
    assert all(p.treating_gp.id in gps for p in session.scalars(select(Patient)) if p.treating_gp)
    queue = services.queue(
        session,
        acting=Acting(members["claire.martin"], utcnow()),
        gp_id=members["claire.martin"].id,
    )
    assert queue
    entries = session.scalar(select(func.count()).select_from(FileEntry))
    assert entries > count
    demo.load(session, practice=practice, members=members, now=utcnow())
    assert session.scalar(select(func.count()).select_from(Patient)) == count
    assert session.scalar(select(func.count()).select_from(FileEntry)) == entries
