"""Protocol indicators per protocol and year, as the ARS asks (art. D4011-4 CSP).

* **acts**: tasks completed by a delegate in the year (completion date, practice zone);
* **patients treated**: distinct patients among those acts;
* **taken back**: those acts the delegator took back (a red flag, or their decision);
  **take-back rate** = taken back ÷ acts;
* **adverse events** reported, by the date they occurred (severe ones apart);
* **satisfaction**: mean score (1–5) and number of answers per kind of participant.

Aggregates only: no patient is named, so reading them is not logged per patient.
"""

import io
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from operator import attrgetter

from sqlalchemy import Integer, case, func, select
from sqlalchemy.orm import Session

from umpro import csv_export
from umpro.delegation import states
from umpro.delegation.models import (
    RESPONDENTS,
    AdverseEvent,
    CareTask,
    Protocol,
    SatisfactionResponse,
)
from umpro.delegation.services.protocols import list_protocols
from umpro.timeutil import local_day_bounds


@dataclass
class Satisfaction:
    mean: float
    answers: int


@dataclass
class ProtocolIndicators:
    protocol: Protocol
    year: int
    patients: int = 0
    acts: int = 0
    taken_back: int = 0
    adverse_events: int = 0
    severe_adverse_events: int = 0
    satisfaction: dict[str, Satisfaction] = field(default_factory=dict)

    @property
    def takeback_rate(self) -> float | None:
        return self.taken_back / self.acts if self.acts else None


def _year_bounds(practice, year: int):
    start, _ = local_day_bounds(date(year, 1, 1), practice.timezone)
    _, end = local_day_bounds(date(year, 12, 31), practice.timezone)
    return start, end


def indicators(session: Session, *, practice, year: int) -> list[ProtocolIndicators]:
    """One row per protocol of the practice (four queries whatever the data size)."""
    rows = {
        p.id: ProtocolIndicators(protocol=p, year=year)
        for p in list_protocols(session, practice_id=practice.id)
    }
    start, end = _year_bounds(practice, year)
    acts = session.execute(
        select(
            CareTask.protocol_id,
            func.count(CareTask.id),
            func.count(func.distinct(CareTask.patient_id)),
            func.sum(case((CareTask.is_taken_back.is_(True), 1), else_=0)),
        )
        .where(
            CareTask.practice_id == practice.id,
            CareTask.status == states.COMPLETED,
            CareTask.completed_at >= start,
            CareTask.completed_at < end,
        )
        .group_by(CareTask.protocol_id)
    )
    for protocol_id, count, patients, taken_back in acts:
        row = rows[protocol_id]
        row.acts, row.patients, row.taken_back = count, patients, int(taken_back or 0)
    events = session.execute(
        select(
            AdverseEvent.protocol_id,
            func.count(AdverseEvent.id),
            func.sum(case((AdverseEvent.severity == "severe", 1), else_=0)),
        )
        .where(
            AdverseEvent.practice_id == practice.id,
            AdverseEvent.occurred_on >= date(year, 1, 1),
            AdverseEvent.occurred_on <= date(year, 12, 31),
        )
        .group_by(AdverseEvent.protocol_id)
    )
    for protocol_id, count, severe in events:
        rows[protocol_id].adverse_events = count
        rows[protocol_id].severe_adverse_events = int(severe or 0)
    answers = session.execute(
        select(
            SatisfactionResponse.protocol_id,
            SatisfactionResponse.respondent,
            func.avg(SatisfactionResponse.score.cast(Integer)),
            func.count(SatisfactionResponse.id),
        )
        .where(
            SatisfactionResponse.practice_id == practice.id,
            SatisfactionResponse.recorded_on >= date(year, 1, 1),
            SatisfactionResponse.recorded_on <= date(year, 12, 31),
        )
        .group_by(SatisfactionResponse.protocol_id, SatisfactionResponse.respondent)
    )
    for protocol_id, respondent, mean, count in answers:
        rows[protocol_id].satisfaction[respondent] = Satisfaction(round(float(mean), 2), count)
    return list(rows.values())


def years_available(session: Session, *, practice, this_year: int) -> list[int]:
    """From the first hand-off's year to this year, latest first."""
    first = session.scalar(
        select(func.min(CareTask.created_at)).where(CareTask.practice_id == practice.id)
    )
    start = min(first.year, this_year) if first else this_year
    return list(range(this_year, start - 1, -1))


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}".replace(".", ",")


def _mean(row: ProtocolIndicators, respondent: str) -> str:
    answer = row.satisfaction.get(respondent)
    return "" if answer is None else f"{answer.mean:.2f}".replace(".", ",")


def _answers(row: ProtocolIndicators, respondent: str) -> int:
    answer = row.satisfaction.get(respondent)
    return 0 if answer is None else answer.answers


#: The CSV's columns: the header, and what the cell of a row holds.
_COLUMNS = (
    ("Année", attrgetter("year")),
    ("Code", attrgetter("protocol.code")),
    ("Protocole", attrgetter("protocol.title")),
    ("Type", attrgetter("protocol.kind_label")),
    ("Patients pris en charge", attrgetter("patients")),
    ("Actes réalisés par les délégués", attrgetter("acts")),
    ("Actes repris par le délégant", attrgetter("taken_back")),
    ("Taux de reprise (%)", lambda row: _percent(row.takeback_rate)),
    ("Événements indésirables", attrgetter("adverse_events")),
    ("dont graves", attrgetter("severe_adverse_events")),
    *(
        (f"Satisfaction {label.lower()} (moyenne /5)", partial(_mean, respondent=respondent))
        for respondent, label in RESPONDENTS.items()
    ),
    *(
        (f"Satisfaction {label.lower()} (réponses)", partial(_answers, respondent=respondent))
        for respondent, label in RESPONDENTS.items()
    ),
)
CSV_HEADER = [header for header, _ in _COLUMNS]


def to_csv(rows: list[ProtocolIndicators]) -> str:
    """French CSV (``;`` separator, decimal comma, BOM so that spreadsheets read UTF-8)."""
    out = io.StringIO()
    writer = csv_export.writer(out)
    writer.writerow(CSV_HEADER)
    writer.writerows([cell(row) for _, cell in _COLUMNS] for row in rows)
    return "\ufeff" + out.getvalue()
