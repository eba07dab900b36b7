"""Form helpers shared by every domain."""

from umpro.errors import DomainError


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
