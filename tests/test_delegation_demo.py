"""The demo practice: reference protocols, memberships, and tasks in every state so that
each delegation screen shows real work; loading twice changes nothing. The CLI too."""

import re

from sqlalchemy import func, select

from tests import factories
from tests.conftest import Browser, page_text
from umpro.delegation import states
from umpro.delegation.models import CareTask, Protocol, ProtocolMembership, TaskEvent


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page_text(response)))


def test_demo_has_tasks_in_every_state_and_is_idempotent(app, session):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["umpro", "demo"]).exit_code == 0
    statuses = set(session.scalars(select(CareTask.status)))
    assert statuses == set(states.STATUSES)
    counts = [
        session.scalar(select(func.count(m.id)))
        for m in (Protocol, ProtocolMembership, CareTask, TaskEvent)
    ]
    assert counts[0] == 6 and counts[1] == 8
    assert session.scalar(select(func.count(CareTask.id)).where(CareTask.is_taken_back)) >= 2
    assert (
        session.scalar(
            select(func.count(CareTask.id)).where(CareTask.overdue_flagged_at.is_not(None))
        )
        >= 1
    )
    assert runner.invoke(args=["umpro", "demo"]).exit_code == 0
    assert counts == [
        session.scalar(select(func.count(m.id)))
        for m in (Protocol, ProtocolMembership, CareTask, TaskEvent)
    ]

    password = app.config["UMPRO_DEMO_PASSWORD"]
    nurse = Browser(app.test_client())
    nurse.login("nathalie.roux@msp-demo.fr", password)
    queue = _text(nurse.get("/delegation/taches"))
    assert "Dès que possible" in queue and "en retard" in queue
    assert re.search(r"Mes tâches en cours [1-9]", queue)
    apn = Browser(app.test_client())
    apn.login("julien.fournier@msp-demo.fr", password)
    assert "Protocole national — Pollakiurie" in _text(apn.get("/delegation/taches"))
    gp = Browser(app.test_client())
    gp.login("claire.martin@msp-demo.fr", password)
    inbox = _text(gp.get("/delegation/boite"))
    assert inbox.index("Reprise : signe d'alerte") < inbox.index("Résultats à prendre en compte")
    assert "Tâche refusée" in inbox
    assert "Relecture du docteur junior" in inbox
    supervision = _text(gp.get("/delegation/supervision"))
    assert "Rhinopharyngite" in supervision and "Entorse de cheville" in supervision
    indicators = gp.get("/delegation/indicateurs")
    assert indicators.status_code == 200 and "bar-acts" in indicators.text


def test_cli_installs_the_protocols_and_flags_overdue_tasks(app, session, practice):
    session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["umpro", "delegation", "install-protocols"])
    assert result.exit_code == 0 and f"{practice.slug} : 6 protocole(s) installé(s)." in (
        result.output
    )
    again = runner.invoke(
        args=["umpro", "delegation", "install-protocols", "--practice", practice.slug]
    )
    assert f"{practice.slug} : 0 protocole(s) installé(s)." in again.output
    unknown = runner.invoke(
        args=["umpro", "delegation", "install-protocols", "--practice", "nulle-part"]
    )
    assert unknown.exit_code != 0 and "Aucune maison de santé « nulle-part »." in unknown.output
    overdue = runner.invoke(args=["umpro", "delegation", "overdue"])
    assert overdue.exit_code == 0 and "0 tâche(s) en retard signalée(s)." in overdue.output
    assert len(factories.install_protocols(session, practice)) == 6
