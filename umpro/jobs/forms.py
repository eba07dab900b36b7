"""Forms of the jobs domain: the "run now" button."""

from umpro.forms import FlaskForm


class RunNowForm(FlaskForm):
    """Only the CSRF token: the job is in the URL."""
