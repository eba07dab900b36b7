"""Protocol indicators per protocol and year on a known data set (D4011-4 CSP): patients
treated, acts, take-back rate, adverse events, satisfaction; the page and the CSV."""

import csv
import io
from datetime import date

import pytest

from tests import factories
from tests.conftest import page_text
from umpro.acting import Acting
from umpro.db import utcnow
from umpro.delegation.services import indicators, quality, sessions, transitions
from umpro.timeutil import local_to_utc

YEAR = utcnow().year - 1
DT2_OK = {"hba1c": "7", "pieds": "Normal", "ecg": "oui"}
DT2_FLAG = {"hba1c": "11", "pieds": "Normal", "ecg": "oui"}
CYSTITIS_OK = {
    "bandelette": "Leucocytes ou nitrites positifs",
    "temperature": "37",
    "traitement": "Pivmécillinam 5 jours",
}


def at(day: date, hour: str = "10:00"):
    from datetime import time

    return local_to_utc(day, time.fromisoformat(hour), "Europe/Paris")


@pytest.fixture
def data(session, practice):
    """The known data set (year YEAR):

    DT2: 4 acts for 3 patients, 2 taken back (a red flag; the GP's decision) → 50 %;
    not counted: an act completed on 31 December of the year before (23:30 in Paris,
    22:30 UTC), an act entered in error, a failure, a task in progress.
    Cystitis: 2 acts, none taken back → 0 %. The others: no act.
    Adverse events: 2 on DT2 in the year (1 severe), 1 the year before.
    Satisfaction on DT2: patients 5 and 3 (mean 4), a delegator 4.
    """
    protocols = factories.install_protocols(session, practice)
    gp = factories.make_staff(session, practice, profession="gp")
    nurse = factories.make_staff(session, practice, profession="asalee_nurse")
    for protocol in protocols.values():
        factories.make_membership(session, protocol, nurse, trained_on=date(YEAR - 2, 1, 1))
    dt2, cystitis = protocols["asalee-dt2"], protocols["cystite"]
    patients = [
        factories.make_patient(session, practice, sex="F", birth_date=date(1970, 5, 1))
        for _ in range(5)
    ]

    def act(patient, protocol, done_at, results, *, end=None):
        task = factories.make_task(session, gp, patient, protocol, now=done_at)
        for to in ("accepted", "in-progress"):
            transitions.transition(session, acting=Acting(nurse, done_at), task=task, to=to)
        if end == "failed":
            transitions.transition(
                session, acting=Acting(nurse, done_at), task=task, to="failed", reason="Absent"
            )
            return task
        if end == "open":
            return task
        transitions.transition(
            session, acting=Acting(nurse, done_at), task=task, to="completed", results=results
        )
        return task

    before = act(patients[0], dt2, at(date(YEAR - 1, 12, 31), "23:30"), DT2_OK)
    first = act(patients[0], dt2, at(date(YEAR, 1, 1), "00:30"), DT2_OK)
    sessions.acknowledge(
        session, acting=Acting(gp, at(date(YEAR, 1, 2))), task=first, take_back=True
    )
    act(patients[0], dt2, at(date(YEAR, 3, 10)), DT2_FLAG)
    act(patients[1], dt2, at(date(YEAR, 6, 10)), DT2_OK)
    act(patients[2], dt2, at(date(YEAR, 12, 31), "23:00"), DT2_OK)
    mistaken = act(patients[3], dt2, at(date(YEAR, 7, 1)), DT2_OK)
    transitions.transition(
        session,
        acting=Acting(gp, at(date(YEAR, 7, 2))),
        task=mistaken,
        to="entered-in-error",
        reason="Mauvais patient",
    )
    act(patients[3], dt2, at(date(YEAR, 8, 1)), None, end="failed")
    act(patients[4], dt2, at(date(YEAR, 9, 1)), None, end="open")
    act(patients[1], cystitis, at(date(YEAR, 2, 1)), CYSTITIS_OK)
    act(patients[2], cystitis, at(date(YEAR, 2, 2)), CYSTITIS_OK)
    for task, occurred, severity in (
        (first, date(YEAR, 3, 11), "severe"),
        (first, date(YEAR, 6, 12), "mild"),
        (before, date(YEAR - 1, 12, 31), "moderate"),
    ):
        quality.report_adverse_event(
            session,
            acting=Acting(nurse, at(date(YEAR, 12, 31))),
            task=task,
            occurred_on=occurred,
            severity=severity,
            description="Malaise",
        )
    for respondent, score, actor in (
        ("patient", 5, nurse),
        ("patient", 3, nurse),
        ("delegator", 4, gp),
    ):
        quality.record_satisfaction(
            session,
            acting=Acting(actor, at(date(YEAR, 5, 5))),
            task=first,
            respondent=respondent,
            score=score,
        )
    session.commit()
    return protocols


def _rows(session, practice):
    return {
        r.protocol.code: r for r in indicators.indicators(session, practice=practice, year=YEAR)
    }


def test_indicators_on_a_known_data_set(session, practice, data):
    rows = _rows(session, practice)
    dt2 = rows["asalee-dt2"]
    assert (dt2.patients, dt2.acts, dt2.taken_back) == (3, 4, 2)
    assert dt2.takeback_rate == 0.5
    assert (dt2.adverse_events, dt2.severe_adverse_events) == (2, 1)
    assert dt2.satisfaction["patient"].mean == 4.0 and dt2.satisfaction["patient"].answers == 2
    assert dt2.satisfaction["delegator"].answers == 1
    cystitis = rows["cystite"]
    assert (cystitis.patients, cystitis.acts, cystitis.taken_back) == (2, 2, 0)
    assert cystitis.takeback_rate == 0.0
    assert rows["odynophagie"].acts == 0 and rows["odynophagie"].takeback_rate is None
    before = {
        r.protocol.code: r for r in indicators.indicators(session, practice=practice, year=YEAR - 1)
    }
    assert before["asalee-dt2"].acts == 1 and before["asalee-dt2"].adverse_events == 1


def test_another_practice_counts_nothing_of_ours(session, practice, data):
    other = factories.make_practice(session)
    factories.install_protocols(session, other)
    rows = indicators.indicators(session, practice=other, year=YEAR)
    assert sum(r.acts for r in rows) == 0


def test_csv_export(sign_in, data):
    b, _ = sign_in("gp")
    response = b.get(f"/delegation/indicateurs.csv?annee={YEAR}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert f"indicateurs-protocoles-{YEAR}.csv" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    header = rows[0]
    assert header[:8] == [
        "Année",
        "Code",
        "Protocole",
        "Type",
        "Patients pris en charge",
        "Actes réalisés par les délégués",
        "Actes repris par le délégant",
        "Taux de reprise (%)",
    ]
    dt2 = next(r for r in rows if r[1] == "asalee-dt2")
    assert dt2[0] == str(YEAR) and dt2[4:10] == ["3", "4", "2", "50,0", "2", "1"]
    assert dt2[header.index("Satisfaction patient (moyenne /5)")] == "4,00"
    assert dt2[header.index("Satisfaction patient (réponses)")] == "2"
    odyno = next(r for r in rows if r[1] == "odynophagie")
    assert odyno[5] == "0" and odyno[7] == ""


def test_indicators_page_with_its_chart(sign_in, data, count_queries):
    b, _ = sign_in("asalee_nurse")
    with count_queries() as q:
        response = b.get(f"/delegation/indicateurs?annee={YEAR}")
    assert response.status_code == 200
    text = page_text(response)
    assert f"Indicateurs des protocoles — {YEAR}" in text
    assert "50,0 %" in text and "4,00 /5 (2)" in text
    assert '<svg class="chart"' in response.text and 'class="bar-acts"' in response.text
    assert "Asalée — Suivi du patient diabétique de type 2 : 4 actes, 2 repris (50,0 %)" in text
    assert q.count <= 12, q.statements


@pytest.mark.parametrize(("profession", "status"), [("secretary", 403), ("student", 403)])
def test_indicators_refused_outside_the_protocols(sign_in, profession, status):
    b, _ = sign_in(profession)
    assert b.get("/delegation/indicateurs").status_code == status
    assert b.get("/delegation/indicateurs.csv").status_code == status


def test_the_chart_scales_on_the_largest_count(session, practice, data):
    from umpro.delegation.views.indicators import BAR_AREA, chart

    bars, height = chart(indicators.indicators(session, practice=practice, year=YEAR))
    widest = max(bars, key=lambda b: b.acts)
    assert widest.acts_width == BAR_AREA
    dt2 = next(b for b in bars if b.acts == 4)
    assert dt2.taken_back_width == BAR_AREA / 2 and dt2.rate == "50,0 %"
    assert height > 0
