"""Scheduled jobs (docs/architecture.md): the wiring that runs each domain's jobs.

- ``registry``: the jobs (name, French title, trigger, function), one line each;
- ``runner``: runs one job for one practice and records the run (JobRun);
- ``scheduler``: the APScheduler process (``flask umpro scheduler``), never a web worker;
- each domain's ``jobs.py`` holds its jobs' work (reminders: ``umpro.reminders.jobs``);
- ``overview``: what the admin page "Tâches planifiées" shows.

Every job is idempotent: each unit of work is claimed by a conditional UPDATE or a unique
row, so two schedulers started by mistake, a retry or a restart never do it twice.
"""
