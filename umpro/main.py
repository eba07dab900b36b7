"""Home page and navigation."""

from flask import Blueprint, render_template
from flask_login import current_user

from umpro.web import public

bp = Blueprint("main", __name__)

#: Sections that later work builds; they show a short "bientôt disponible" page.
COMING = {
    "agenda": "Agenda partagé",
    "patients": "Patients et dossier partagé",
    "taches": "File des tâches déléguées",
    "boite": "Boîte de réception",
    "patientele": "Croissance de la patientèle",
}


@bp.get("/")
def home():
    return render_template("home.html", user=current_user)


@bp.get("/bientot/<section>")
def coming(section: str):
    title = COMING.get(section)
    if title is None:
        from flask import abort

        abort(404)
    return render_template("coming.html", title=title)


@bp.get("/sante")
@public
def health():
    return {"status": "ok"}
