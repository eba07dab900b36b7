"""The protocol catalogue (its structured definition typed as lines of text), the reference
protocols, memberships, and who may manage them."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.conftest import page_text
from umpro.acting import Acting
from umpro.auth.permissions import can
from umpro.db import utcnow
from umpro.delegation.models import Protocol, ProtocolMembership
from umpro.delegation.protocols import definition, text_format
from umpro.delegation.protocols.reference_set import REFERENCE_PROTOCOLS
from umpro.delegation.services import memberships, protocols
from umpro.errors import Conflict, Forbidden, Invalid


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("hba1c ; HbA1c", "Ligne 1 : écrivez au moins « clé ; libellé ; type »."),
        ("hba1c ; HbA1c ; couleur", "Ligne 1 : type « couleur » inconnu"),
        ("HbA1c ; HbA1c ; nombre", "Ligne 1 : la clé « HbA1c » doit commencer par une lettre"),
        ("a ; A ; nombre\na ; B ; texte", "Ligne 2 : la clé « a » est utilisée deux fois."),
        ("a ; A ; nombre ; min=deux", "Ligne 1 : « min=deux » n'est pas un nombre."),
        ("a ; A ; nombre ; min=5 ; max=1", "Ligne 1 : le minimum dépasse le maximum."),
        ("a ; A ; choix ; choix=Seul", "Ligne 1 : un choix propose au moins deux réponses"),
        ("a ; A ; texte ; couleur=bleu", "Ligne 1 : option « couleur=bleu » inconnue."),
        ("\n\nsigns ; Signes ; texte", "Ligne 3 : la clé « signs » est utilisée deux fois."),
    ],
)
def test_badly_written_fields_are_refused_with_their_line(text, message):
    with pytest.raises(Invalid) as refused:
        text_format.parse_fields(text)
    assert message in refused.value.message
    assert refused.value.field == "result_fields"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("f ; Fièvre ; temperature > 38", "doit porter sur un champ de résultat"),
        ("f ; Fièvre ; t > trente", "« trente » n'est pas un nombre."),
        ("f ; Plaie ; pieds > Plaie", "« Pieds » se compare seulement avec « = »."),
        ("f ; Plaie ; pieds = Ulcère", "« Ulcère » n'est pas une réponse possible de « Pieds »."),
        ("f ; ECG ; ecg = peut-être", "n'est pas une réponse possible de « ECG »."),
    ],
)
def test_badly_written_red_flags_are_refused(text, message):
    fields = text_format.parse_fields(
        "t ; Température ; nombre ; unité=°C\npieds ; Pieds ; choix ; choix=Normal|Plaie\n"
        "ecg ; ECG ; oui/non"
    )
    with pytest.raises(Invalid) as refused:
        text_format.parse_red_flags(text, fields)
    assert message in refused.value.message and refused.value.field == "red_flags"


def test_the_text_format_round_trips(session, practice):
    installed = factories.install_protocols(session, practice)
    for protocol in installed.values():
        again = protocols._clean(protocols.input_of(protocol))
        assert again["result_fields"] == protocol.result_fields
        assert again["red_flags"] == protocol.red_flags
        assert again["inclusion_criteria"] == protocol.inclusion_criteria
        assert again["exclusion_criteria"] == protocol.exclusion_criteria


def test_reference_protocols_installed_once_per_practice(session, practice):
    other = factories.make_practice(session)
    first = protocols.install_reference_protocols(
        session, acting=Acting(None, utcnow()), practice_id=practice.id
    )
    assert len(first) == len(REFERENCE_PROTOCOLS) == 6
    dt2 = next(p for p in first if p.code == "asalee-dt2")
    dt2.title = "Notre suivi du diabète"
    session.flush()
    assert (
        protocols.install_reference_protocols(
            session, acting=Acting(None, utcnow()), practice_id=practice.id
        )
        == []
    )
    assert dt2.title == "Notre suivi du diabète", "an edited protocol is left as it is"
    protocols.install_reference_protocols(
        session, acting=Acting(None, utcnow()), practice_id=other.id
    )
    assert session.scalar(select(func.count(Protocol.id))) == 12
    by_code = {p.code: p for p in first}
    assert (by_code["cystite"].min_age, by_code["cystite"].max_age) == (16, 65)
    assert by_code["cystite"].sexes == ["F"]
    assert (by_code["odynophagie"].min_age, by_code["odynophagie"].max_age) == (6, 45)
    assert len(by_code["cystite"].exclusion_criteria) >= 5
    bpco = definition.of(by_code["asalee-bpco"])
    assert bpco.field_for("vems_cvf").required
    flag = next(f for f in bpco.red_flags if f.field == "vems_cvf")
    assert (flag.op, flag.value) == ("<", 70.0)
    mmse = next(f for f in definition.of(by_code["asalee-cognitif"]).red_flags if f.field)
    assert (mmse.field, mmse.op, mmse.value) == ("mmse", "<", 24.0)


@pytest.fixture
def admin(sign_in):
    return sign_in("coordinator", is_admin=True)


FORM = {
    "code": "local-hta",
    "title": "Suivi de l'hypertension",
    "kind": "local",
    "delegating_professions": ["gp"],
    "delegate_professions": ["nurse", "apn_nurse"],
    "acts": "Mesure de la pression artérielle",
    "min_age": "18",
    "inclusion": "HTA traitée",
    "exclusion": "grossesse ; Grossesse en cours",
    "consent_required": "y",
    "fields": "pas ; PAS ; nombre ; unité=mmHg ; min=60 ; max=260 ; obligatoire",
    "red_flags": "pas_haute ; PAS ≥ 180 ; pas >= 180\nmalaise ; Malaise",
    "default_due_days": "15",
    "is_active": "y",
}


def test_admin_creates_and_edits_a_protocol(admin, session):
    b, _ = admin
    response = b.post("/delegation/protocoles/nouveau", data=FORM)
    assert response.status_code == 302, page_text(response)
    protocol = session.scalar(select(Protocol).where(Protocol.code == "local-hta"))
    assert protocol.inclusion_criteria == [{"key": "hta_traitee", "label": "HTA traitée"}]
    assert protocol.red_flags[0] == {
        "key": "pas_haute",
        "label": "PAS ≥ 180",
        "field": "pas",
        "op": ">=",
        "value": 180.0,
    }
    assert protocol.red_flags[1] == {"key": "malaise", "label": "Malaise"}
    page = b.get(f"/delegation/protocoles/{protocol.id}/modifier")
    assert "pas ; PAS ; nombre ; unité=mmHg ; min=60 ; max=260 ; obligatoire" in page_text(page)
    edited = b.post(f"/delegation/protocoles/{protocol.id}/modifier", data=FORM | {"max_age": "10"})
    assert edited.status_code == 422
    assert "L'âge minimum dépasse l'âge maximum." in page_text(edited)
    shown = b.get(f"/delegation/protocoles/{protocol.id}")
    assert "PAS ≥ 180" in page_text(shown) and "de 60 à 260 mmHg" in page_text(shown)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"code": "Avec Espaces"}, "Le code est obligatoire : minuscules sans accent"),
        ({"fields": ""}, "Décrivez au moins un champ de résultat"),
        ({"fields": "pas ; PAS ; nombre ; max=x"}, "Ligne 1 : « max=x » n'est pas un nombre."),
        ({"red_flags": "x ; X ; inconnu > 3"}, "doit porter sur un champ de résultat"),
        ({"delegate_professions": []}, "Choisissez au moins une profession déléguée."),
    ],
)
def test_bad_protocol_form_names_the_problem(admin, session, overrides, message):
    b, _ = admin
    response = b.post("/delegation/protocoles/nouveau", data=FORM | overrides)
    assert response.status_code == 422
    assert message in page_text(response)
    assert session.scalar(select(func.count(Protocol.id))) == 0


def test_a_code_is_used_once(admin, session, practice):
    factories.install_protocols(session, practice)
    session.commit()
    b, _ = admin
    response = b.post("/delegation/protocoles/nouveau", data=FORM | {"code": "cystite"})
    assert response.status_code == 422 and "Un protocole porte déjà ce code." in page_text(response)


def test_install_button_is_idempotent(admin, session):
    b, _ = admin
    first = b.post("/delegation/protocoles/installer", follow_redirects=True)
    assert "6 protocole(s) de référence installé(s)." in page_text(first)
    again = b.post("/delegation/protocoles/installer", follow_redirects=True)
    assert "déjà installés" in page_text(again)
    assert session.scalar(select(func.count(Protocol.id))) == 6


@pytest.mark.parametrize(
    ("profession", "read", "manage"),
    [
        ("gp", 200, 403),
        ("asalee_nurse", 200, 403),
        ("junior_doctor", 200, 403),
        ("secretary", 403, 403),
        ("student", 403, 403),
    ],
)
def test_who_reads_and_who_manages_the_catalogue(sign_in, profession, read, manage):
    b, _ = sign_in(profession)
    assert b.get("/delegation/protocoles").status_code == read
    assert b.get("/delegation/protocoles/nouveau").status_code == manage
    assert b.post("/delegation/protocoles/installer").status_code == manage


def test_services_refuse_non_admins(session, practice):
    gp = factories.make_staff(session, practice, profession="gp")
    with pytest.raises(Forbidden):
        protocols.install_reference_protocols(
            session, acting=Acting(gp, utcnow()), practice_id=practice.id
        )


def test_only_the_delegating_professions_may_hand_off_under_a_protocol(
    frozen_now, session, practice
):
    installed = factories.install_protocols(session, practice)
    cystite = installed["cystite"]
    cystite.delegating_professions = ["gp", "junior_doctor"]
    installed["asalee-rcv"].is_active = False
    session.flush()
    gp = factories.make_staff(session, practice, profession="gp")
    junior = factories.make_staff(session, practice, profession="junior_doctor")
    nurse = factories.make_staff(session, practice, profession="asalee_nurse")
    assert can(gp, "protocol.hand_off", cystite) and can(junior, "protocol.hand_off", cystite)
    assert not can(junior, "protocol.hand_off", installed["asalee-dt2"])
    assert not can(nurse, "protocol.hand_off", cystite)
    offered = {p.code for p in protocols.hand_off_protocols(session, actor=gp)}
    assert offered == set(installed) - {"asalee-rcv"}, "an inactive protocol is not offered"
    assert [p.code for p in protocols.hand_off_protocols(session, actor=junior)] == ["cystite"]
    assert protocols.hand_off_protocols(session, actor=nurse) == []


# --- Memberships ---------------------------------------------------------------------


def test_membership_rules(session, practice):
    protocol = factories.install_protocols(session, practice)["asalee-dt2"]
    nurse = factories.make_staff(session, practice, profession="asalee_nurse")
    apn = factories.make_staff(session, practice, profession="apn_nurse")
    today = utcnow().date()

    def add(staff, trained, until=None):
        return memberships.add_membership(
            session,
            acting=Acting(None, utcnow()),
            protocol=protocol,
            staff=staff,
            trained_on=today + timedelta(days=trained) if trained is not None else None,
            valid_until=today + timedelta(days=until) if until is not None else None,
            today=today,
        )

    with pytest.raises(Invalid, match="délégué aux professions suivantes : Infirmière Asalée"):
        add(apn, -10)
    with pytest.raises(Invalid, match="ne peut pas être dans le futur"):
        add(nurse, 3)
    with pytest.raises(Invalid, match=r"La date de formation est obligatoire\."):
        add(nurse, None)
    with pytest.raises(Invalid, match="ne peut pas précéder la formation"):
        add(nurse, -10, -20)
    first = add(nurse, -100, 100)
    with pytest.raises(Conflict, match="a déjà une adhésion à ce protocole sur cette période"):
        add(nurse, -50)
    assert memberships.valid_membership(session, staff=nurse, protocol=protocol, on=today)
    memberships.end_membership(
        session, acting=Acting(None, utcnow()), membership=first, on=today - timedelta(days=1)
    )
    assert not memberships.valid_membership(session, staff=nurse, protocol=protocol, on=today)
    with pytest.raises(Conflict, match="a déjà pris fin"):
        memberships.end_membership(
            session, acting=Acting(None, utcnow()), membership=first, on=today
        )
    renewed = add(nurse, 0)
    assert renewed.valid_on(today) and not first.valid_on(today)
    assert memberships.delegates_for(session, protocol=protocol, on=today) == [nurse]


def test_admin_declares_and_ends_a_membership_through_the_page(admin, session, practice):
    protocol = factories.install_protocols(session, practice)["cystite"]
    nurse = factories.make_staff(session, practice, profession="nurse", family_name="Lemoine")
    session.commit()
    b, _ = admin
    today = utcnow().date()
    bad = b.post(
        f"/delegation/protocoles/{protocol.id}/adhesions",
        data={"staff_id": nurse.id, "trained_on": (today + timedelta(days=5)).isoformat()},
    )
    assert bad.status_code == 422
    assert "La date de formation ne peut pas être dans le futur." in page_text(bad)
    ok = b.post(
        f"/delegation/protocoles/{protocol.id}/adhesions",
        data={"staff_id": nurse.id, "trained_on": "2025-01-15"},
    )
    assert ok.status_code == 302
    membership = session.scalar(select(ProtocolMembership))
    page = b.get(f"/delegation/protocoles/{protocol.id}")
    assert "Lemoine" in page_text(page) and "15/01/2025" in page_text(page)
    ended = b.post(
        f"/delegation/adhesions/{membership.id}/fin",
        data={"on": today.isoformat()},
        follow_redirects=True,
    )
    assert "Fin d'adhésion enregistrée." in page_text(ended)
    session.refresh(membership)
    assert membership.valid_until == today and membership.ended_at is not None


def test_a_gp_cannot_declare_memberships(sign_in, session, practice):
    protocol = factories.install_protocols(session, practice)["cystite"]
    nurse = factories.make_staff(session, practice, profession="nurse")
    session.commit()
    b, _ = sign_in("gp")
    response = b.post(
        f"/delegation/protocoles/{protocol.id}/adhesions",
        data={"staff_id": nurse.id, "trained_on": "2025-01-15"},
    )
    assert response.status_code == 403
    assert session.scalar(select(func.count(ProtocolMembership.id))) == 0


def test_another_practices_protocol_answers_404(sign_in, session):
    other = factories.make_practice(session)
    protocol = factories.install_protocols(session, other)["cystite"]
    session.commit()
    b, _ = sign_in("gp")
    assert b.get(f"/delegation/protocoles/{protocol.id}").status_code == 404
