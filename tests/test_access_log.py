"""The access log answers "who saw this file, and why" (issue 15 item 5, issue 14 fix 5):
French labels, filters, keyset pagination, CSV export, patient names for those allowed,
the patient page's panel, and the API key's use in the log."""

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.conftest import page_text
from umpro.acting import Acting
from umpro.auth import access_review, audit
from umpro.auth.models import AccessLog
from umpro.auth.permissions import can
from umpro.auth.services import create_api_key
from umpro.db import utcnow
from umpro.team.professions import Profession


def _rows(
    session, practice, staff, *, count, start, step=timedelta(minutes=1), tag="", **overrides
):
    """``count`` chained rows of ``staff`` from ``start``, newest last (one INSERT)."""
    entries = [
        {
            "practice_id": practice.id,
            "at": start + i * step,
            "staff_id": staff.id if staff is not None else None,
            "role": staff.profession if staff is not None else "",
            "patient_ids": [],
            "action": "patient.search",
            "target": f"row:{tag}{i}",
            "ip": "",
            "outcome": "ok",
        }
        | overrides
        for i in range(count)
    ]
    audit.append(session, entries)
    session.commit()


def _ids_on(text: str) -> list[str]:
    return re.findall(r"row:(\w+)", text)


def _tbody(html: str) -> str:
    """The text of the page's first table body (not the filters' options)."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).replace("&#39;", "'")


@pytest.fixture
def world(frozen_now, session, practice):
    gp = factories.make_staff(session, practice, profession="gp", family_name="Lefèvre")
    nurse = factories.make_staff(session, practice, profession="asalee_nurse")
    patient = factories.make_patient(session, practice, family_name="Durand", given_names="Léa")
    other = factories.make_patient(session, practice, family_name="Petit", given_names="Noé")
    factories.make_declaration(session, patient, gp)
    session.commit()
    return {"gp": gp, "nurse": nurse, "patient": patient, "other": other}


# --- The admin's journal --------------------------------------------------------------


def test_journal_reads_in_french_with_patient_names_for_the_admin(
    frozen_now, world, sign_in, session
):
    b, admin = sign_in("coordinator", is_admin=True)
    audit.record_access(
        session,
        acting=Acting(world["nurse"], frozen_now - timedelta(hours=1)),
        action="agenda.read",
        patient_ids=[world["patient"].id, world["other"].id],
    )
    session.commit()
    response = b.get("/admin/journal")
    text = page_text(response)
    assert response.status_code == 200
    assert "Consultation de l'agenda" in text and "Infirmière Asalée" in text
    assert "DURAND Léa (n°" in text and "PETIT Noé (n°" in text
    assert ">agenda.read<" not in response.text  # the code only as a tooltip
    # Reading the journal is itself logged, listing the patients it showed.
    read = session.scalars(select(AccessLog).where(AccessLog.action == "access_log.read")).one()
    assert read.staff_id == admin.id
    assert read.patient_ids == ",".join(map(str, sorted([world["patient"].id, world["other"].id])))


def test_an_admin_who_may_not_see_names_sees_numbers(frozen_now, world, sign_in, session):
    b, _ = sign_in("student", is_admin=True)
    audit.record_access(
        session,
        acting=Acting(world["gp"], utcnow()),
        action="patient.view",
        patient_id=world["patient"].id,
    )
    session.commit()
    text = page_text(b.get("/admin/journal"))
    assert f"patient n°{world['patient'].id}" in text
    assert "DURAND" not in text


@pytest.mark.parametrize(
    ("profession", "is_admin", "allowed"),
    [
        ("coordinator", True, True),
        ("secretary", True, True),
        ("gp", True, True),
        ("student", True, False),
        ("regulator", True, False),
        ("gp", False, False),
        ("coordinator", False, False),
    ],
)
def test_who_sees_patient_names_in_the_journal(
    frozen_now, session, practice, profession, is_admin, allowed
):
    staff = factories.make_staff(session, practice, profession=profession, is_admin=is_admin)
    assert can(staff, "access_log.patient_names") is allowed


def test_filters_by_period_staff_action_and_patient(frozen_now, world, sign_in, session):
    b, _ = sign_in("coordinator", is_admin=True)
    gp, nurse, patient = world["gp"], world["nurse"], world["patient"]
    log = [
        (gp, "patient.view", [patient.id], frozen_now - timedelta(days=1), "a"),
        (nurse, "patient.view", [patient.id], frozen_now - timedelta(days=2), "b"),
        (gp, "agenda.read", [world["other"].id], frozen_now - timedelta(days=2), "c"),
        (gp, "patient.view", [patient.id], frozen_now - timedelta(days=20), "d"),
    ]
    for staff, action, ids, at, mark in log:
        audit.record_access(
            session, acting=Acting(staff, at), action=action, patient_ids=ids, target=f"mark:{mark}"
        )
    session.commit()

    def marks(query: str) -> set[str]:
        response = b.get(f"/admin/journal?{query}")
        assert response.status_code == 200, query
        return {m for m in "abcd" if f"mark:{m}" in response.text}

    assert marks("") == {"a", "b", "c"}  # the last 7 days by default
    assert marks("debut=2026-11-01&fin=2026-11-30") == {"a", "b", "c", "d"}
    assert marks("debut=2026-11-10&fin=2026-11-10") == {"d"}
    assert marks(f"staff={nurse.id}") == {"b"}
    assert marks("action=agenda.read") == {"c"}
    assert marks(f"patient={patient.id}&debut=2026-11-01") == {"a", "b", "d"}
    assert marks(f"patient={patient.id}&staff={gp.id}&action=patient.view") == {"a"}


@pytest.mark.parametrize(
    ("query", "message", "kept"),
    [
        ("debut=2026-11-30&fin=2026-11-01", "La fin de la période précède son début.", None),
        ("debut=2025-01-01&fin=2026-11-30", "Période trop longue : 366 jours au plus.", None),
        ("fin=demain", "Date illisible « demain »", "demain"),
        ("action=agenda.lire", "Action inconnue : choisissez-la dans la liste.", None),
        ("staff=Dupont", "Choisissez un membre de l'équipe.", None),
        ("patient=99999999999999", "Le numéro de patient est un nombre.", "99999999999999"),
    ],
)
def test_a_bad_filter_is_explained_and_kept(frozen_now, sign_in, query, message, kept):
    b, _ = sign_in("coordinator", is_admin=True)
    response = b.get(f"/admin/journal?{query}")
    assert response.status_code == 422
    assert message in page_text(response)
    if kept:
        assert f'value="{kept}"' in response.text


def test_pages_beyond_the_first_hundred_rows_by_keyset(frozen_now, sign_in, session, practice):
    b, admin = sign_in("coordinator", is_admin=True)
    # 230 rows, ten of them sharing one instant (rows 96 to 105): the id breaks the tie.
    _rows(session, practice, admin, count=220, start=frozen_now - timedelta(days=1))
    _rows(
        session,
        practice,
        admin,
        count=10,
        # After 95 newer rows: the tie straddles the first page's end.
        start=frozen_now - timedelta(days=1) + timedelta(minutes=124.5),
        step=timedelta(),
        tag="tie",
    )
    seen, url = [], "/admin/journal"
    for _ in range(5):
        response = b.get(url)
        assert response.status_code == 200
        seen.append(_ids_on(response.text))
        next_link = [line for line in response.text.splitlines() if 'rel="next"' in line]
        if not next_link:
            break
        url = next_link[0].split('href="')[1].split('"')[0].replace("&amp;", "&")
        assert "avant=" in url and "debut=2026-11-24" in url
    assert [len(page) for page in seen] == [100, 100, 30]
    assert seen[0][95:] == ["tie9", "tie8", "tie7", "tie6", "tie5"]
    assert seen[1][:5] == ["tie4", "tie3", "tie2", "tie1", "tie0"]
    flat = [row_id for page in seen for row_id in page]
    assert len(flat) == len(set(flat)) == 230  # nothing twice, nothing left out
    assert "Les plus récents" in response.text


def test_the_journal_runs_the_same_statements_whatever_the_log_size(
    frozen_now, sign_in, session, practice, count_queries
):
    b, admin = sign_in("coordinator", is_admin=True)
    patients = [factories.make_patient(session, practice) for _ in range(3)]
    session.commit()
    ids = [p.id for p in patients]
    start = frozen_now - timedelta(days=3)

    def second_page_statements() -> int:
        first = b.get("/admin/journal").text
        url = next(line for line in first.splitlines() if 'rel="next"' in line)
        url = url.split('href="')[1].split('"')[0].replace("&amp;", "&")
        with count_queries() as counter:
            assert b.get(url).status_code == 200
        return counter.count

    _rows(session, practice, admin, count=150, start=start, patient_ids=ids)
    small = second_page_statements()
    _rows(session, practice, admin, count=600, start=start, patient_ids=ids)
    large = second_page_statements()
    assert small == large
    assert large <= 14


def test_csv_export_of_the_filtered_rows(frozen_now, world, sign_in, session):
    b, admin = sign_in("coordinator", is_admin=True)
    nurse = factories.make_staff(
        session, admin.practice, profession="nurse", given_name="=HYPERLINK(1)"
    )
    audit.record_access(
        session,
        acting=Acting(nurse, utcnow()),
        action="patient.view",
        patient_id=world["patient"].id,
    )
    audit.record_access(
        session, acting=Acting(world["gp"], utcnow()), action="agenda.read", patient_ids=[1, 2]
    )
    session.commit()
    response = b.get(f"/admin/journal.csv?staff={nurse.id}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "journal-acces-2026-11-24-2026-11-30.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == access_review.EXPORT_HEADER
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Action"] == "Consultation du dossier" and row["Code de l'action"] == "patient.view"
    assert row["N° des patients"] == str(world["patient"].id)
    assert row["Membre de l'équipe"].startswith("'=HYPERLINK(1) ")  # no formula runs
    assert row["Date et heure"] == "30/11/2026 10:00:00"
    export = session.scalars(select(AccessLog).where(AccessLog.action == "access_log.export")).one()
    assert export.patient_ids == str(world["patient"].id)


def test_csv_export_period_is_bounded(frozen_now, sign_in):
    b, _ = sign_in("coordinator", is_admin=True)
    response = b.get("/admin/journal.csv?debut=2026-01-01&fin=2026-11-30")
    assert response.status_code == 422
    assert "Période trop longue : 92 jours au plus." in response.text


def test_only_admins_read_the_whole_journal(frozen_now, world, sign_in):
    b, _ = sign_in("gp")
    assert b.get("/admin/journal").status_code == 403
    assert b.get("/admin/journal.csv").status_code == 403


# --- A patient's history: the panel and the filtered journal --------------------------


def test_who_may_see_a_patients_access_history(frozen_now, world, session, practice):
    patient = world["patient"]
    other_gp = factories.make_staff(session, practice, profession="gp")
    secretary = factories.make_staff(session, practice, profession="secretary")
    admin = factories.make_staff(session, practice, profession="secretary", is_admin=True)
    assert can(world["gp"], "patient.access_history", patient)  # the médecin traitant
    assert can(admin, "patient.access_history", patient)
    assert not can(other_gp, "patient.access_history", patient)
    assert not can(world["nurse"], "patient.access_history", patient)
    assert not can(secretary, "patient.access_history", patient)
    assert not can(world["gp"], "patient.access_history", world["other"])


def test_the_patient_page_shows_who_saw_the_file_to_the_treating_gp(
    frozen_now, world, session, app
):
    from tests.conftest import Browser

    patient = world["patient"]
    audit.record_access(
        session,
        acting=Acting(world["nurse"], frozen_now - timedelta(days=3)),
        action="care_task.view",
        patient_id=patient.id,
    )
    audit.record_access(
        session,
        acting=Acting(world["nurse"], frozen_now - timedelta(days=1)),
        action="agenda.read",
        patient_ids=[world["other"].id],
    )
    session.commit()
    b = Browser(app.test_client())
    assert b.login(world["gp"].email).status_code == 302
    response = b.get(f"/patients/{patient.id}")
    text = page_text(response)
    assert response.status_code == 200
    assert "Qui a consulté ce dossier" in text
    assert "Consultation d'une tâche de soins" in text and "Infirmière Asalée" in text
    assert "27/11/2026 10:00" in text
    assert "Consultation de l'agenda" not in text  # that view did not show this patient
    assert f"/admin/journal?debut=2025-12-01&amp;fin=2026-11-30&amp;patient={patient.id}" in (
        response.text
    )
    logged = session.scalars(
        select(AccessLog).where(AccessLog.action == "patient.access_history")
    ).one()
    assert logged.patient_id == patient.id and logged.staff_id == world["gp"].id


@pytest.mark.parametrize("profession", ["gp", "secretary", "asalee_nurse"])
def test_others_do_not_see_the_panel(frozen_now, world, sign_in, session, profession):
    b, _ = sign_in(profession)
    response = b.get(f"/patients/{world['patient'].id}")
    assert response.status_code == 200
    assert "Qui a consulté ce dossier" not in page_text(response)
    assert not session.scalar(
        select(func.count(AccessLog.id)).where(AccessLog.action == "patient.access_history")
    )


def test_the_treating_gp_reads_the_full_history_of_their_patient_only(
    frozen_now, world, session, app
):
    from tests.conftest import Browser

    patient, other = world["patient"], world["other"]
    audit.record_access(
        session,
        acting=Acting(world["nurse"], utcnow()),
        action="agenda.read",
        patient_ids=[patient.id, other.id],
    )
    audit.record_access(
        session, acting=Acting(world["nurse"], utcnow()), action="patient.view", patient_id=other.id
    )
    session.commit()
    b = Browser(app.test_client())
    b.login(world["gp"].email)
    response = b.get(f"/admin/journal?patient={patient.id}")
    assert response.status_code == 200
    assert "DURAND Léa (patient n°" in page_text(response)  # the heading names their patient
    table = _tbody(response.text)
    assert "Consultation de l'agenda" in table and "Consultation du dossier" not in table
    assert f"patient n°{patient.id}" in table and f"n°{other.id}" not in table
    assert b.get(f"/admin/journal?patient={other.id}").status_code == 403
    assert b.get(f"/admin/journal.csv?patient={patient.id}").status_code == 200
    assert b.get("/admin/journal?patient=999999").status_code == 404


def test_the_panel_lists_the_last_accesses_newest_first(frozen_now, world, session):
    patient = world["patient"]
    entries_at = frozen_now - timedelta(days=2)
    practice = world["gp"].practice
    _rows(
        session,
        practice,
        world["nurse"],
        count=40,
        start=entries_at,
        patient_ids=[patient.id],
        action="patient.view",
    )
    history = access_review.patient_history(
        session, acting=Acting(world["gp"], frozen_now), patient=patient, tz=practice.timezone
    )
    assert len(history.entries) == access_review.PANEL_SIZE
    assert [e.at for e in history.entries] == sorted((e.at for e in history.entries), reverse=True)
    assert {e.label for e in history.entries} == {"Consultation du dossier"}
    assert history.entries[0].at == entries_at + timedelta(minutes=39)


# --- API keys (issue 14) ------------------------------------------------------------------


def test_an_api_key_use_is_a_row_naming_the_key_and_its_account(frozen_now, world, session, client):
    gp = world["gp"]
    key = create_api_key(session, staff=gp, label="script-labo")
    session.commit()
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get(f"/api/v1/patients/{world['patient'].id}", headers=headers).status_code == 200
    rows = session.scalars(select(AccessLog).order_by(AccessLog.id)).all()
    use = [r for r in rows if r.action == "api_key.use"]
    assert len(use) == 1
    from umpro.auth.models import ApiKey

    key_id = session.scalar(select(ApiKey.id))
    assert use[0].target == f"api_key:{key_id}"
    assert use[0].staff_id == gp.id and use[0].practice_id == gp.practice_id
    assert any(r.action == "patient.view" for r in rows)
    secret = key.split("_", 2)[2]  # umpro_<prefix>_<secret>: the secret may hold "_"
    assert all(secret not in (r.target + r.patient_ids + r.action) for r in rows)
    assert audit.verify_chain(session).ok


def test_a_refused_key_writes_no_use(frozen_now, world, session, client):
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer umpro_x_y"})
    assert response.status_code == 401
    assert not session.scalar(
        select(func.count(AccessLog.id)).where(AccessLog.action == "api_key.use")
    )


def test_a_valid_key_refused_what_it_asked_still_leaves_its_use(
    frozen_now, world, session, client, practice
):
    other = factories.make_practice(session, slug="autre-msp")
    stranger = factories.make_patient(session, other)
    key = create_api_key(session, staff=world["gp"], label="script-labo")
    session.commit()
    before = session.scalar(select(func.max(AccessLog.id)))
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get(f"/api/v1/patients/{stranger.id}", headers=headers).status_code == 404
    rows = session.scalars(select(AccessLog).where(AccessLog.id > before)).all()
    assert [(r.action, r.outcome) for r in rows] == [("api_key.use", "refused 404")]
    assert rows[0].staff_id == world["gp"].id
    assert audit.verify_chain(session).ok


def test_the_journal_labels_a_key_use(frozen_now, world, sign_in, session, client):
    b, _ = sign_in("coordinator", is_admin=True)
    key = create_api_key(session, staff=world["nurse"], label="labo")
    session.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    text = page_text(b.get("/admin/journal?action=api_key.use"))
    assert "Utilisation d'une clé d'API" in text and "api_key:" in text


def test_no_profession_but_the_treating_gp_or_an_admin_sees_a_history(
    frozen_now, session, practice
):
    # Every profession answers the rule, and none sees the history of a patient without a
    # médecin traitant unless it is an admin.
    patient = factories.make_patient(session, practice)
    for profession in Profession:
        staff = factories.make_staff(session, practice, profession=profession.value)
        assert can(staff, "patient.access_history", patient) is False
