"""Agenda pages: team day, personal week, print, booking, appointment, admin templates."""

from flask import Blueprint

bp = Blueprint("scheduling", __name__, url_prefix="/agenda")

# The routes attach themselves to ``bp``.
from umpro.scheduling.views import admin, agenda, appointments, sameday  # noqa: E402, F401
