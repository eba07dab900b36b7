"""``flask umpro scheduler``, ``flask umpro jobs list`` and ``flask umpro jobs run NAME``."""

import sys
from datetime import datetime
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from umpro.db import utcnow
from umpro.extensions import db
from umpro.jobs import runner
from umpro.jobs.models import ERROR, OK, RUNNING, JobRun
from umpro.jobs.registry import JOBS, get_job
from umpro.jobs.scheduler import SchedulerProcess, stale_after
from umpro.team.models import Practice


@click.command("scheduler")
@click.option(
    "--stop-after",
    type=click.FloatRange(min=1),
    default=None,
    help="S'arrêter après ce nombre de secondes (essais).",
)
@click.option(
    "--exit-with-parent",
    is_flag=True,
    help="S'arrêter quand le processus parent s'arrête (make run).",
)
def scheduler(stop_after: float | None, exit_with_parent: bool) -> None:
    """Lancer le planificateur des tâches (un seul par déploiement, jamais dans le web)."""
    SchedulerProcess(
        current_app._get_current_object(),
        stop_after=stop_after,
        exit_with_parent=exit_with_parent,
    ).run()


jobs = AppGroup("jobs", help="Tâches planifiées.")


def _local(instant, tz: str) -> str:
    return instant.astimezone(ZoneInfo(tz)).strftime("%d/%m/%Y %H:%M:%S") if instant else "—"


@jobs.command("list")
def jobs_list() -> None:
    """Lister les tâches, leur dernière et leur prochaine exécution."""
    config, tz, now = current_app.config, current_app.config["UMPRO_TIMEZONE"], utcnow()
    alive = runner.alive_instances(db.session, now=now, stale=stale_after(config))
    slugs = dict(db.session.execute(select(Practice.id, Practice.slug)).all())
    for job in JOBS.values():
        click.echo(f"{job.name}\t{job.title}\t{job.trigger.describe(config)}")
        last = db.session.scalar(
            select(JobRun)
            .where(JobRun.job == job.name, JobRun.status.in_((RUNNING, OK, ERROR)))
            .order_by(JobRun.id.desc())
            .limit(1)
        )
        if last is None:
            click.echo("  dernière exécution : jamais")
        else:
            click.echo(
                f"  dernière exécution : {_local(last.started_at, tz)} "
                f"({slugs.get(last.practice_id, last.practice_id)}, {last.status_label.lower()})"
                f" — {last.summary or ''} {last.error}".rstrip()
            )
        upcoming = sorted(i.next_runs[job.name] for i in alive if job.name in i.next_runs)
        following = (
            _local(datetime.fromisoformat(upcoming[0]), tz)
            if upcoming
            else "— (aucun planificateur actif)"
        )
        click.echo(f"  prochaine exécution : {following}")
    if not alive:
        click.echo("Planificateur : aucun actif. Lancez « flask umpro scheduler ».")
    for instance in alive:
        click.echo(f"Planificateur actif : {instance.id}, vu le {_local(instance.seen_at, tz)}")


@jobs.command("run")
@click.argument("name")
@click.option("--practice", "slug", default=None, help="Une seule maison de santé (son slug).")
def jobs_run(name: str, slug: str | None) -> None:
    """Lancer la tâche NAME maintenant (code 1 si elle échoue)."""
    job = get_job(name)
    if job is None:
        raise click.ClickException(f"Tâche inconnue : « {name} ». Tâches : {', '.join(JOBS)}.")
    practice_ids = None
    if slug is not None:
        practice_id = db.session.scalar(select(Practice.id).where(Practice.slug == slug))
        if practice_id is None:
            raise click.ClickException(f"Maison de santé inconnue : « {slug} ».")
        practice_ids = [practice_id]
    runs = runner.run_for_practices(
        db.session,
        job,
        practice_ids=practice_ids,
        config=current_app.config,
        worker=runner.cli_worker(),
        trigger="cli",
    )
    slugs = dict(db.session.execute(select(Practice.id, Practice.slug)).all())
    for run in runs:
        line = f"{slugs.get(run.practice_id)} : {run.status_label} — {run.summary}"
        click.echo(f"{line} {run.error}".rstrip(), err=run.status == ERROR)
    if not runs:
        click.echo("Aucune maison de santé.")
    if any(run.status == ERROR for run in runs):
        sys.exit(1)


commands = [scheduler, jobs]
