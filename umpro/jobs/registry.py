"""The registry of scheduled jobs. Adding a job is one line at the end of this file:

    register_job("name", "Titre en français", every(minutes=5), "umpro.domain.module:function")

The function is given a ``JobContext`` (one practice, the session, ``now``, the config)
and returns a ``JobResult``. It must be idempotent: claim each unit of work with a
conditional UPDATE or a unique row, because a second scheduler started by mistake, a
retry or a restart may run it again at the same time.
"""

import importlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger


@dataclass
class JobResult:
    """What a run did: items done, skipped (e.g. no e-mail address) and failed, a short
    French summary, and a French error sentence when the run as a whole failed."""

    done: int = 0
    skipped: int = 0
    failed: int = 0
    summary: str = ""
    error: str = ""


@dataclass
class JobContext:
    session: Any
    practice: Any
    now: datetime
    config: Any
    #: Who claims work in this run (scheduler instance and run ids): leases carry it.
    worker: str
    #: The wall clock (a lease is taken at the time of the claim, not of the run start).
    clock: Callable[[], datetime]
    #: Set when the scheduler is asked to stop: finish the current item, claim no more.
    stopping: threading.Event | None = None


@dataclass(frozen=True)
class Every:
    """Run every N seconds; ``setting`` names a config key that overrides ``seconds``."""

    seconds: int
    setting: str | None = None

    def interval(self, config) -> int:
        value = config.get(self.setting) if self.setting else None
        return max(1, int(value)) if value else self.seconds

    def build(self, config, tz: str):
        return IntervalTrigger(seconds=self.interval(config), timezone=tz)

    def describe(self, config) -> str:
        seconds = self.interval(config)
        if seconds % 3600 == 0:
            n = seconds // 3600
            return "toutes les heures" if n == 1 else f"toutes les {n} heures"
        if seconds % 60 == 0:
            n = seconds // 60
            return "chaque minute" if n == 1 else f"toutes les {n} minutes"
        return f"toutes les {seconds} secondes"

    #: An interval job also runs as soon as the scheduler starts (catch up after a stop).
    runs_at_start = True


@dataclass(frozen=True)
class Daily:
    """Run once a day at a wall-clock time of the deployment's zone (UMPRO_TIMEZONE)."""

    hour: int
    minute: int = 0

    def build(self, config, tz: str):
        return CronTrigger(hour=self.hour, minute=self.minute, timezone=tz)

    def describe(self, config) -> str:
        return f"chaque jour à {self.hour} h {self.minute:02d}"

    runs_at_start = False


def every(*, seconds: int = 0, minutes: int = 0, hours: int = 0, setting: str | None = None):
    return Every(seconds + 60 * minutes + 3600 * hours, setting)


def daily(hour: int, minute: int = 0) -> Daily:
    return Daily(hour, minute)


@dataclass(frozen=True)
class Job:
    name: str
    title: str
    trigger: Every | Daily
    #: ``"package.module:function"`` (imported when first run) or the function itself.
    target: str | Callable[[JobContext], JobResult]
    description: str = ""
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def function(self) -> Callable[[JobContext], JobResult]:
        if callable(self.target):
            return self.target
        if "fn" not in self._cache:
            module, _, name = self.target.partition(":")
            self._cache["fn"] = getattr(importlib.import_module(module), name)
        return self._cache["fn"]


JOBS: dict[str, Job] = {}


def register_job(name: str, title: str, trigger, target, description: str = "") -> Job:
    if name in JOBS:
        raise RuntimeError(f"job {name!r} registered twice")
    JOBS[name] = job = Job(name, title, trigger, target, description)
    return job


def get_job(name: str) -> Job | None:
    return JOBS.get(name)


# --- The jobs: one line each -------------------------------------------------------

register_job(
    "reminders",
    "Rappels de rendez-vous",
    every(minutes=5, setting="UMPRO_REMINDER_INTERVAL_SECONDS"),
    "umpro.reminders.jobs:run_reminders",
    "Envoie un rappel (courriel, SMS) la veille de chaque rendez-vous, une seule fois.",
)
register_job(
    "delegation_overdue",
    "Tâches déléguées en retard",
    every(hours=1),
    "umpro.delegation.jobs:run_overdue",
    "Signale une fois chaque tâche déléguée en retard ; prévient le médecin et le délégué.",
)
register_job(
    "patient_list_snapshots",
    "Photographie quotidienne des patientèles",
    daily(1, 30),
    "umpro.reports.jobs:run_snapshots",
    "Enregistre chaque nuit les chiffres de la veille de chaque médecin (patientèle, file "
    "active) ; les pages de la patientèle lisent ces photographies.",
)
register_job(
    "audit_checkpoint",
    "Point de contrôle du journal des accès",
    every(hours=1),
    "umpro.auth.checkpoints:run_checkpoint_job",
    "Vérifie la chaîne du journal des accès et signe son état (nombre de lignes, dernière "
    "empreinte) hors de la base : une troncature du journal devient visible.",
)
register_job(
    "unscheduled_holds",
    "Créneaux réservés aux soins non programmés",
    every(minutes=5),
    "umpro.scheduling.jobs:run_holds",
    "Prépare les créneaux réservés des trois prochains jours, libère ceux encore libres au "
    "délai prévu et compte comme perdus ceux passés sans rendez-vous.",
)
