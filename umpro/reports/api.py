"""Patient-list endpoints of /api/v1/: monthly figures and worklists of a GP.

Same services as the pages; bad input is a 4xx JSON error with a French message.
"""

from flask import jsonify, request
from flask_login import current_user

from umpro.api import bp, openapi
from umpro.api import input as read
from umpro.auth.permissions import can
from umpro.errors import Forbidden, Invalid
from umpro.extensions import db
from umpro.reports import api_docs
from umpro.reports.services import dashboard, targets, worklists
from umpro.web import acting


def _gp(required: bool):
    gp_id = read.arg_id("gp")
    if gp_id is None:
        if can(current_user, "reports.patient_list", current_user) and not current_user.is_admin:
            return current_user
        if required:
            raise Invalid("Indiquez le médecin (paramètre gp).", field="gp")
        return None
    return targets.gp_of_practice(db.session, actor=current_user, gp_id=gp_id, field="gp")


@bp.get("/reports/patient-list")
@openapi.describe(
    "patientListReport", openapi.many("PatientListPoint"), query=[api_docs.GP, *api_docs.MONTHS]
)
def api_patient_list():
    """Patientèle d'un médecin, un point par mois (36 mois au plus)"""
    gp = _gp(required=True)
    if not can(current_user, "reports.patient_list", gp):
        raise Forbidden("Vous ne pouvez consulter que votre propre patientèle.")
    context = acting()
    months = dashboard.period(
        current_user.practice,
        first=dashboard.parse_month(request.args.get("from"), field="from"),
        last=dashboard.parse_month(request.args.get("to"), field="to"),
        now=context.now,
    )
    (report,) = dashboard.gp_reports(db.session, acting=context, gps=[gp], months=months)
    return jsonify({"items": [p.as_json() for p in report.points]})


@bp.get("/reports/patient-list/worklists")
@openapi.describe("patientListWorklists", openapi.many("Worklist"), query=[api_docs.GP])
def api_worklists():
    """Listes de travail de la patientèle (patients à qui proposer…)"""
    gp = _gp(required=False)
    lists = worklists.worklists(db.session, acting=acting(), gp=gp)
    return jsonify(
        {
            "items": [
                {
                    "key": wl.key,
                    "title": wl.title,
                    "rows": [
                        {
                            "patient_id": row.patient.id,
                            "display_name": row.patient.display_name,
                            "detail": row.detail,
                            "action": row.action,
                            "request_id": row.request_id,
                        }
                        for row in wl.rows
                    ],
                }
                for wl in lists
            ]
        }
    )
