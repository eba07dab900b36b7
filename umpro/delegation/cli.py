"""``flask --app wsgi umpro delegation …``: install the reference protocols, flag overdue
tasks by hand (the scheduler runs the ``delegation_overdue`` job every hour)."""

import click
from flask.cli import AppGroup

from umpro.acting import Acting
from umpro.db import utcnow
from umpro.delegation.services import overdue, protocols
from umpro.extensions import db
from umpro.team import services as team_services
from umpro.team.models import Practice

group = AppGroup("delegation", help="Protocoles de coopération et tâches déléguées.")


def _practices(slug: str | None) -> list[Practice]:
    practices = team_services.practices(db.session, slug)
    if slug and not practices:
        raise click.ClickException(f"Aucune maison de santé « {slug} ».")
    return practices


@group.command("install-protocols")
@click.option("--practice", "slug", help="Identifiant (slug) de la maison de santé.")
def install_protocols(slug: str | None) -> None:
    """Installer les protocoles de référence (Asalée, cystite, odynophagie)."""
    for practice in _practices(slug):
        created = protocols.install_reference_protocols(
            db.session, acting=Acting(None, utcnow()), practice_id=practice.id
        )
        db.session.commit()
        click.echo(f"{practice.slug} : {len(created)} protocole(s) installé(s).")


@group.command("overdue")
def flag_overdue() -> None:
    """Signaler les tâches déléguées en retard (sans envoyer de courriel)."""
    total = 0
    for practice in _practices(None):
        total += len(overdue.flag_overdue(db.session, practice=practice, now=utcnow()))
        db.session.commit()
    click.echo(f"{total} tâche(s) en retard signalée(s).")


commands = [group]
