"""One commit point (issue 10, item 2): views and API endpoints never commit or roll
back; a form page's refused service call is undone (a savepoint) and shown on its field;
the request's commit point saves the rest."""

import re
from pathlib import Path

from sqlalchemy import func, select

from tests import factories
from umpro.errors import Invalid
from umpro.forms import attempt
from umpro.patients.models import Patient
from umpro.team.models import Room

ROOT = Path(__file__).resolve().parent.parent


def _view_modules():
    umpro = ROOT / "umpro"
    return sorted([*umpro.glob("*/views.py"), *umpro.glob("*/views/*.py"), *umpro.glob("*/api.py")])


def test_no_view_or_endpoint_commits_or_rolls_back():
    assert len(_view_modules()) >= 20
    offenders = [
        (str(path.relative_to(ROOT)), line.strip())
        for path in _view_modules()
        for line in path.read_text().splitlines()
        if re.search(r"session\.(commit|rollback)\(\)|except DomainError", line)
    ]
    # The feed's throttle, whose refused (429) download still counts, asks the commit
    # point to keep its work (``keep_when_refused``) instead of committing itself.
    assert offenders == []


def test_a_refused_call_is_undone_and_shown_on_its_field(app, session, practice):
    class Form:
        class label:
            errors: list = []

        form_errors: list = []

    form = Form()
    room = factories.make_room(session, practice, name="Bureau 1")

    def rename_then_refuse():
        room.name = "Renommé"
        session.flush()
        raise Invalid("Nom refusé.", field="label")

    with app.test_request_context():
        result, error = attempt(rename_then_refuse, form=form)
    assert result is None and error.status == 422
    assert form.label.errors == ["Nom refusé."]
    assert session.get(Room, room.id).name == "Bureau 1"  # the savepoint undid the rename

    with app.test_request_context():
        result, error = attempt(lambda: factories.make_room(session, practice, name="B2"))
    assert error is None and result.name == "B2"
    session.commit()
    assert session.scalar(select(func.count(Room.id))) == 2


def test_a_form_refused_by_its_service_saves_nothing(session, practice, sign_in):
    browser, _staff = sign_in("secretary", is_admin=True)
    data = {"family_name": "Durand", "given_names": "Léa", "birth_date": "1980-01-02"}
    first = browser.post("/patients/nouveau", data=data | {"sex": "F"})
    assert first.status_code == 302
    twin = browser.post("/patients/nouveau", data=data | {"sex": "F"})
    assert twin.status_code in (409, 422)
    session.expire_all()
    assert session.scalar(select(func.count(Patient.id))) == 1


def test_the_search_page_runs_a_bounded_number_of_queries(
    session, practice, sign_in, count_queries
):
    browser, _staff = sign_in("secretary")
    counts = {}
    for total in (3, 30):
        while session.scalar(select(func.count(Patient.id))) < total:
            factories.make_patient(session, practice, family_name="Lemaire", given_names="Zoé")
        session.commit()
        with count_queries() as counted:
            response = browser.get("/patients/?q=lemaire")
        assert response.status_code == 200
        assert response.get_data(as_text=True).count("LEMAIRE") >= min(total, 20)
        counts[total] = counted.count
    # Without a commit before rendering, the results are not expired and re-read row by
    # row: the same handful of statements for 3 results as for 30.
    assert counts[3] == counts[30], counts
    assert counts[30] <= 14, counts
