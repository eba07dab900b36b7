"""Form helpers shared by every domain."""

from collections.abc import Callable
from typing import TypeVar

from flask import flash, redirect

from umpro.errors import DomainError
from umpro.extensions import db

T = TypeVar("T")


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


def attempt(
    save: Callable[[], T], *, form=None, show: bool = True
) -> tuple[T | None, DomainError | None]:
    """Run one service call of a form page: ``(result, None)``, or ``(None, error)`` for a
    refusal, with the French message on ``form``'s field (flashed when there is no form;
    neither with ``show=False``, for a page that shows the error its own way).

    The call runs in a savepoint: a refusal undoes what the service had changed, so the
    page shown again reads clean objects and a redirect commits nothing of it. Views
    never commit or roll back; the request's one commit point does
    (``umpro.errors_wiring.commit_or_roll_back``).
    """
    try:
        with db.session.begin_nested():
            return save(), None
    except DomainError as error:
        if not show:
            pass
        elif form is not None:
            attach_error(form, error)
        else:
            flash(error.message, "error")
        return None, error


def save_or_show(form, save: Callable[[], object], *, message: str, next_url: str):
    """Run one service call for a validated form, the way every edit page does.

    Success: flash ``message`` and return ``(redirect, None)``. A refusal: show the French
    message next to its field and return ``(None, status)``; the page is shown again with
    that status, so the commit point rolls the request back.
    """
    _, error = attempt(save, form=form)
    if error is not None:
        return None, error.status
    flash(message, "success")
    return redirect(next_url), None
