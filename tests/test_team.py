"""Team administration: staff and rooms (admin only), through the pages."""

import pytest
from sqlalchemy import select

from tests import factories
from tests.conftest import page_text
from umpro.auth.models import AuthSession
from umpro.team.models import Room, Staff


@pytest.fixture
def admin(sign_in):
    return sign_in("coordinator", is_admin=True)


def _staff_form(**overrides):
    return {
        "given_name": "Lina",
        "family_name": "Rousseau",
        "email": "lina.rousseau@exemple.fr",
        "profession": "nurse",
        "rpps": "10100000099",
        "password": "mot-de-passe-initial",
    } | overrides


def test_admin_adds_a_staff_member_who_can_sign_in(app, admin, session):
    b, _ = admin
    response = b.post("/equipe/nouveau", data=_staff_form())
    assert response.status_code == 302
    staff = session.scalar(select(Staff).where(Staff.email == "lina.rousseau@exemple.fr"))
    assert staff.profession == "nurse" and staff.rpps == "10100000099"
    assert staff.password_hash.startswith("$argon2")
    from tests.conftest import Browser

    assert Browser(app.test_client()).login(staff.email, "mot-de-passe-initial").status_code == 302


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"given_name": ""}, "Le prénom est obligatoire."),
        ({"email": "pas-une-adresse"}, "Adresse e-mail invalide."),
        ({"rpps": "123"}, "Le numéro RPPS comporte 11 chiffres."),
        ({"profession": "secretary"}, "Seuls les professionnels de santé ont un numéro RPPS."),
        ({"password": "court"}, "Au moins 10 caractères."),
    ],
)
def test_bad_staff_input_gets_french_message_and_nothing_saved(admin, session, overrides, message):
    b, _ = admin
    before = len(session.scalars(select(Staff)).all())
    response = b.post("/equipe/nouveau", data=_staff_form(**overrides))
    assert response.status_code == 422
    assert message in page_text(response)
    assert len(session.scalars(select(Staff)).all()) == before


def test_duplicate_email_refused(admin, session, practice):
    b, _ = admin
    existing = factories.make_staff(session, practice, email="deja@exemple.fr")
    session.commit()
    response = b.post("/equipe/nouveau", data=_staff_form(email=existing.email.upper()))
    assert response.status_code == 422
    assert "Cette adresse e-mail est déjà utilisée." in page_text(response)


def test_supervisor_must_be_a_gp(admin, session, practice):
    b, _ = admin
    nurse = factories.make_staff(session, practice, profession="nurse")
    gp = factories.make_staff(session, practice, profession="gp")
    session.commit()
    refused = b.post(
        "/equipe/nouveau", data=_staff_form(profession="junior_doctor", supervisor_id=nurse.id)
    )
    assert "Le maître de stage doit être un médecin généraliste" in page_text(refused)
    ok = b.post(
        "/equipe/nouveau", data=_staff_form(profession="junior_doctor", supervisor_id=gp.id)
    )
    assert ok.status_code == 302
    junior = session.scalar(select(Staff).where(Staff.email == "lina.rousseau@exemple.fr"))
    assert junior.supervisor_id == gp.id


def test_medical_assistant_assists_gps(admin, session, practice):
    b, _ = admin
    gps = [factories.make_staff(session, practice, profession="gp") for _ in range(2)]
    session.commit()
    data = _staff_form(profession="medical_assistant")
    data["assisted_gp_ids"] = [g.id for g in gps]
    assert b.post("/equipe/nouveau", data=data).status_code == 302
    assistant = session.scalar(select(Staff).where(Staff.email == "lina.rousseau@exemple.fr"))
    assert {g.id for g in assistant.assisted_gps} == {g.id for g in gps}


def test_edit_staff_member(admin, session, practice):
    b, _ = admin
    staff = factories.make_staff(session, practice, profession="secretary")
    session.commit()
    page = b.get(f"/equipe/{staff.id}")
    assert page.status_code == 200
    data = _staff_form(email=staff.email, profession="secretary", rpps="")
    data.pop("password")
    data["family_name"] = "Nouveau-Nom"
    assert b.post(f"/equipe/{staff.id}", data=data).status_code == 302
    session.refresh(staff)
    assert staff.family_name == "Nouveau-Nom"


def test_deactivation_ends_sessions_and_blocks_sign_in(app, admin, session, practice):
    b, _ = admin
    victim_browser, victim = _signed_in_member(app, session, practice)
    assert b.post(f"/equipe/{victim.id}/activation").status_code == 302
    session.refresh(victim)
    assert victim.is_active is False
    assert all(
        s.ended_at is not None
        for s in session.scalars(select(AuthSession).where(AuthSession.staff_id == victim.id))
    )
    assert victim_browser.get("/").status_code == 302
    assert "Ce compte est désactivé" in page_text(victim_browser.login(victim.email))


def test_admin_cannot_deactivate_self(admin):
    b, me = admin
    response = b.post(f"/equipe/{me.id}/activation")
    assert response.status_code == 422
    assert "Vous ne pouvez pas désactiver votre propre compte." in page_text(response)


def test_reset_password(app, admin, session, practice):
    b, _ = admin
    member_browser, member = _signed_in_member(app, session, practice)
    assert (
        b.post(
            f"/equipe/{member.id}/mot-de-passe", data={"password": "nouveau-mot-de-passe"}
        ).status_code
        == 302
    )
    assert member_browser.get("/").status_code == 302  # sessions closed
    from tests.conftest import Browser

    assert Browser(app.test_client()).login(member.email, "nouveau-mot-de-passe").status_code == 302


def test_other_practice_staff_is_404(admin, session):
    b, _ = admin
    other = factories.make_staff(session, factories.make_practice(session))
    session.commit()
    assert b.get(f"/equipe/{other.id}").status_code == 404


def test_admin_adds_and_edits_a_room(admin, session):
    b, me = admin
    assert (
        b.post(
            "/equipe/salles/nouvelle",
            data={"name": "Cabinet 4", "kind": "gp_office", "is_active": "y"},
        ).status_code
        == 302
    )
    room = session.scalar(select(Room).where(Room.name == "Cabinet 4"))
    assert room.practice_id == me.practice_id and room.is_active
    listing = b.get("/equipe/salles")
    assert "Cabinet 4" in listing.text and "Cabinet médical" in listing.text
    dup = b.post("/equipe/salles/nouvelle", data={"name": "cabinet 4", "kind": "gp_office"})
    assert dup.status_code == 422
    assert "Une salle porte déjà ce nom." in page_text(dup)
    assert (
        b.post(f"/equipe/salles/{room.id}", data={"name": "Cabinet 4", "kind": "nurse"}).status_code
        == 302
    )
    session.refresh(room)
    assert room.kind == "nurse" and room.is_active is False


def test_room_needs_a_name(admin):
    b, _ = admin
    response = b.post("/equipe/salles/nouvelle", data={"name": "", "kind": "gp_office"})
    assert response.status_code == 422
    assert "Le nom de la salle est obligatoire." in page_text(response)


def _signed_in_member(app, session, practice):
    from tests.conftest import Browser

    member = factories.make_staff(session, practice, profession="secretary")
    session.commit()
    browser = Browser(app.test_client())
    assert browser.login(member.email).status_code == 302
    return browser, member
