"""Form helpers shared by every domain."""

import re
from collections.abc import Callable
from typing import TypeVar

from flask import flash, redirect, render_template
from flask_wtf import FlaskForm as _FlaskForm  # noqa: TID251 - the one subclass
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from umpro.errors import DomainError
from umpro.extensions import db

T = TypeVar("T")
MAX_INT = 2**31 - 1

_SHORT_REFUSED = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_LONG_REFUSED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def refuse_control_characters(form, field) -> None:
    """A text field holds no control character (a multi-line one may hold line breaks and
    tabs): they break exports and displays, and PostgreSQL refuses NUL."""
    refused = _LONG_REFUSED if isinstance(field, TextAreaField) else _SHORT_REFUSED
    if isinstance(field.data, str) and refused.search(field.data):
        raise ValidationError("Ce texte contient un caractère de contrôle non autorisé.")


def refuse_huge_numbers(form, field) -> None:
    """A number (or each of a list of ids) fits a database integer; past it, it names
    nothing and would overflow the query on PostgreSQL."""
    values = field.data if isinstance(field.data, list | tuple) else [field.data]
    if any(isinstance(v, int) and not -MAX_INT <= v <= MAX_INT for v in values):
        raise ValidationError("Nombre hors limites.")


class FlaskForm(_FlaskForm):
    """The app's form: every text field refuses control characters
    (``refuse_control_characters``) and every number fits a database integer
    (``refuse_huge_numbers``), on top of the fields' own validators."""

    def validate(self, extra_validators=None):
        extra = {name: list(found) for name, found in (extra_validators or {}).items()}
        for name, field in self._fields.items():
            checks = extra.setdefault(name, [])
            if isinstance(field, StringField):
                checks.append(refuse_control_characters)
            checks.append(refuse_huge_numbers)
        return super().validate(extra)


def required_text(label: str, missing: str, *, max_length: int) -> StringField:
    """A required line of text (``missing`` says so) of at most ``max_length`` characters."""
    return StringField(label, validators=[DataRequired(missing), Length(max=max_length)])


def values_of(form, *names: str) -> dict:
    """The submitted values of the named fields, by name: for a service whose keywords are
    the form's field names."""
    return {name: form[name].data for name in names}


def status_of(*forms) -> int:
    """A page showing ``forms`` again: 422 when any has an error, else 200."""
    return 422 if any(f.errors or f.form_errors for f in forms) else 200


def attach_error(form, error: DomainError) -> None:
    """Show a service's refusal next to the field it names, else at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def flash_form_errors(form) -> None:
    """Flash a form's errors, for a form posted from a page that redirects back."""
    for errors in form.errors.values():
        for message in errors:
            flash(message, "error")
    for message in form.form_errors:
        flash(message, "error")


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


def form_page(
    form,
    save: Callable[[], T],
    *,
    done: str | Callable[[T], str],
    next_url: str | Callable[[T], str],
    template: str,
    **context,
):
    """The page of one form: a posted, valid ``form`` goes through ``save`` (one service
    call); once accepted, flash ``done`` and redirect to ``next_url`` (either may be a
    function of what ``save`` answered). Otherwise, or on a refusal (its message on the
    field it names), ``template`` is shown with ``form`` and ``context``, 422 when the form
    has errors."""
    if form.validate_on_submit():
        saved, error = attempt(save, form=form)
        if error is None:
            flash(done(saved) if callable(done) else done, "success")
            return redirect(next_url(saved) if callable(next_url) else next_url)
    return render_template(template, form=form, **context), status_of(form)
