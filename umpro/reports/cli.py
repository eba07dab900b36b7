"""``flask umpro snapshots rebuild [--from DATE]``: recompute the daily snapshots."""

from datetime import date, timedelta

import click
from flask.cli import AppGroup

from umpro.db import utcnow
from umpro.extensions import db
from umpro.reports.services import snapshots
from umpro.team import services as team_services
from umpro.timeutil import local_today

group = AppGroup("snapshots", help="Photographies quotidiennes des patientèles.")


@group.command("rebuild")
@click.option(
    "--from",
    "first",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Premier jour à recalculer (AAAA-MM-JJ) ; par défaut, il y a 36 mois.",
)
@click.option("--practice", "slug", help="Identifiant (slug) d'une seule maison de santé.")
def rebuild(first, slug: str | None) -> None:
    """Recalculer, depuis l'historique, les photographies jusqu'à hier."""
    practices = team_services.practices(db.session, slug)
    if slug and not practices:
        raise click.ClickException(f"Aucune maison de santé « {slug} ».")
    now = utcnow()
    total = 0
    for practice in practices:
        last = local_today(practice.timezone, now) - timedelta(days=1)
        start = first.date() if first else _months_ago(last, 36)
        if start > last:
            raise click.ClickException("La date de début doit précéder aujourd'hui.")
        days = (last - start).days + 1
        with click.progressbar(length=days, label=practice.slug) as bar:
            day = start
            while day <= last:
                chunk_end = min(last, day + timedelta(days=30))
                total += snapshots.rebuild(
                    db.session,
                    practice=practice,
                    first=day,
                    last=chunk_end,
                    now=now,
                    progress=lambda _day: bar.update(1),
                )
                db.session.commit()
                day = chunk_end + timedelta(days=1)
    click.echo(f"{total} photographie(s) recalculée(s).")


def _months_ago(day: date, months: int) -> date:
    from umpro.reports.services.figures import add_months

    return add_months(day, -months)


commands = [group]
