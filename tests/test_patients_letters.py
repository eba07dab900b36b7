"""Referral letters: composed from the file, printable, stored as a letter entry; the
reply recorded when it comes back."""

import functools
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests import factories
from tests.conftest import page_text
from umpro.acting import Acting
from umpro.auth.models import AccessLog
from umpro.db import utcnow
from umpro.errors import Conflict, Forbidden, Invalid
from umpro.patients import services
from umpro.patients.models import FileEntry, ReferralLetter
from umpro.timeutil import local_today


@pytest.fixture
def patient(session, practice):
    return factories.make_patient(session, practice, family_name="Besnard", given_names="Luc")


def _actions(session):
    return session.scalars(select(AccessLog.action).order_by(AccessLog.id)).all()


def _post_reply_received_today(browser, patient, letter, body):
    """Records, through the page, the letter's reply as received today (Paris)."""
    return browser.post(
        f"/patients/{patient.id}/lettres/{letter.id}/reponse",
        data={
            "received_on": f"{local_today('Europe/Paris', utcnow()):%d/%m/%Y}",
            "body": body,
        },
    )


def test_gp_composes_prints_and_records_the_reply(sign_in, session, patient):
    b, gp = sign_in("gp")
    ecg = factories.make_entry(session, patient, gp, kind="result", title="ECG", body="BAV 1")
    factories.make_entry(session, patient, gp, title="Autre", body="Non joint")
    session.commit()
    form = b.get(f"/patients/{patient.id}/lettres/nouvelle")
    assert form.status_code == 200 and "ECG" in page_text(form)
    response = b.post(
        f"/patients/{patient.id}/lettres/nouvelle",
        data={
            "recipient": "Dr Durand, cardiologue",
            "reason": "Bloc auriculo-ventriculaire découvert fortuitement.",
            "entry_ids": [str(ecg.id)],
        },
    )
    assert response.status_code == 302
    letter = session.scalar(select(ReferralLetter))
    assert (letter.entry.kind, letter.author_id, [e.id for e in letter.items]) == (
        "letter",
        gp.id,
        [ecg.id],
    )
    printed = b.get(response.headers["Location"])
    text = page_text(printed)
    assert printed.status_code == 200
    assert "Lettre d'adressage" in text and "Dr Durand, cardiologue" in text
    assert "BESNARD Luc" in text and gp.display_name in text
    assert "BAV 1" in text and "Non joint" not in text
    assert "Bloc auriculo-ventriculaire" in text
    reply = _post_reply_received_today(b, patient, letter, "Holter normal.")
    assert reply.status_code == 302
    session.refresh(letter)
    assert letter.reply_entry.body == "Holter normal." and letter.reply_entry.kind == "letter"
    again = _post_reply_received_today(b, patient, letter, "Doublon")
    assert again.status_code == 422
    assert "déjà enregistrée" in page_text(again)
    actions = _actions(session)
    assert actions.count("referral_letter.create") == 1
    assert actions.count("referral_letter.print") == 1
    assert actions.count("referral_letter.reply") == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"recipient": "", "reason": "x"}, "Indiquez le destinataire"),
        ({"recipient": "Dr X", "reason": ""}, "Le motif de l'adressage est obligatoire."),
    ],
)
def test_letter_bad_input(sign_in, session, patient, data, message):
    session.commit()
    b, _ = sign_in("gp")
    response = b.post(f"/patients/{patient.id}/lettres/nouvelle", data=data)
    assert response.status_code == 422
    assert message in page_text(response)
    assert session.scalar(select(ReferralLetter.id)) is None


def test_entries_of_another_patient_cannot_be_attached(session, practice, patient):
    gp = factories.make_staff(session, practice, profession="gp")
    other = factories.make_patient(session, practice)
    foreign = factories.make_entry(session, other, gp)
    with pytest.raises(Invalid, match="entrées valides") as refused:
        services.create_letter(
            session,
            acting=Acting(gp, utcnow()),
            patient=patient,
            recipient="Dr X",
            reason="Avis",
            entry_ids=[foreign.id],
        )
    assert refused.value.field == "entry_ids"


@pytest.mark.parametrize("profession", ["secretary", "asalee_nurse", "student"])
def test_only_doctors_write_letters(sign_in, session, patient, profession):
    session.commit()
    b, staff = sign_in(profession)
    assert b.get(f"/patients/{patient.id}/lettres/nouvelle").status_code == 403
    with pytest.raises(Forbidden):
        services.create_letter(
            session,
            acting=Acting(staff, utcnow()),
            patient=patient,
            recipient="Dr X",
            reason="Avis",
        )


def test_reply_dates_are_checked_and_letters_are_not_corrected(session, practice, patient):
    gp = factories.make_staff(session, practice, profession="gp")
    now = utcnow()
    letter = services.create_letter(
        session, acting=Acting(gp, now), patient=patient, recipient="Dr X", reason="Avis"
    )
    for day, message in [
        (now.date() + timedelta(days=3), "dans le futur"),
        (now.date() - timedelta(days=30), "avant l'envoi"),
    ]:
        with pytest.raises(Invalid, match=message):
            services.record_reply(
                session, acting=Acting(gp, now), letter=letter, received_on=day, body="x"
            )
    with pytest.raises(Invalid, match="ne se corrige pas"):
        services.correct_entry(
            session, acting=Acting(gp, now), entry=letter.entry, title="", body="y"
        )
    assert session.scalar(select(FileEntry.id).where(FileEntry.version > 1)) is None


def test_a_secretary_cannot_open_a_letter(sign_in, session, practice, patient):
    gp = factories.make_staff(session, practice, profession="gp")
    letter = services.create_letter(
        session, acting=Acting(gp, utcnow()), patient=patient, recipient="Dr X", reason="Avis"
    )
    session.commit()
    b, _ = sign_in("secretary")
    assert b.get(f"/patients/{patient.id}/lettres/{letter.id}").status_code == 403
    assert "referral_letter.print" not in _actions(session)


def test_reply_with_an_existing_reply_conflicts(session, practice, patient):
    gp = factories.make_staff(session, practice, profession="gp")
    now = utcnow()
    letter = services.create_letter(
        session, acting=Acting(gp, now), patient=patient, recipient="Dr X", reason="Avis"
    )
    record_reply_received_today = functools.partial(
        services.record_reply,
        session,
        acting=Acting(gp, now),
        letter=letter,
        received_on=local_today("Europe/Paris", now),
    )
    record_reply_received_today(body="Réponse")
    with pytest.raises(Conflict):
        record_reply_received_today(body="Encore")
