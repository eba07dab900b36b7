"""Form helpers shared by every domain."""

from collections.abc import Callable

from flask import flash, redirect

from umpro.errors import DomainError
from umpro.extensions import db


def attach_error(form, error: DomainError) -> None:
    """Show a service's refusal next to the field it names, else at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def optional_int(value):
    """Coerce for SelectField choices that allow an empty option."""
    if value in (None, "", "None"):
        return None
    return int(value)


def save_or_show(form, save: Callable[[], object], *, message: str, next_url: str):
    """Run one service call for a validated form, the way every edit page does.

    Success: commit, flash ``message``, and return ``(redirect, None)``. A refusal: roll
    back, show the French message next to its field, and return ``(None, status)``.
    """
    try:
        save()
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return None, error.status
    db.session.commit()
    flash(message, "success")
    return redirect(next_url), None
