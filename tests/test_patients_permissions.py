"""The permission matrix: profession × action × sharing objection on/off, through
``can`` and through the patient page; the hand-off check the delegation relies on."""

from datetime import timedelta

import pytest
from sqlalchemy import literal, select

from tests import factories
from tests.conftest import page_text
from umpro.acting import Acting
from umpro.auth.models import AccessLog
from umpro.auth.permissions import can
from umpro.db import utcnow
from umpro.errors import Forbidden
from umpro.patients import relations, services
from umpro.patients.models import FileEntry

CLINICAL_BODY = "Souffle systolique 2/6 au foyer aortique."
ADMIN_BODY = "Attestation de complémentaire santé reçue."

# who: (view_admin, view_clinical, clinical entry without objection, with objection,
#       administrative entry with objection, write clinical, edit identity,
#       take a registration request, write a referral letter)
MATRIX = {
    "treating_gp": (1, 1, 1, 1, 1, 1, 1, 1, 1),
    "other_gp": (1, 1, 1, 0, 1, 1, 1, 1, 1),
    "author_nurse": (1, 1, 1, 1, 1, 1, 1, 0, 0),
    "junior_doctor": (1, 1, 1, 0, 1, 1, 1, 0, 1),
    "medical_assistant": (1, 1, 1, 0, 1, 1, 1, 1, 0),
    "apn_nurse": (1, 1, 1, 0, 1, 1, 1, 0, 0),
    "nurse": (1, 1, 1, 0, 1, 1, 1, 0, 0),
    "secretary": (1, 0, 0, 0, 1, 0, 1, 1, 0),
    "secretary_admin": (1, 0, 0, 0, 1, 0, 1, 1, 0),
    "health_mediator": (1, 0, 0, 0, 1, 0, 1, 1, 0),
    "coordinator_admin": (1, 0, 0, 0, 1, 0, 0, 0, 0),
    "student_with_appointment": (1, 1, 1, 0, 1, 1, 0, 0, 0),
    "student_without_appointment": (0, 0, 0, 0, 0, 0, 0, 0, 0),
}
PROFESSION = {
    "treating_gp": ("gp", False),
    "other_gp": ("gp", False),
    "author_nurse": ("asalee_nurse", False),
    "secretary_admin": ("secretary", True),
    "coordinator_admin": ("coordinator", True),
    "student_with_appointment": ("student", False),
    "student_without_appointment": ("student", False),
}


@pytest.fixture
def world(session, practice, monkeypatch):
    """A patient with a médecin traitant, a clinical entry by a nurse, an administrative
    entry; students reach the patient only when they "have an appointment"."""
    treating = factories.make_staff(session, practice, profession="gp")
    nurse = factories.make_staff(session, practice, profession="asalee_nurse")
    secretary = factories.make_staff(session, practice, profession="secretary")
    patient = factories.make_patient(session, practice)
    factories.make_declaration(session, patient, treating)
    clinical = factories.make_entry(session, patient, nurse, kind="result", body=CLINICAL_BODY)
    admin = factories.make_entry(
        session, patient, secretary, kind="administrative", body=ADMIN_BODY
    )
    with_appointment: set[int] = set()

    def reach(staff, patient_id):
        if staff.profession != "student":
            return None
        return literal(staff.id in with_appointment)

    monkeypatch.setattr(relations, "reach_condition", reach)

    def member(who: str):
        if who == "treating_gp":
            return treating
        if who == "author_nurse":
            return nurse
        profession, is_admin = PROFESSION.get(who, (who, False))
        staff = factories.make_staff(session, practice, profession=profession, is_admin=is_admin)
        if who == "student_with_appointment":
            with_appointment.add(staff.id)
        return staff

    return patient, clinical, admin, member


def _objection(session, patient, on: bool):
    if on:
        services.record_objection(session, acting=Acting(None, utcnow()), patient=patient)


@pytest.mark.parametrize("objection", [False, True], ids=["sans-opposition", "opposition"])
@pytest.mark.parametrize("who", list(MATRIX))
def test_permission_matrix(session, world, who, objection):
    patient, clinical, admin, member = world
    staff = member(who)
    _objection(session, patient, objection)
    expected = MATRIX[who]
    answers = (
        can(staff, "patient.view_admin", patient),
        can(staff, "patient.view_clinical", patient),
        can(staff, "file_entry.view", clinical),
        can(staff, "file_entry.view", admin),
        can(staff, "file_entry.create_clinical", patient),
        can(staff, "patient.edit", patient),
        can(staff, "registration_request.create", patient),
        can(staff, "referral_letter.write", patient),
    )
    clinical_expected = expected[3] if objection else expected[2]
    assert answers == (
        bool(expected[0]),
        bool(expected[1]),
        bool(clinical_expected),
        bool(expected[4]),
        bool(expected[5]),
        bool(expected[6]),
        bool(expected[7]),
        bool(expected[8]),
    )


@pytest.mark.parametrize("objection", [False, True], ids=["sans-opposition", "opposition"])
@pytest.mark.parametrize("who", list(MATRIX))
def test_the_patient_page_shows_what_the_matrix_allows(app, session, world, who, objection):
    from tests.conftest import Browser

    patient, _, _, member = world
    staff = member(who)
    _objection(session, patient, objection)
    session.commit()
    b = Browser(app.test_client())
    assert b.login(staff.email).status_code == 302
    response = b.get(f"/patients/{patient.id}")
    expected = MATRIX[who]
    if not expected[0]:
        assert response.status_code == 403
        assert "Vous n'avez pas accès à ce patient." in page_text(response)
        return
    assert response.status_code == 200
    text = page_text(response)
    assert (CLINICAL_BODY in text) == bool(expected[3] if objection else expected[2])
    assert ADMIN_BODY in text
    assert ("Opposition au partage" in text) == objection


@pytest.mark.parametrize("objection", [False, True], ids=["sans-opposition", "opposition"])
def test_timeline_sql_filter_agrees_with_the_rule(session, world, objection):
    """The timeline filters in SQL, then checks ``can``: both say the same thing."""
    patient, _, _, member = world
    factories.make_entry(session, patient, member("other_gp"), body="Écrit par un autre")
    _objection(session, patient, objection)
    every_entry = session.scalars(
        select(FileEntry).where(FileEntry.patient_id == patient.id).order_by(FileEntry.id)
    ).all()
    for who in MATRIX:
        staff = member(who)
        if not can(staff, "patient.view_admin", patient):
            continue
        shown = services.timeline(session, actor=staff, patient=patient).entries
        allowed = [e.id for e in every_entry if can(staff, "file_entry.view", e)]
        assert sorted(e.id for e in shown) == allowed, who


def test_objection_is_recorded_and_lifted_with_date_and_author(sign_in, session, practice):
    patient = factories.make_patient(session, practice)
    session.commit()
    b, secretary = sign_in("secretary")
    recorded = b.post(f"/patients/{patient.id}/opposition", data={"objection-note": "À l'accueil"})
    assert recorded.status_code == 302
    again = b.post(f"/patients/{patient.id}/opposition", data={})
    assert again.status_code == 422
    assert "Une opposition au partage est déjà enregistrée" in page_text(again)
    lifted = b.post(f"/patients/{patient.id}/opposition/levee", data={})
    assert lifted.status_code == 302
    [objection] = services.objection_history(session, patient=patient)
    assert objection.recorded_by_id == secretary.id and objection.lifted_by_id == secretary.id
    assert objection.recorded_at <= objection.lifted_at
    assert objection.note == "À l'accueil"
    actions = [r.action for r in _log(session, patient)]
    assert actions.count("sharing_objection.record") == 1
    assert actions.count("sharing_objection.lift") == 1
    nothing = b.post(f"/patients/{patient.id}/opposition/levee", data={})
    assert "Aucune opposition au partage n'est en cours" in page_text(nothing)


def _log(session, patient):
    return session.scalars(select(AccessLog).where(AccessLog.patient_id == patient.id)).all()


def test_students_and_coordinators_cannot_record_an_objection(sign_in, session, practice):
    patient = factories.make_patient(session, practice)
    session.commit()
    b, _ = sign_in("coordinator", is_admin=True)
    assert b.post(f"/patients/{patient.id}/opposition", data={}).status_code == 403
    assert services.objection_history(session, patient=patient) == []


class TestCheckSharingAllows:
    @pytest.fixture
    def team(self, session, practice):
        gp = factories.make_staff(session, practice, profession="gp")
        nurse = factories.make_staff(session, practice, profession="asalee_nurse")
        patient = factories.make_patient(session, practice)
        factories.make_declaration(session, patient, gp)
        return patient, gp, nurse

    def test_without_objection_any_team_member_may_receive(self, session, team):
        patient, gp, nurse = team
        assert (
            services.check_sharing_allows(session, patient=patient, actor=gp, recipient=nurse)
            is None
        )

    def test_objection_refuses_a_hand_off_to_another_professional(self, session, team):
        patient, gp, nurse = team
        services.record_objection(session, acting=Acting(gp, utcnow()), patient=patient)
        with pytest.raises(Forbidden) as refused:
            services.check_sharing_allows(session, patient=patient, actor=gp, recipient=nurse)
        assert refused.value.message == services.SHARING_REFUSED
        assert "s'oppose au partage" in refused.value.message

    def test_objection_allows_handing_back_to_the_treating_gp_or_oneself(self, session, team):
        patient, gp, nurse = team
        services.record_objection(session, acting=Acting(gp, utcnow()), patient=patient)
        for recipient in (gp, nurse):
            allowed = services.check_sharing_allows(
                session, patient=patient, actor=nurse, recipient=recipient
            )
            assert allowed is None
        with pytest.raises(Forbidden):  # the objection still holds for anyone else
            other = factories.make_staff(session, gp.practice, profession="nurse")
            services.check_sharing_allows(session, patient=patient, actor=nurse, recipient=other)

    def test_lifting_the_objection_allows_again(self, session, team):
        patient, gp, nurse = team
        now = utcnow()
        services.record_objection(session, acting=Acting(gp, now), patient=patient)
        with pytest.raises(Forbidden):
            services.check_sharing_allows(session, patient=patient, actor=gp, recipient=nurse)
        services.lift_objection(
            session, acting=Acting(gp, now + timedelta(days=1)), patient=patient
        )
        allowed = services.check_sharing_allows(session, patient=patient, actor=gp, recipient=nurse)
        assert allowed is None

    def test_another_practices_staff_is_refused(self, session, team):
        patient, gp, _ = team
        stranger = factories.make_staff(session, factories.make_practice(session))
        with pytest.raises(Forbidden):
            services.check_sharing_allows(session, patient=patient, actor=gp, recipient=stranger)


@pytest.mark.parametrize(("status", "reaches"), [("booked", True), ("cancelled", False)])
def test_a_student_reaches_patients_booked_with_them_in_the_agenda(
    session, practice, status, reaches
):
    """The real agenda, no stand-in: an appointment with the student opens the patient."""
    from datetime import timedelta

    from umpro.scheduling.models import Appointment

    student = factories.make_staff(session, practice, profession="student")
    patient = factories.make_patient(session, practice, family_name="Agenda")
    stranger = factories.make_patient(session, practice, family_name="Agenda")
    kind = factories.make_appointment_type(session, practice, professions=["student"])
    start = utcnow() + timedelta(days=1)
    session.add(
        Appointment(
            practice_id=practice.id,
            staff_id=student.id,
            patient_id=patient.id,
            type_id=kind.id,
            start_at=start,
            end_at=start + timedelta(minutes=15),
            status=status,
        )
    )
    session.flush()
    assert can(student, "patient.view_admin", patient) is reaches
    assert can(student, "patient.view_admin", stranger) is False
    found = services.search_patients(session, acting=Acting(student, utcnow()), query="agenda")
    assert [p.id for p in found] == ([patient.id] if reaches else [])
