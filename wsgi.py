"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi …``."""

import os

from umpro import create_app

app = create_app(os.environ.get("UMPRO_CONFIG", "production"))
