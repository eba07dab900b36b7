"""Delegation pages: the delegate's queue, the GP's inbox, the task's thread, the hand-off
from the patient, consents, the protocol catalogue and memberships, the indicators and
the maître de stage's review queue."""

from flask import Blueprint
from flask_babel import format_datetime

from umpro.delegation import states
from umpro.delegation.protocols import definition

bp = Blueprint("delegation", __name__, url_prefix="/delegation")


@bp.app_template_filter("task_status")
def _task_status(status: str) -> str:
    return states.label(status)


@bp.app_template_filter("field_type")
def _field_type(kind: str) -> str:
    return definition.FIELD_TYPES.get(kind, kind)


@bp.app_template_filter("slot_day")
def _slot_day(instant) -> str:
    """The local day of an instant as ``YYYY-MM-DD`` (the booking form's format)."""
    return format_datetime(instant, "yyyy-MM-dd")


from umpro.delegation.views import (  # noqa: E402  (routes register on bp)
    indicators,
    patients,
    protocols,
    supervision,
    tasks,
)

__all__ = ["bp", "indicators", "patients", "protocols", "supervision", "tasks"]
