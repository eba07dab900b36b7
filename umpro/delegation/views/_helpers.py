"""Small helpers of the delegation pages."""

from flask import flash
from flask_login import current_user

from umpro.db import utcnow
from umpro.web import client_ip


def ctx() -> dict:
    """The acting user, the time and where from: what every service call needs."""
    return {"actor": current_user, "now": utcnow(), "ip": client_ip()}


def status_of(*forms) -> int:
    return 422 if any(f.errors or f.form_errors for f in forms) else 200


def flash_form_errors(form) -> None:
    for errors in form.errors.values():
        for message in errors:
            flash(message, "error")
    for message in form.form_errors:
        flash(message, "error")
