"""Patient search: accents, case, hyphens, apostrophes, birth name, birth date, partial
words; the access log; students; bounded queries on a large practice."""

from datetime import date

import pytest
from sqlalchemy import select

from tests import factories
from tests.conftest import page_text
from umpro.acting import Acting
from umpro.auth.models import AccessLog
from umpro.db import utcnow
from umpro.patients import relations
from umpro.patients.names import name_tokens, parse_query
from umpro.patients.services import search_patients


def _with_key(body: str) -> str:
    return f"{body}{97 - int(body) % 97:02d}"


INS = _with_key("2580369123456")


#: The patients the searches look for, by key: their ``PatientInput`` fields.
PEOPLE = {
    "helene": {"family_name": "Martin", "birth_name": "Rivière", "given_names": "Hélène",
               "birth_date": date(1958, 3, 12), "sex": "F", "ins": INS},
    "jp": {"family_name": "Dupont-Moreau", "given_names": "Jean-Pierre",
           "birth_date": date(1949, 11, 2), "sex": "M"},
    "ndiaye": {"family_name": "N'Diaye", "given_names": "Aminata",
               "birth_date": date(1987, 6, 21)},
    "martinez": {"family_name": "Martinez", "given_names": "Hugo",
                 "birth_date": date(2001, 1, 5), "sex": "M"},
    "lefevre": {"family_name": "Lefèvre", "given_names": "Zoé Marie",
                "birth_date": date(1958, 3, 12)},
}  # fmt: skip


@pytest.fixture
def people(session, practice):
    return {
        key: factories.make_patient(session, practice, **fields) for key, fields in PEOPLE.items()
    }


def _names(found) -> set[str]:
    return {p.display_name for p in found}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("helene mar", {"helene"}),
        ("HÉLÈNE", {"helene"}),
        ("Helene Martin", {"helene"}),
        ("mar hel", {"helene"}),
        ("12/03/1958", {"helene", "lefevre"}),
        ("12/3/58", {"helene", "lefevre"}),
        ("1958-03-12", {"helene", "lefevre"}),
        ("12031958", {"helene", "lefevre"}),
        ("martin 12/03/1958", {"helene"}),
        ("riviere", {"helene"}),  # birth name
        ("Rivière Hélène", {"helene"}),
        ("mart", {"helene", "martinez"}),  # partial word
        ("jean-pierre", {"jp"}),
        ("jean pierre", {"jp"}),
        ("jeanpierre", {"jp"}),
        ("pierre", {"jp"}),
        ("dupont moreau", {"jp"}),
        ("dupont-moreau", {"jp"}),
        ("moreau", {"jp"}),
        ("n'diaye", {"ndiaye"}),
        ("N’Diaye", {"ndiaye"}),  # typographic apostrophe
        ("ndiaye", {"ndiaye"}),
        ("diaye", {"ndiaye"}),
        ("lefevre", {"lefevre"}),
        ("marie 1958", {"lefevre"}),  # second given name, birth year
        (INS[:5] + " " + INS[5:], {"helene"}),
        ("helene durand", set()),
        ("12/03/1959", set()),
        ("31/02/1958", set()),  # no such date
        ("martin 123", set()),
    ],
)
def test_search_cases(session, practice, people, query, expected):
    secretary = factories.make_staff(session, practice, profession="secretary")
    found = search_patients(session, acting=Acting(secretary, utcnow()), query=query)
    assert _names(found) == {people[k].display_name for k in expected}


def test_name_tokens_hold_parts_and_joined_compounds():
    assert name_tokens("N'Diaye") == {"n", "diaye", "ndiaye"}
    assert name_tokens("Jean-Pierre", "de la Fontaine") == {
        "jean", "pierre", "jeanpierre", "de", "la", "fontaine", "delafontaine",
    }  # fmt: skip
    assert name_tokens("Œuvray-Lefèvre") == {"oeuvray", "lefevre", "oeuvraylefevre"}


def test_parse_query_reads_french_dates():
    today = date(2026, 11, 22)
    assert parse_query("12/03/58", today=today).birth_date == date(1958, 3, 12)
    assert parse_query("01/02/03", today=today).birth_date == date(2003, 2, 1)
    assert parse_query("hel 12.03.1958", today=today).tokens == ["hel"]
    assert parse_query("  ", today=today).is_empty


def test_results_are_ordered_by_name_and_limited(session, practice):
    for n in range(30):
        factories.make_patient(
            session, practice, family_name="Bernard", given_names=f"Anne{chr(97 + n % 26)}"
        )
    secretary = factories.make_staff(session, practice, profession="secretary")
    found = search_patients(session, acting=Acting(secretary, utcnow()), query="bernard", limit=20)
    assert len(found) == 20
    assert [p.sort_key for p in found] == sorted(p.sort_key for p in found)
    assert (
        len(
            search_patients(session, acting=Acting(secretary, utcnow()), query="bernard", limit=500)
        )
        == 30
    )


def test_another_practices_patients_are_never_found(session, practice, people):
    other = factories.make_practice(session)
    factories.make_patient(session, other, family_name="Martin", given_names="Hélène")
    gp = factories.make_staff(session, other, profession="gp")
    found = search_patients(session, acting=Acting(gp, utcnow()), query="helene")
    assert [p.practice_id for p in found] == [other.id]


def test_search_logs_one_row_listing_the_patients(session, practice, people):
    secretary = factories.make_staff(session, practice, profession="secretary")
    found = search_patients(
        session, acting=Acting(secretary, utcnow(), "10.0.0.9"), query="12/03/1958"
    )
    rows = session.scalars(select(AccessLog).where(AccessLog.action == "patient.search")).all()
    assert len(found) > 1 and len(rows) == 1
    assert rows[0].patient_ids == ",".join(str(i) for i in sorted(p.id for p in found))
    assert {(r.staff_id, r.target, r.ip) for r in rows} == {(secretary.id, "search", "10.0.0.9")}
    names = {p.family_name.lower() for p in people.values()}
    assert not any(name in (r.target + r.action).lower() for r in rows for name in names)


def test_a_search_without_result_is_logged_and_an_empty_one_is_not(session, practice):
    secretary = factories.make_staff(session, practice, profession="secretary")
    assert search_patients(session, acting=Acting(secretary, utcnow()), query="zzz") == []
    assert search_patients(session, acting=Acting(secretary, utcnow()), query="   ") == []
    rows = session.scalars(select(AccessLog).where(AccessLog.action == "patient.search")).all()
    assert [r.patient_id for r in rows] == [None]


def test_student_finds_only_patients_with_an_appointment(session, practice, people, monkeypatch):
    allowed = people["helene"].id

    def only_helene(staff, patient_id):
        return patient_id.in_([allowed]) if staff.profession == "student" else None

    monkeypatch.setattr(relations, "reach_condition", only_helene)
    student = factories.make_staff(session, practice, profession="student")
    assert _names(
        search_patients(session, acting=Acting(student, utcnow()), query="12/03/1958")
    ) == {people["helene"].display_name}


def test_student_without_agenda_relation_finds_nobody(session, practice, people):
    student = factories.make_staff(session, practice, profession="student")
    assert search_patients(session, acting=Acting(student, utcnow()), query="helene") == []


def test_search_page_and_api(sign_in, session, practice, people):
    session.commit()
    b, _ = sign_in("secretary")
    page = b.get("/patients/?q=helene+mar")
    assert page.status_code == 200
    text = page_text(page)
    assert "MARTIN Hélène" in text and "12/03/1958" in text
    assert "Aucun patient ne correspond à « inconnu »." in page_text(b.get("/patients/?q=inconnu"))
    api = b.get("/api/v1/patients?q=12/03/1958")
    assert api.status_code == 200
    assert {i["display_name"] for i in api.json["items"]} == {
        "MARTIN Hélène", "LEFÈVRE Zoé Marie",
    }  # fmt: skip
    assert set(api.json["items"][0]) >= {"id", "birth_date", "treating_gp", "phone"}
    missing = b.get("/api/v1/patients")
    assert missing.status_code == 422 and missing.json["error"]["field"] == "q"


def test_search_queries_are_bounded_whatever_the_practice_size(session, practice, count_queries):
    """Twenty Martins listed out of 20 or out of 300: the same statements (the access log
    writes one row per patient listed, so the count follows the page size, not the data)."""
    secretary = factories.make_staff(session, practice, profession="secretary")
    gp = factories.make_staff(session, practice, profession="gp")

    def add(count: int) -> None:
        for n in range(count):
            patient = factories.make_patient(session, practice, family_name="Martin")
            if n % 3:
                factories.make_declaration(session, patient, gp)
            factories.make_patient(session, practice, family_name=f"Autre{n}")

    def measure() -> tuple[int, int]:
        session.commit()
        with count_queries() as q:
            found = search_patients(session, acting=Acting(secretary, utcnow()), query="martin")
        return q.count, len(found)

    add(20)
    small, small_found = measure()
    add(280)
    large, large_found = measure()
    assert (small_found, large_found) == (20, 20)
    assert large == small <= 6 + 20
