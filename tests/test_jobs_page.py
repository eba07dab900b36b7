"""The admin page "Tâches planifiées", "run now" through the scheduler, the command line,
the registry, the scheduler's wiring, and a patient's reminder opt-outs."""

from datetime import timedelta

import pytest
from apscheduler.jobstores.memory import MemoryJobStore
from sqlalchemy import func, select

from tests import factories
from tests.conftest import page_text
from tests.test_jobs_support import (
    book,
    email_reminder,
    make_clinic,
)
from tests.test_jobs_support import smtp as _smtp_fixture
from tests.test_jobs_support import smtp_server as _smtp_server_fixture
from umpro.auth.models import AccessLog
from umpro.db import utcnow
from umpro.jobs import registry, runner
from umpro.jobs.models import (
    ERROR,
    OK,
    REQUESTED,
    RUNNING,
    JobRun,
    SchedulerInstance,
)
from umpro.jobs.scheduler import SchedulerProcess
from umpro.reminders.models import ReminderOptOut
from umpro.team.professions import Profession

PAGE = "/admin/taches-planifiees"

smtp, smtp_server = _smtp_fixture, _smtp_server_fixture  # fixtures


def _reminders_run(practice, status, started_at, **fields) -> JobRun:
    """A run of the reminders job for `practice`."""
    return JobRun(
        practice_id=practice.id, job="reminders", status=status, started_at=started_at, **fields
    )


@pytest.mark.parametrize("profession", [p.value for p in Profession])
def test_only_admins_see_the_page_and_its_link(sign_in, profession):
    user, _ = sign_in(profession)
    assert user.get(PAGE).status_code == 403
    assert "Tâches planifiées" not in page_text(user.get("/"))
    assert user.post(f"{PAGE}/reminders/lancer").status_code == 403
    admin, _ = sign_in(profession, is_admin=True)
    response = admin.get(PAGE)
    assert response.status_code == 200
    nav = page_text(admin.get("/")).split('aria-label="Navigation principale"', 1)[1]
    assert "Tâches planifiées" in nav.split("</nav>", 1)[0]


def test_page_lists_jobs_last_and_next_runs_and_failures(session, sign_in, practice):
    admin, _ = sign_in("coordinator", is_admin=True)
    now = utcnow()
    next_run = (now + timedelta(minutes=4)).replace(second=0, microsecond=0)
    session.add(
        SchedulerInstance(
            id="hote:4242:abcd",
            hostname="hote",
            pid=4242,
            started_at=now - timedelta(hours=1),
            seen_at=now,
            next_runs={"reminders": next_run.isoformat()},
        )
    )
    for status, error in ((ERROR, "Courriel : Connexion refusée par smtp:25."), (OK, "")):
        session.add(
            _reminders_run(
                practice,
                status,
                now - timedelta(minutes=5),
                ended_at=now - timedelta(minutes=5),
                summary="Rappels : 2 envoyé(s)." if status == OK else "",
                error=error,
                done=2 if status == OK else 0,
            )
        )
    other = factories.make_practice(session)
    session.add(_reminders_run(other, ERROR, now, error="autre"))
    session.commit()

    text = page_text(admin.get(PAGE))

    assert "Rappels de rendez-vous" in text and "toutes les 5 minutes" in text
    assert "En marche sur hote (processus 4242)" in text
    local_next = next_run.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Paris"))
    assert local_next.strftime("%d/%m/%Y %H:%M") in text
    assert "Rappels : 2 envoyé(s)." in text  # the last run
    assert "Courriel : Connexion refusée par smtp:25." in text  # a recent failure
    assert '<span class="badge badge-error">1</span>' in text  # failures over 7 days
    assert "autre" not in text  # another practice's runs
    assert "Aucun planificateur actif" not in text


def test_page_warns_without_scheduler_and_with_two(session, sign_in):
    admin, _ = sign_in("coordinator", is_admin=True)
    assert "Aucun planificateur actif : les tâches ne tournent pas" in page_text(admin.get(PAGE))
    now = utcnow()
    for n in (1, 2):
        session.add(SchedulerInstance(id=f"h:{n}", hostname="h", pid=n, seen_at=now))
    session.add(SchedulerInstance(id="old", hostname="h", pid=3, seen_at=now - timedelta(hours=1)))
    session.commit()
    assert "2 planificateurs actifs : un seul devrait tourner" in page_text(admin.get(PAGE))


def test_page_runs_a_bounded_number_of_queries(session, sign_in, practice, count_queries):
    admin, _ = sign_in("coordinator", is_admin=True)
    admin.get(PAGE)
    with count_queries() as few:
        admin.get(PAGE)
    now = utcnow()
    _, gp, kind = make_clinic(session, practice)
    for n in range(12):
        appointment = book(session, gp, kind, hours_ahead=5 + n)
        session.add(_reminders_run(practice, ERROR, now))
        session.add(email_reminder(appointment, failures=5, last_error="Serveur injoignable."))
    session.commit()
    with count_queries() as many:
        text = page_text(admin.get(PAGE))
    assert text.count("Serveur injoignable.") == 12
    assert many.count == few.count


def test_run_now_is_a_request_the_scheduler_runs_once(session, sign_in, practice, app, smtp):
    admin, _ = sign_in("coordinator", is_admin=True)
    _, gp, kind = make_clinic(session, practice)
    book(session, gp, kind, hours_ahead=5)
    session.commit()

    no_token = admin.client.post(f"{PAGE}/reminders/lancer")
    assert no_token.status_code == 400
    response = admin.post(f"{PAGE}/reminders/lancer")
    assert response.status_code == 302
    admin.post(f"{PAGE}/reminders/lancer")  # a second click waits with the first
    page = page_text(admin.get(PAGE))
    assert "« Rappels de rendez-vous » : exécution demandée." in page
    assert "Aucun planificateur actif : la demande attendra son démarrage" in page
    assert "Demandée à" in page
    (request,) = session.scalars(select(JobRun).where(JobRun.status == REQUESTED)).all()
    session.commit()

    first = runner.process_requests(session, config=app.config, worker="scheduler-a")
    second = runner.process_requests(session, config=app.config, worker="scheduler-b")

    assert [r.id for r in first] == [request.id] and second == []
    session.expire_all()
    run = session.get(JobRun, request.id)
    assert (run.status, run.trigger, run.done, run.worker) == (OK, "manual", 1, "scheduler-a")
    assert len(smtp) == 1
    assert "Lancée depuis la page" in page_text(admin.get(PAGE))
    assert admin.post(f"{PAGE}/inconnue/lancer").status_code == 404


def test_cli_lists_and_runs_jobs(session, app, practice, smtp):
    _, gp, kind = make_clinic(session, practice)
    book(session, gp, kind, hours_ahead=5)
    session.commit()
    cli = app.test_cli_runner()

    listed = cli.invoke(args=["umpro", "jobs", "list"])
    assert listed.exit_code == 0, listed.output
    assert "reminders\tRappels de rendez-vous\ttoutes les 5 minutes" in listed.output
    assert "dernière exécution : jamais" in listed.output
    assert "Planificateur : aucun actif." in listed.output

    ran = cli.invoke(args=["umpro", "jobs", "run", "reminders", "--practice", practice.slug])
    assert ran.exit_code == 0, ran.output
    assert f"{practice.slug} : Réussie — Rappels : 1 envoyé(s)." in ran.output
    assert len(smtp) == 1
    run = session.scalar(select(JobRun))
    assert (run.trigger, run.worker.startswith("cli:")) == ("cli", True)
    assert "(" + practice.slug + ", réussie)" in cli.invoke(args=["umpro", "jobs", "list"]).output

    unknown = cli.invoke(args=["umpro", "jobs", "run", "nettoyage"])
    assert unknown.exit_code != 0
    assert "Tâche inconnue : « nettoyage ». Tâches : reminders" in unknown.output
    nowhere = cli.invoke(args=["umpro", "jobs", "run", "reminders", "--practice", "nulle-part"])
    assert "Maison de santé inconnue : « nulle-part »." in nowhere.output


def test_cli_run_exits_1_when_the_job_fails(session, app, practice):
    session.commit()
    app.config.update(UMPRO_SMTP_HOST="127.0.0.1", UMPRO_SMTP_PORT="x", UMPRO_SMTP_FROM="a@b.fr")
    ran = app.test_cli_runner().invoke(args=["umpro", "jobs", "run", "reminders"])
    assert ran.exit_code == 1
    assert "UMPRO_SMTP_PORT vaut « x »" in ran.output


@pytest.fixture
def extra_job():
    added = []

    def _add(name, target, trigger=None):
        added.append(name)
        return registry.register_job(name, f"Essai {name}", trigger or registry.daily(3), target)

    yield _add
    for name in added:
        registry.JOBS.pop(name, None)


def test_a_job_is_one_line_and_its_errors_are_recorded_not_raised(
    session, app, practice, extra_job
):
    calls = []

    def counts(ctx):
        calls.append(ctx.practice.id)
        return registry.JobResult(done=3, summary="3 choses faites.")

    def broken(ctx):
        raise RuntimeError("boum")

    extra_job("essai_ok", counts)
    extra_job("essai_ko", broken, registry.every(minutes=2))
    other = factories.make_practice(session)
    session.commit()

    ok = runner.run_for_practices(
        session, registry.get_job("essai_ok"), config=app.config, worker="w"
    )
    (ko,) = runner.run_for_practices(
        session,
        registry.get_job("essai_ko"),
        practice_ids=[practice.id],
        config=app.config,
        worker="w",
    )

    assert calls == [practice.id, other.id]
    assert [(r.status, r.done, r.summary) for r in ok] == [(OK, 3, "3 choses faites.")] * 2
    assert (ko.status, ko.error) == (ERROR, "Erreur inattendue : RuntimeError : boum")
    assert ko.ended_at is not None
    assert registry.get_job("essai_ko").trigger.describe(app.config) == "toutes les 2 minutes"
    assert registry.get_job("essai_ok").trigger.describe(app.config) == "chaque jour à 3 h 00"
    with pytest.raises(RuntimeError, match="registered twice"):
        registry.register_job("reminders", "x", registry.daily(1), counts)


def test_errors_never_show_sql_parameters():
    from sqlalchemy.exc import IntegrityError

    error = IntegrityError("INSERT …", {"email": "d.lemoine@exemple.fr"}, Exception("dup"))
    assert runner.describe_error(error) == "Exception : dup"
    assert "lemoine" not in runner.describe_error(error)


def test_scheduler_wiring(app):
    import threading

    process = SchedulerProcess(app)
    process.add_jobs()
    scheduler = process.scheduler
    assert isinstance(scheduler._jobstores["default"], MemoryJobStore)
    thread = threading.Thread(target=scheduler.start, kwargs={"paused": True})
    thread.start()  # paused: the jobs get their defaults, none runs
    try:
        for _ in range(100):
            if scheduler.running:
                break
            threading.Event().wait(0.05)
        jobs = {job.id: job for job in scheduler.get_jobs()}
    finally:
        scheduler.shutdown(wait=False)
        thread.join(10)
    assert {"reminders", "_heartbeat", "_requests"} <= set(jobs)
    for job in jobs.values():
        assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 600)
    assert jobs["reminders"].trigger.interval == timedelta(minutes=5)
    assert jobs["reminders"].name == "Rappels de rendez-vous"


def test_the_web_app_starts_no_scheduler(app, client):
    import threading

    client.get("/sante")
    assert not [t for t in threading.enumerate() if "APScheduler" in t.name]


def test_runs_left_by_a_killed_scheduler_are_closed(session, practice):
    now = utcnow()
    session.add_all(
        [
            SchedulerInstance(id="dead", hostname="h", pid=1, seen_at=now - timedelta(minutes=5)),
            SchedulerInstance(id="alive", hostname="h", pid=2, seen_at=now),
        ]
    )
    for worker in ("dead", "alive"):
        session.add(_reminders_run(practice, RUNNING, now - timedelta(minutes=6), worker=worker))
    session.flush()

    closed = runner.close_interrupted_runs(session, now=now, stale=timedelta(seconds=60))

    assert closed == 1
    session.expire_all()
    statuses = dict(session.execute(select(JobRun.worker, JobRun.status)).all())
    assert statuses == {"dead": ERROR, "alive": RUNNING}
    error = session.scalar(select(JobRun.error).where(JobRun.worker == "dead"))
    assert error.startswith("Exécution interrompue")


# --- A patient's reminder opt-outs ---------------------------------------------------


def test_opt_out_page_records_and_withdraws(session, sign_in, practice):
    desk, staff = sign_in("secretary")
    patient = factories.make_patient(session, practice, family_name="Lemoine")
    session.commit()
    url = f"/rappels/patients/{patient.id}"

    page = page_text(desk.get(url))
    assert "Rappels de rendez-vous — LEMOINE Dominique" in page
    assert "Aucun refus enregistré." in page

    response = desk.post(url, data={"channels": ["email"], "note": "Demande à l'accueil"})
    assert response.status_code == 302
    (row,) = session.scalars(select(ReminderOptOut)).all()
    assert (row.channel, row.recorded_by_id, row.note, row.withdrawn_at) == (
        "email",
        staff.id,
        "Demande à l'accueil",
        None,
    )
    page = page_text(desk.get(url))
    assert "Préférences de rappel enregistrées." in page
    assert "Courriel : refus noté le" in page and "en vigueur" in page

    desk.post(url, data={"note": ""})  # no box ticked: the refusal is withdrawn
    session.expire_all()
    assert session.get(ReminderOptOut, row.id).withdrawn_at is not None
    actions = session.scalars(
        select(AccessLog.action).where(AccessLog.patient_id == patient.id).order_by(AccessLog.id)
    ).all()
    assert actions.count("reminders.opt_out") == 2
    assert "reminders.view" in actions


def test_opt_out_refusals(session, sign_in, practice):
    desk, _ = sign_in("secretary")
    patient = factories.make_patient(session, practice)
    other = factories.make_patient(session, factories.make_practice(session))
    session.commit()

    assert desk.get(f"/rappels/patients/{other.id}").status_code == 404
    bad = desk.post(f"/rappels/patients/{patient.id}", data={"channels": ["pigeon"]})
    assert bad.status_code == 422
    assert "Canal de rappel inconnu : courriel ou SMS." in page_text(bad)
    long = desk.post(f"/rappels/patients/{patient.id}", data={"note": "x" * 201})
    assert "La note tient en 200 caractères au plus." in page_text(long)
    student, _ = sign_in("student")
    assert student.get(f"/rappels/patients/{patient.id}").status_code == 403
    assert session.scalar(select(func.count()).select_from(ReminderOptOut)) == 0
