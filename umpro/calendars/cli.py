"""``flask umpro feed …``: create, list and revoke iCal feeds from the command line."""

import click
from flask.cli import AppGroup
from sqlalchemy import select

from umpro.acting import Acting
from umpro.auth.services import normalise_email
from umpro.calendars import services
from umpro.calendars.models import DETAILS, STAFF
from umpro.calendars.views import feed_url
from umpro.db import utcnow
from umpro.errors import DomainError
from umpro.extensions import db
from umpro.team.models import Staff

feed_group = AppGroup("feed", help="Calendriers (flux iCal) à adresse secrète.")


def _staff(email: str) -> Staff:
    staff = db.session.scalar(select(Staff).where(Staff.email == normalise_email(email)))
    if staff is None or not staff.is_active:
        raise click.ClickException(f"Aucun compte actif pour {email}.")
    return staff


@feed_group.command("create")
@click.option("--staff", "email", required=True, help="Adresse e-mail du professionnel.")
@click.option(
    "--detail",
    type=click.Choice(list(DETAILS)),
    default="busy",
    show_default=True,
    help="busy : occupé seulement ; initials : initiales ; full : nom du patient.",
)
@click.option("--label", default="", help="Libellé pour s'y retrouver.")
def feed_create(email: str, detail: str, label: str) -> None:
    """Créer le flux de l'agenda de STAFF ; son adresse, en dernière ligne, n'est
    affichée qu'une fois."""
    staff = _staff(email)
    try:
        feed, secret = services.create_feed(
            db.session,
            acting=Acting(None, utcnow()),
            owner=staff,
            data=services.FeedInput(scope=STAFF, target_id=staff.id, detail=detail, label=label),
        )
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"Calendrier n° {feed.id} créé pour {staff.email} ({feed.detail_label}).")
    if feed.shows_patients:
        click.echo(
            services.FULL_DETAIL_WARNING
            if detail == "full"
            else "Les initiales des patients apparaîtront dans ce calendrier."
        )
    click.echo("Adresse d'abonnement (conservez-la : elle ne sera plus affichée) :")
    click.echo(feed_url(secret))


@feed_group.command("list")
@click.option("--staff", "email", default=None, help="Seulement les flux de ce compte.")
def feed_list(email: str | None) -> None:
    """Lister les flux actifs (jamais leur adresse secrète)."""
    owner = _staff(email) if email else None
    feeds = services.list_feeds(db.session, owner=owner)
    names = services.target_names(db.session, feeds)
    for f in feeds:
        used = f.last_used_at.isoformat() if f.last_used_at else "-"
        click.echo(f"{f.id}\t{f.owner.email}\t{f.scope}\t{names.get(f.id, '')}\t{f.detail}\t{used}")


@feed_group.command("revoke")
@click.argument("feed_id", type=int)
def feed_revoke(feed_id: int) -> None:
    """Révoquer le flux FEED_ID : son adresse répond 404 dès maintenant."""
    try:
        services.revoke_feed(db.session, acting=Acting(None, utcnow()), feed_id=feed_id)
    except DomainError as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"Calendrier n° {feed_id} révoqué.")


commands = [feed_group]
