"""Protocol indicators per year: a table, a server-drawn SVG chart, a CSV export."""

from dataclasses import dataclass

from flask import Response, render_template, request
from flask_login import current_user

from umpro.api import input as read
from umpro.auth.permissions import require
from umpro.db import utcnow
from umpro.delegation.services import indicators as service
from umpro.delegation.services._common import today
from umpro.delegation.views import bp
from umpro.extensions import db

#: Chart geometry (SVG user units): each protocol's title on its own line, its bars under
#: it, the figures to the right of the bars.
BAR_AREA, VALUE_WIDTH, ROW_HEIGHT, BAR_HEIGHT = 560, 240, 58, 16


@dataclass(frozen=True)
class Bar:
    y: int
    #: The full title (the accessible description) and a short label drawn on the chart.
    title: str
    label: str
    acts: int
    taken_back: int
    acts_width: float
    taken_back_width: float
    rate: str


def _year() -> int:
    this_year = today(current_user.practice, utcnow()).year
    raw = request.args.get("annee", "")
    year = read.id_or_none(raw)
    return year if year is not None and 2000 <= year <= this_year + 1 else this_year


def chart(rows: list[service.ProtocolIndicators]) -> tuple[list[Bar], int]:
    """Bars of acts and of acts taken back, scaled on the largest number of acts."""
    top = max((r.acts for r in rows), default=0) or 1
    bars = []
    for i, row in enumerate(rows):
        rate = row.takeback_rate
        bars.append(
            Bar(
                y=i * ROW_HEIGHT + 10,
                title=row.protocol.title,
                label=row.protocol.title
                if len(row.protocol.title) <= 90
                else row.protocol.title[:89] + "…",
                acts=row.acts,
                taken_back=row.taken_back,
                acts_width=round(BAR_AREA * row.acts / top, 1),
                taken_back_width=round(BAR_AREA * row.taken_back / top, 1),
                rate="—" if rate is None else f"{rate * 100:.1f} %".replace(".", ","),
            )
        )
    return bars, len(rows) * ROW_HEIGHT + 20


@bp.get("/indicateurs")
@require("indicators.view")
def indicators():
    year = _year()
    rows = service.indicators(db.session, practice=current_user.practice, year=year)
    bars, height = chart(rows)
    years = service.years_available(
        db.session,
        practice=current_user.practice,
        this_year=today(current_user.practice, utcnow()).year,
    )
    return render_template(
        "delegation/indicators.html",
        rows=rows,
        year=year,
        years=years,
        bars=bars,
        height=height,
        width=BAR_AREA + VALUE_WIDTH,
        bar_height=BAR_HEIGHT,
    )


@bp.get("/indicateurs.csv")
@require("indicators.view")
def indicators_csv():
    year = _year()
    rows = service.indicators(db.session, practice=current_user.practice, year=year)
    return Response(
        service.to_csv(rows),
        mimetype="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="indicateurs-protocoles-{year}.csv"'
        },
    )
