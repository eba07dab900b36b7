"""Small helpers of the delegation pages."""

from flask import flash


def flash_form_errors(form) -> None:
    for errors in form.errors.values():
        for message in errors:
            flash(message, "error")
    for message in form.form_errors:
        flash(message, "error")
