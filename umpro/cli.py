"""``flask --app wsgi umpro …``: demo data, API keys, the access log's check."""

import sys
from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from umpro import backups
from umpro.acting import Acting
from umpro.auth import audit, checkpoints
from umpro.auth import services as auth
from umpro.auth.models import ApiKey
from umpro.db import utcnow
from umpro.errors import DomainError
from umpro.extensions import db
from umpro.team.models import Staff

cli = AppGroup("umpro", help="Commandes d'administration d'UMPro.")


@cli.command("demo")
@click.option("--list", "list_only", is_flag=True, help="Lister les comptes de démonstration.")
def demo(list_only: bool) -> None:
    """Créer (une seule fois) la maison de santé de démonstration."""
    from umpro import demo as demo_data

    if not list_only:
        demo_data.load_demo(db.session, password=current_app.config["UMPRO_DEMO_PASSWORD"])
        db.session.commit()
    for staff in demo_data.demo_accounts(db.session):
        click.echo(f"{staff.email}\t{staff.profession}\t{'yes' if staff.is_admin else 'no'}")


api_key = AppGroup("api-key", help="Clés d'API.")
cli.add_command(api_key)


@api_key.command("create")
@click.argument("email")
@click.option("--label", default="cli")
@click.option("--days", type=click.IntRange(1, 3650), help="Durée de validité en jours.")
def api_key_create(email: str, label: str, days: int | None) -> None:
    """Créer une clé qui agit au nom du compte EMAIL (affichée une seule fois)."""
    staff = db.session.scalar(select(Staff).where(Staff.email == auth.normalise_email(email)))
    if staff is None or not staff.is_active:
        raise click.ClickException(f"Aucun compte actif pour {email}.")
    expires_at = utcnow() + timedelta(days=days) if days else None
    key = auth.create_api_key(db.session, staff=staff, label=label, expires_at=expires_at)
    db.session.commit()
    click.echo(f"Clé créée pour {staff.email} (conservez-la : elle ne sera plus affichée) :")
    click.echo(key)


@api_key.command("list")
def api_key_list() -> None:
    """Lister les clés : n°, compte, libellé, état, dernier usage, expiration."""
    keys = db.session.scalars(select(ApiKey).order_by(ApiKey.practice_id, ApiKey.id)).all()
    now = utcnow()
    for key in keys:
        if key.revoked_at is not None:
            state = f"revoked:{key.revoked_at.isoformat()}"
        elif key.expires_at is not None and key.expires_at <= now:
            state = "expired"
        else:
            state = "active"
        used = key.last_used_at.isoformat() if key.last_used_at else "-"
        expires = key.expires_at.isoformat() if key.expires_at else "-"
        click.echo(f"{key.id}\t{key.staff.email}\t{key.label}\t{state}\t{used}\t{expires}")


@api_key.command("revoke")
@click.argument("key_id", type=int)
def api_key_revoke(key_id: int) -> None:
    """Révoquer la clé n° KEY_ID (elle n'ouvre plus rien, immédiatement)."""
    key = db.session.get(ApiKey, key_id)
    if key is None:
        raise click.ClickException(f"Aucune clé n° {key_id}.")
    # From the server's console: no client address to log.
    auth.revoke_api_key(db.session, acting=Acting(key.staff, utcnow(), ""), key_id=key.id)
    db.session.commit()
    click.echo(f"Clé n° {key_id} révoquée.")


audit_group = AppGroup("audit", help="Journal des accès.")
cli.add_command(audit_group)


@audit_group.command("verify")
def audit_verify() -> None:
    """Vérifier la chaîne du journal des accès (code 1 si elle est rompue)."""
    report = checkpoints.verify(
        db.session,
        path=current_app.config.get("UMPRO_AUDIT_CHECKPOINTS"),
        key=audit.audit_key(),
        now=utcnow(),
    )
    if report.ok:
        click.echo(f"Journal des accès intact : {report.rows} lignes vérifiées.")
        if report.legacy_rows:
            click.echo(
                f"Dont {report.legacy_rows} lignes anciennes, antérieures à la clé du journal."
            )
        return
    click.echo(
        f"Journal des accès ALTÉRÉ : première ligne en défaut n° {report.bad_id} "
        f"({report.reason}).",
        err=True,
    )
    sys.exit(1)


@cli.command("generate")
@click.option("--patients", type=click.IntRange(min=10), default=20_000, show_default=True)
@click.option("--years", type=click.FloatRange(min=0.05), default=3.0, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--practices", type=click.IntRange(min=1), default=1, show_default=True)
def generate_command(patients: int, years: float, seed: int, practices: int) -> None:
    """Générer un grand cabinet déterministe (bancs d'essai) dans une base vide."""
    from umpro import generate

    units = generate.work_units(patients=patients, years=years, practices=practices)
    with click.progressbar(length=units, label="Génération", file=sys.stderr) as bar:
        try:
            summary = generate.generate(
                db.session,
                patients=patients,
                years=years,
                seed=seed,
                practices=practices,
                password=current_app.config["UMPRO_DEMO_PASSWORD"],
                tick=bar.update,
            )
        except DomainError as error:
            raise click.ClickException(error.message) from error
        db.session.commit()
    for name, count in summary.counts.items():
        click.echo(f"{name}\t{count}")


@cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
def backup(path: str) -> None:
    """Sauvegarder toute la base dans PATH (copie cohérente, application en marche)."""
    backups.backup(db.engine, Path(path))
    click.echo(f"Sauvegarde écrite : {path}")


@cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Confirmer le remplacement de la base actuelle.")
def restore(path: str, yes: bool) -> None:
    """Remplacer la base par la sauvegarde PATH (arrêtez d'abord l'application)."""
    if not yes:
        click.confirm("Toutes les données actuelles seront remplacées. Continuer ?", abort=True)
    backups.restore(db.engine, Path(path))
    # A backup predates the latest checkpoints, and may predate the key: chain only.
    report = audit.verify_chain(db.session, max_legacy=None)
    click.echo(
        f"Base restaurée depuis {path}. Journal des accès : {report.rows} lignes, "
        f"{'intact' if report.ok else 'ALTÉRÉ à la ligne ' + str(report.bad_id)}."
    )


def register_domain_commands() -> None:
    """Each domain's ``cli.py`` may expose ``commands``: click commands or groups."""
    from umpro import domain_modules

    for module in domain_modules("cli"):
        for command in getattr(module, "commands", []):
            cli.add_command(command)


register_domain_commands()
