"""Patients pages: search, identity, the shared file, declarations, requests, letters."""

from flask import Blueprint

bp = Blueprint("patients", __name__, url_prefix="/patients")

# The routes attach themselves to ``bp``.
from umpro.patients.views import (  # noqa: E402, F401
    file,
    identity,
    letters,
    registrations,
)
