"""Same-day care pages: the desk screen (« Accueil SNP ») and the figures (« Soins non
programmés », with its CSV export). No commit here: the after-request hook commits."""

import io
from datetime import date, datetime, timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from umpro import charts, csv_export
from umpro.api import input as read
from umpro.auth.permissions import can, require
from umpro.errors import Invalid
from umpro.extensions import db
from umpro.forms import attempt
from umpro.patients.models import SEXES, Patient
from umpro.patients.services.identity import PatientInput, create_patient
from umpro.patients.services.search import search_patients
from umpro.scheduling.models import WEEKDAYS
from umpro.scheduling.services import accounting, catalogue, holds, sameday
from umpro.scheduling.views import bp
from umpro.scheduling.views._common import members, today, tz
from umpro.team import services as team
from umpro.timeutil import to_local
from umpro.web import acting

SOURCES = {"phone": "Téléphone", "desk": "Accueil", "walk-in": "Sans rendez-vous"}


def _patient(raw) -> Patient | None:
    try:
        patient = db.session.get(Patient, int(raw)) if raw else None
    except ValueError:
        patient = None
    if patient is not None and patient.practice_id != current_user.practice_id:
        patient = None
    return patient


def _page(*, patient, found, errors, values, status=200):
    proposal = sameday.desk_proposals(db.session, acting=acting(), patient=patient)
    return render_template(
        "scheduling/sameday_desk.html",
        patient=patient,
        found=found,
        proposal=proposal,
        errors=errors,
        values=values,
        sources=SOURCES,
        urgencies=sameday.URGENCIES,
        sexes=SEXES,
        query=request.args.get("q", ""),
    ), status


@bp.get("/soins-non-programmes/accueil")
@require("sameday.desk")
def sameday_desk():
    patient = _patient(request.args.get("patient"))
    query = (request.args.get("q") or "").strip()
    found = []
    if query and patient is None:
        found = search_patients(db.session, acting=acting(), query=query, limit=10)
    return _page(patient=patient, found=found, errors={}, values={})


def _slot(raw: str) -> tuple[int, datetime, int]:
    try:
        staff_id, start, type_id = raw.split("|")
        return int(staff_id), datetime.fromisoformat(start), int(type_id)
    except ValueError:
        raise Invalid("Créneau illisible : choisissez-en un dans la liste.", field="slot") from None


@bp.post("/soins-non-programmes/accueil")
@require("sameday.desk")
def sameday_book():
    form = request.form
    patient = _patient(form.get("patient_id"))
    values = {k: form.get(k, "") for k in ("reason", "urgency", "source")}

    def book():
        if patient is None:
            raise Invalid("Choisissez d'abord le patient.", field="patient")
        staff_id, start_at, type_id = _slot(form.get("slot", ""))
        return sameday.book_same_day(
            db.session,
            patient=patient,
            staff=team.get_staff(
                db.session, practice_id=current_user.practice_id, staff_id=staff_id
            ),
            appointment_type=catalogue.get_type(
                db.session, practice_id=current_user.practice_id, type_id=type_id
            ),
            start_at=start_at,
            source=values["source"],
            reason=values["reason"],
            urgency=values["urgency"],
            acting=acting(),
        )

    appointment, error = attempt(book, show=False)
    if error is not None:
        return _page(
            patient=patient,
            found=[],
            errors={error.field or "form": error.message},
            values=values,
            status=error.status,
        )
    local = to_local(appointment.start_at, tz())
    flash(
        f"Rendez-vous de soins non programmés pris le {local:%d/%m/%Y à %H:%M} avec "
        f"{appointment.staff.display_name}.",
        "success",
    )
    return redirect(url_for("scheduling.appointment_page", appointment_id=appointment.id))


@bp.post("/soins-non-programmes/accueil/patient")
@require("sameday.desk")
def sameday_new_patient():
    form = request.form
    values = {k: form.get(k, "") for k in ("family_name", "given_names", "birth_date", "sex")}
    values["phone"] = form.get("phone", "")

    def create():
        try:
            birth = date.fromisoformat(values["birth_date"]) if values["birth_date"] else None
        except ValueError:
            raise Invalid("Date de naissance illisible.", field="birth_date") from None
        return create_patient(
            db.session,
            acting=acting(),
            practice=current_user.practice,
            data=PatientInput(
                family_name=values["family_name"],
                given_names=values["given_names"],
                birth_date=birth,
                sex=values["sex"],
                phone=values["phone"],
            ),
            confirm_duplicate=form.get("confirm_duplicate") == "1",
        )

    patient, error = attempt(create, show=False)
    if error is not None:
        return _page(
            patient=None,
            found=[],
            errors={error.field or "form": error.message, "new_patient": "1"},
            values=values,
            status=error.status,
        )
    return redirect(url_for("scheduling.sameday_desk", patient=patient.id))


# --- Figures ---------------------------------------------------------------------------


def _period() -> tuple[date, date, str | None]:
    last_default = today()
    first_default = last_default - timedelta(days=last_default.weekday() + 21)
    try:
        first = date.fromisoformat(request.args.get("du") or first_default.isoformat())
        last = date.fromisoformat(request.args.get("au") or last_default.isoformat())
    except ValueError:
        return first_default, last_default, "Dates illisibles : les quatre dernières semaines."
    return first, last, None


def _report():
    first, last, error = _period()
    staff_id = read.id_or_none(request.args.get("staff", ""))
    report, failure = attempt(
        lambda: accounting.unscheduled_report(
            db.session,
            practice_id=current_user.practice_id,
            tz=tz(),
            first_day=first,
            last_day=last,
            staff_ids=[staff_id] if staff_id else None,
        ),
        show=False,
    )
    if failure is not None:
        error = failure.message
        first, last = today() - timedelta(days=27), today()
        report = accounting.unscheduled_report(
            db.session,
            practice_id=current_user.practice_id,
            tz=tz(),
            first_day=first,
            last_day=last,
        )
    return report, error


@bp.get("/soins-non-programmes")
@require("reports.unscheduled")
def sameday_figures():
    report, error = _report()
    if error:
        flash(error, "error")
    names = {m.id: m.display_name for m in members()}
    return render_template(
        "scheduling/sameday_figures.html",
        report=report,
        chart=_weeks_chart(report),
        names=names,
        cap=accounting.SAS_WEEKLY_CAP,
        hours_condition=accounting.SAS_HOURS_CONDITION,
    )


def _weeks_chart(report):
    """How the practice's held slots ended, week by week (its data table comes along)."""
    weeks = sorted(report.practice_week.items())
    if not weeks:
        return None
    return charts.line_chart(
        title="Créneaux réservés aux soins non programmés, par semaine",
        description=(
            "Pour chaque semaine de la période, le nombre de créneaux réservés et ce qu'ils "
            "sont devenus : utilisés pour un rendez-vous, libérés au délai prévu, ou perdus."
        ),
        labels=[f"{week:%d/%m}" for week, _ in weeks],
        series=[
            charts.Series("Réservés", [f.held for _, f in weeks], "series-1"),
            charts.Series("Utilisés", [f.used for _, f in weeks], "series-2"),
            charts.Series("Libérés", [f.released for _, f in weeks], "series-3"),
            charts.Series("Perdus", [f.lost for _, f in weeks], "series-4"),
        ],
    )


CSV_COLUMNS = [
    ("held", "Réservés"),
    ("used", "Utilisés"),
    ("released", "Libérés"),
    ("lost", "Perdus"),
    ("pending", "Encore réservés"),
    ("held_hours", "Heures réservées"),
    ("appointments", "Rendez-vous"),
    ("unscheduled", "Non programmés"),
    ("unscheduled_share", "Part non programmée (%)"),
    ("regulated_outside_list", "Régulés SAS hors patientèle"),
]


@bp.get("/soins-non-programmes.csv")
@require("reports.unscheduled")
def sameday_figures_csv():
    report, _ = _report()
    names = {m.id: m.display_name for m in members()}
    out = io.StringIO()
    writer = csv_export.writer(out)
    writer.writerow(["Semaine du", "Professionnel", *[label for _, label in CSV_COLUMNS]])
    for (staff_id, week), figures in sorted(
        report.by_week.items(), key=lambda i: (i[0][1], i[0][0])
    ):
        data = figures.as_dict()
        writer.writerow(
            [week.isoformat(), names.get(staff_id, staff_id), *[data[k] for k, _ in CSV_COLUMNS]]
        )
    for week, figures in sorted(report.practice_week.items()):
        data = figures.as_dict()
        writer.writerow([week.isoformat(), "Cabinet", *[data[k] for k, _ in CSV_COLUMNS]])
    filename = f"soins-non-programmes-{report.first_day}-{report.last_day}.csv"
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# --- Hold policies -----------------------------------------------------------------------


def _policy_input(form) -> holds.PolicyInput:
    def number(name, label, *, optional=False):
        raw = (form.get(name) or "").strip()
        if not raw and optional:
            return None
        try:
            return int(raw)
        except ValueError:
            raise Invalid(f"{label} : un nombre entier.", field=name) from None

    return holds.PolicyInput(
        mode=form.get("mode", ""),
        share_percent=number("share_percent", "Part réservée")
        if form.get("mode") == "share"
        else 0,
        weekdays=tuple(int(d) for d in form.getlist("weekdays") if d.isdigit()),
        slot_minutes=number("slot_minutes", "Durée d'un créneau"),
        release_lead_minutes=number("release_lead", "Délai de libération", optional=True),
        blocks=holds.parse_blocks(form.get("blocks", "")) if form.get("mode") == "blocks" else (),
    )


@bp.route("/soins-non-programmes/reglages", methods=["GET", "POST"])
def hold_policies():
    if not can(current_user, "holds.page"):
        abort(403)
    staff_id = read.id_or_none(request.values.get("staff", ""))
    if staff_id is None and not can(current_user, "holds.manage"):
        staff_id = current_user.id  # a GP edits their own policy
    staff = (
        team.get_staff(db.session, practice_id=current_user.practice_id, staff_id=staff_id)
        if staff_id
        else None
    )
    errors, status = {}, 200
    if request.method == "POST":
        _, error = attempt(
            lambda: holds.set_policy(
                db.session, actor=current_user, staff=staff, data=_policy_input(request.form)
            ),
            show=False,
        )
        if error is not None:
            errors, status = {error.field or "form": error.message}, error.status
        else:
            flash("Réservation de créneaux enregistrée.", "success")
            return redirect(url_for("scheduling.hold_policies", staff=staff_id or None))
    policies = holds.load_policies(db.session, practice_id=current_user.practice_id)
    editable = [m for m in members() if can(current_user, "holds.manage", m)]
    return render_template(
        "scheduling/hold_policies.html",
        policies=policies,
        staff=staff,
        current=policies.get(staff.id if staff else None),
        editable=editable,
        may_default=can(current_user, "holds.manage"),
        names={m.id: m.display_name for m in members()},
        weekdays=WEEKDAYS,
        errors=errors,
        form=request.form if request.method == "POST" else None,
    ), status
