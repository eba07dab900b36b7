"""Home page and navigation badges."""

import logging

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from umpro.charts import sparkline
from umpro.db import utcnow
from umpro.extensions import db
from umpro.reports.services import home as home_service
from umpro.reports.services import waiting
from umpro.web import acting, public

bp = Blueprint("main", __name__)
log = logging.getLogger(__name__)


@bp.get("/")
def home():
    page = home_service.home_for(db.session, acting=acting())
    spark = None
    if page.spark:
        spark = sparkline(
            page.spark,
            label=f"Patientèle sur les {len(page.spark)} derniers mois",
            target=page.progress.target.target_value if page.progress else None,
        )
    return render_template("home.html", user=current_user, page=page, spark=spark)


@bp.app_context_processor
def _badges():
    return {"nav_counts": nav_counts}


def nav_counts() -> dict[str, int]:
    """Counts of what waits, by navigation endpoint (base.html asks once per page)."""
    if not current_user.is_authenticated:
        return {}
    try:
        return waiting.nav_counts(db.session, staff=current_user, now=utcnow())
    except SQLAlchemyError:
        # An error page rendered after a failed transaction: no badge rather than a
        # second error hiding the first.
        log.warning("navigation counts unavailable for staff %s", current_user.id)
        return {}


@bp.get("/sante")
@public
def health():
    return {"status": "ok"}
