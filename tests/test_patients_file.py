"""The shared file: typed entries, corrections as versions, entered-in-error marks."""

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from tests import factories
from tests.conftest import page_text
from umpro.acting import Acting
from umpro.auth.models import AccessLog
from umpro.db import utcnow
from umpro.errors import Conflict, Forbidden, Invalid
from umpro.patients import services
from umpro.patients.models import FileEntry


@pytest.fixture
def patient(session, practice):
    return factories.make_patient(session, practice, family_name="Roux", given_names="Léa")


def _rows(session, action):
    return session.scalars(select(AccessLog).where(AccessLog.action == action)).all()


def _entries(session, patient):
    return session.scalar(
        select(func.count()).select_from(FileEntry).where(FileEntry.patient_id == patient.id)
    )


def test_gp_writes_an_entry_that_shows_on_the_timeline(sign_in, session, patient):
    session.commit()
    b, gp = sign_in("gp")
    response = b.post(
        f"/patients/{patient.id}/entrees",
        data={"entry-kind": "consultation", "entry-title": "Angine", "entry-body": "TDR positif."},
    )
    assert response.status_code == 302
    entry = session.scalar(select(FileEntry).where(FileEntry.patient_id == patient.id))
    assert (entry.kind, entry.author_id, entry.version) == ("consultation", gp.id, 1)
    assert entry.created_at.tzinfo is not None
    [row] = _rows(session, "file_entry.create")
    assert (row.patient_id, row.target) == (patient.id, f"file_entry:{entry.id}")
    page = page_text(b.get(f"/patients/{patient.id}"))
    assert "Angine" in page and "TDR positif." in page and "Synthèse de consultation" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"entry-kind": "note", "entry-body": ""}, "Le contenu de l'entrée est obligatoire."),
        ({"entry-kind": "poeme", "entry-body": "x"}, "Choisissez le type d'entrée."),
    ],
)
def test_bad_entry_input_is_refused(sign_in, session, patient, data, message):
    session.commit()
    b, _ = sign_in("gp")
    response = b.post(f"/patients/{patient.id}/entrees", data=data)
    assert response.status_code == 422
    assert _entries(session, patient) == 0
    assert message in page_text(response)


@pytest.mark.parametrize("profession", ["secretary", "health_mediator"])
def test_administrative_staff_write_administrative_entries_only(
    sign_in, session, patient, profession
):
    session.commit()
    b, _ = sign_in(profession)
    page = b.get(f"/patients/{patient.id}")
    assert 'value="administrative"' in page.text and 'value="consultation"' not in page.text
    ok = b.post(
        f"/patients/{patient.id}/entrees",
        data={"entry-kind": "administrative", "entry-body": "Carte Vitale à jour."},
    )
    assert ok.status_code == 302
    refused = b.post(
        f"/patients/{patient.id}/entrees", data={"entry-kind": "note", "entry-body": "Avis"}
    )
    assert refused.status_code == 422
    assert _entries(session, patient) == 1
    with pytest.raises(Forbidden):
        services.add_entry(
            session, acting=Acting(_, utcnow()), patient=patient, kind="result", title="", body="x"
        )


def test_correction_is_a_new_version_with_the_history_visible(sign_in, session, patient):
    session.commit()
    b, gp = sign_in("gp")
    entry = factories.make_entry(session, patient, gp, body="Amoxicilline 1 g x 2")
    session.commit()
    response = b.post(
        f"/patients/{patient.id}/entrees/{entry.id}/corriger",
        data={"title": "Consultation", "body": "Amoxicilline 1 g x 3"},
    )
    assert response.status_code == 302
    versions = session.scalars(
        select(FileEntry).where(FileEntry.patient_id == patient.id).order_by(FileEntry.version)
    ).all()
    assert [(v.version, v.original_id, v.is_current) for v in versions] == [
        (1, None, False),
        (2, entry.id, True),
    ]
    assert versions[1].dated_at == versions[0].dated_at
    [row] = _rows(session, "file_entry.correct")
    assert row.target == f"file_entry:{versions[1].id}"
    text = page_text(b.get(f"/patients/{patient.id}"))
    assert "Amoxicilline 1 g x 3" in text
    assert "Historique des versions (1 antérieure)" in text and "Amoxicilline 1 g x 2" in text
    # the old version cannot be corrected again
    again = b.post(f"/patients/{patient.id}/entrees/{entry.id}/corriger", data={"body": "autre"})
    assert again.status_code == 403
    assert _entries(session, patient) == 2


def test_only_the_author_corrects(sign_in, session, practice, patient):
    other = factories.make_staff(session, practice, profession="gp")
    entry = factories.make_entry(session, patient, other)
    session.commit()
    b, _ = sign_in("gp")
    assert b.get(f"/patients/{patient.id}/entrees/{entry.id}/corriger").status_code == 403
    refused = b.post(f"/patients/{patient.id}/entrees/{entry.id}/erreur", data={"reason": "x"})
    assert refused.status_code == 403
    assert "Corriger" not in page_text(b.get(f"/patients/{patient.id}"))
    session.refresh(entry)
    assert entry.is_current and not entry.is_entered_in_error


def test_unchanged_correction_and_concurrent_versions_are_refused(session, practice, patient):
    gp = factories.make_staff(session, practice, profession="gp")
    entry = factories.make_entry(session, patient, gp, title="T", body="B")
    with pytest.raises(Invalid, match="ne change rien"):
        services.correct_entry(
            session, acting=Acting(gp, utcnow()), entry=entry, title="T", body="B"
        )
    services.correct_entry(session, acting=Acting(gp, utcnow()), entry=entry, title="T", body="B2")
    session.commit()
    with pytest.raises(IntegrityError), session.begin_nested():  # the database says so too
        session.execute(
            insert(FileEntry).values(
                practice_id=practice.id, patient_id=patient.id, kind="note", title="T",
                body="B3", author_id=gp.id, created_at=utcnow(), dated_at=utcnow(),
                original_id=entry.id, version=2,
            )
        )  # fmt: skip


def test_mark_entered_in_error_keeps_the_entry_struck(sign_in, session, patient):
    session.commit()
    b, gp = sign_in("gp")
    entry = factories.make_entry(session, patient, gp, body="Mauvais dossier")
    session.commit()
    missing = b.post(f"/patients/{patient.id}/entrees/{entry.id}/erreur", data={"reason": ""})
    assert missing.status_code == 422
    assert "Indiquez pourquoi cette entrée est erronée." in page_text(missing)
    response = b.post(
        f"/patients/{patient.id}/entrees/{entry.id}/erreur",
        data={"reason": "Saisie dans le mauvais dossier"},
    )
    assert response.status_code == 302
    session.refresh(entry)
    assert entry.is_entered_in_error and entry.entered_in_error_by_id == gp.id
    assert _entries(session, patient) == 1
    [row] = _rows(session, "file_entry.mark_error")
    assert row.target == f"file_entry:{entry.id}"
    page = b.get(f"/patients/{patient.id}").text
    assert "<del>Mauvais dossier</del>" in page and "Saisie dans le mauvais dossier" in page
    with pytest.raises(Forbidden):
        services.correct_entry(
            session, acting=Acting(gp, utcnow()), entry=entry, title="", body="x"
        )


def test_a_raced_mark_is_refused(session, practice, patient):
    gp = factories.make_staff(session, practice, profession="gp")
    entry = factories.make_entry(session, patient, gp)
    # Another request marks it first; this one still holds the entry as it was.
    session.execute(
        update(FileEntry)
        .where(FileEntry.id == entry.id)
        .values(entered_in_error_at=utcnow(), error_reason="doublon")
        .execution_options(synchronize_session=False)
    )
    assert not entry.is_entered_in_error
    with pytest.raises(Conflict):
        services.mark_entered_in_error(
            session, acting=Acting(gp, utcnow()), entry=entry, reason="doublon"
        )
    with pytest.raises(Conflict):
        services.correct_entry(
            session, acting=Acting(gp, utcnow()), entry=entry, title="", body="x"
        )


def test_timeline_pages_hold_fifty_entries(sign_in, session, patient):
    session.commit()
    b, gp = sign_in("gp")
    for n in range(55):
        factories.make_entry(session, patient, gp, title=f"Entrée numéro {n:02d}")
    session.commit()
    first = page_text(b.get(f"/patients/{patient.id}"))
    assert "Entrée numéro 54" in first and "Entrée numéro 04" not in first
    assert "Plus anciennes" in first
    second = page_text(b.get(f"/patients/{patient.id}?page=2"))
    assert "Entrée numéro 04" in second and "Entrée numéro 54" not in second
