"""The Patientèle pages: a GP's figures and target, the team view, the worklists."""

import io

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user

from umpro import charts, csv_export
from umpro.api import input as read
from umpro.auth.permissions import can, require
from umpro.db import utcnow
from umpro.errors import Invalid
from umpro.extensions import db
from umpro.forms import save_or_show
from umpro.patients.models import END_REASONS
from umpro.reports.forms import TargetForm
from umpro.reports.services import dashboard, targets, worklists
from umpro.reports.services.snapshots import practice_gps
from umpro.web import acting

bp = Blueprint("reports", __name__, url_prefix="/patientele")


def _gp(gp_id: int, action: str = "reports.patient_list"):
    """The GP named in the page's path: 404 for anyone else (no such page)."""
    try:
        gp = targets.gp_of_practice(db.session, actor=current_user, gp_id=gp_id)
    except Invalid:
        abort(404)
    if not can(current_user, action, gp):
        abort(403)
    return gp


def _months():
    return dashboard.period(
        current_user.practice,
        first=dashboard.parse_month(request.args.get("from"), field="from"),
        last=dashboard.parse_month(request.args.get("to"), field="to"),
        now=utcnow(),
    )


def _labels(points) -> list[str]:
    return [f"{p.month:%m/%Y}" for p in points]


def gp_charts(report: dashboard.GPReport) -> tuple:
    name = report.gp.display_name
    labels = _labels(report.points)
    lines = charts.line_chart(
        title=f"Patientèle et file active — {name}",
        description="Patientèle médecin traitant et file active (patients vus dans les 12 "
        "derniers mois) en fin de chaque mois"
        + (", avec la ligne de l'objectif." if report.target else "."),
        labels=labels,
        series=[
            charts.Series("Patientèle médecin traitant", [p.patient_list for p in report.points]),
            charts.Series("File active", [p.file_active for p in report.points], "series-2"),
        ],
        target=report.target.target_value if report.target else None,
    )
    bars = charts.bar_chart(
        title=f"Déclarations gagnées et perdues chaque mois — {name}",
        description="Nouvelles déclarations (au-dessus de l'axe) et déclarations terminées "
        "(au-dessous) chaque mois.",
        labels=labels,
        gains=[p.started for p in report.points],
        losses=[p.ended for p in report.points],
    )
    return lines, bars


@bp.get("/")
@require("nav.reports")
def overview():
    if can(current_user, "reports.team"):
        return team()
    if can(current_user, "reports.patient_list", current_user):
        return redirect(url_for("reports.gp_page", gp_id=current_user.id))
    return redirect(url_for("reports.worklist_page"))


def team():
    months = _months()
    gps = practice_gps(db.session, practice=current_user.practice)
    reports = dashboard.gp_reports(db.session, acting=acting(), gps=gps, months=months)
    chart = None
    if reports:
        chart = charts.line_chart(
            title="Patientèle médecin traitant de chaque médecin",
            description="Patientèle de chaque médecin généraliste en fin de mois.",
            labels=_labels(reports[0].points),
            series=[
                charts.Series(
                    r.gp.display_name, [p.patient_list for p in r.points], f"series-{i % 4 + 1}"
                )
                for i, r in enumerate(reports)
            ],
        )
    return render_template(
        "reports/team.html",
        reports=reports,
        months=months,
        chart=chart,
        groups=dashboard.team_groups(reports),
    )


@bp.get("/medecin/<int:gp_id>")
def gp_page(gp_id: int):
    gp = _gp(gp_id)
    months = _months()
    (report,) = dashboard.gp_reports(db.session, acting=acting(), gps=[gp], months=months)
    lines, bars = gp_charts(report)
    reasons: dict[str, int] = {}
    for point in report.points:
        for reason, n in point.end_reasons.items():
            reasons[reason] = reasons.get(reason, 0) + n
    return render_template(
        "reports/gp.html",
        report=report,
        months=months,
        lines=lines,
        bars=bars,
        end_reasons=[(END_REASONS.get(k, k), n) for k, n in sorted(reasons.items())],
    )


@bp.get("/medecin/<int:gp_id>/export.csv")
def export_csv(gp_id: int):
    gp = _gp(gp_id)
    (report,) = dashboard.gp_reports(db.session, acting=acting(), gps=[gp], months=_months())
    out = io.StringIO()
    writer = csv_export.writer(out)
    columns = ["month", "patient_list", "adults", "children", "file_active", "started",
               "ended", "ald_share"]  # fmt: skip
    writer.writerow(columns)
    for point in report.points:
        row = point.as_json()
        writer.writerow([row[c] for c in columns])
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="patientele-{gp.id}.csv"'},
    )


@bp.route("/medecin/<int:gp_id>/objectif", methods=["GET", "POST"])
def target_form(gp_id: int):
    gp = _gp(gp_id, "reports.target.manage")
    form = TargetForm()
    status = 200
    if form.validate_on_submit():
        percent = form.kind.data == "percent"
        data = targets.TargetInput(
            gp_id=gp.id,
            baseline_on=form.baseline_on.data,
            deadline_on=form.deadline_on.data,
            baseline_value=form.baseline_value.data,
            target_percent=float(form.target_percent.data)
            if percent and form.target_percent.data is not None
            else None,
            target_gain=form.target_gain.data if not percent else None,
            with_assistant=form.with_assistant.data,
        )
        if percent and data.target_percent is None:
            form.target_percent.errors = ["Indiquez la hausse visée en pourcentage."]
            status = 422
        elif not percent and data.target_gain is None:
            form.target_gain.errors = ["Indiquez le nombre de patients en plus."]
            status = 422
        else:
            response, status = save_or_show(
                form,
                lambda: targets.set_target(db.session, acting=acting(), data=data),
                message="Objectif enregistré.",
                next_url=url_for("reports.gp_page", gp_id=gp.id),
            )
            if response is not None:
                return response
    elif form.is_submitted():
        status = 422
    return render_template("reports/target_form.html", form=form, gp=gp), status


@bp.get("/listes")
def worklist_page():
    gp = None
    raw = request.args.get("gp", "")
    if raw:
        gp_id = read.id_or_none(raw)
        if gp_id is None:
            abort(404)
        gp = targets.gp_of_practice(db.session, actor=current_user, gp_id=gp_id, field="gp")
    elif can(current_user, "reports.patient_list", current_user) and not current_user.is_admin:
        gp = current_user
    lists = worklists.worklists(db.session, acting=acting(), gp=gp)
    gps = (
        practice_gps(db.session, practice=current_user.practice)
        if can(current_user, "reports.team")
        else []
    )
    return render_template("reports/worklists.html", lists=lists, gp=gp, gps=gps)
