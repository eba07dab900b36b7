"""Template globals and filters: permissions, French dates in the practice zone."""

from dataclasses import dataclass

from flask import Flask, request, url_for
from flask_babel import format_date, format_datetime, gettext
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from umpro.auth.permissions import can
from umpro.team.professions import label as profession_label


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(can=lambda action, obj=None: can(current_user, action, obj))
    app.jinja_env.globals.update(csrf_token=generate_csrf, nav_items=nav_items)
    app.jinja_env.filters["datetime_fr"] = lambda v: (
        format_datetime(v, "dd/MM/yyyy HH:mm") if v else ""
    )
    app.jinja_env.filters["date_fr"] = lambda v: format_date(v, "dd/MM/yyyy") if v else ""
    app.jinja_env.filters["time_fr"] = lambda v: format_datetime(v, "HH:mm") if v else ""
    app.jinja_env.filters["long_date_fr"] = lambda v: (
        format_date(v, "EEEE d MMMM yyyy") if v else ""
    )
    app.jinja_env.filters["profession"] = profession_label


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    help: str
    permission: str | None = None
    args: tuple = ()


NAV = [
    NavItem("scheduling.day_view", "Agenda", "Rendez-vous de l'équipe", "nav.agenda"),
    NavItem(
        "scheduling.sameday_desk",
        "Soins non programmés",
        "Demandes du jour : créneaux réservés",
        "nav.sameday",
    ),
    NavItem("patients.search", "Patients", "Recherche et dossier partagé", "nav.patients"),
    NavItem(
        "delegation.queue",
        "Tâches déléguées",
        "File des tâches à prendre en charge",
        "nav.task_queue",
    ),
    NavItem(
        "delegation.inbox", "Boîte de réception", "Résultats et reprises à valider", "nav.inbox"
    ),
    NavItem(
        "delegation.supervision_queue",
        "Supervision",
        "Consultations du docteur junior à relire",
        "supervision.view",
    ),
    NavItem(
        "delegation.supervision_own",
        "Mes relectures",
        "Mes consultations relues par le maître de stage",
        "supervision.own",
    ),
    NavItem(
        "delegation.protocol_list",
        "Protocoles",
        "Protocoles de coopération, adhésions, indicateurs",
        "nav.protocols",
    ),
    NavItem(
        "reports.overview",
        "Patientèle",
        "Croissance de la patientèle médecin traitant",
        "nav.reports",
    ),
    NavItem("team.staff_list", "Équipe", "Membres, professions, supervision", "team.manage"),
    NavItem("team.room_list", "Salles", "Cabinets et bureaux", "rooms.manage"),
    NavItem("auth.access_log", "Journal des accès", "Qui a consulté quoi", "audit.view"),
    NavItem(
        "jobs.overview",
        "Tâches planifiées",
        "Travaux de fond de la maison de santé",
        "jobs.manage",
    ),
]


def nav_items() -> list[dict]:
    items = []
    for item in NAV:
        if item.permission and not can(current_user, item.permission):
            continue
        kwargs = dict(item.args)
        url = url_for(item.endpoint, **kwargs)
        active = request.endpoint == item.endpoint and all(
            (request.view_args or {}).get(k) == v for k, v in kwargs.items()
        )
        items.append(
            {
                "endpoint": item.endpoint,
                "url": url,
                "label": gettext(item.label),
                "help": gettext(item.help),
                "active": active,
            }
        )
    return items
