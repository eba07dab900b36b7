"""`flask umpro demo`: a realistic practice, created once, listed in a fixed format."""

import re

from sqlalchemy import func, select

from umpro.team.models import Room, Staff


def test_demo_is_idempotent_and_lists_accounts(app, session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["umpro", "demo"])
    assert first.exit_code == 0, first.output
    count = session.scalar(select(func.count()).select_from(Staff))
    rooms = session.scalar(select(func.count()).select_from(Room))
    second = runner.invoke(args=["umpro", "demo"])
    assert second.exit_code == 0
    assert session.scalar(select(func.count()).select_from(Staff)) == count
    assert session.scalar(select(func.count()).select_from(Room)) == rooms

    listing = runner.invoke(args=["umpro", "demo", "--list"]).output.strip().splitlines()
    assert len(listing) == count == 12
    for line in listing:
        assert re.fullmatch(r"[^\t@]+@[^\t]+\t[a-z_]+\t(yes|no)", line), line
    professions = [line.split("\t")[1] for line in listing]
    assert professions.count("gp") == 3
    assert professions.count("secretary") == 2
    for one in (
        "junior_doctor",
        "medical_assistant",
        "asalee_nurse",
        "apn_nurse",
        "health_mediator",
    ):
        assert professions.count(one) == 1
    admins = [line for line in listing if line.endswith("\tyes")]
    assert len(admins) == 1


def test_demo_team_relations(app, session):
    app.test_cli_runner().invoke(args=["umpro", "demo"])
    junior = session.scalar(select(Staff).where(Staff.profession == "junior_doctor"))
    assert junior.supervisor.profession == "gp"
    assistant = session.scalar(select(Staff).where(Staff.profession == "medical_assistant"))
    assert len(assistant.assisted_gps) == 2
    kinds = {r.kind for r in session.scalars(select(Room))}
    assert kinds >= {
        "gp_office",
        "secretariat",
        "medical_assistant",
        "nurse",
        "student",
        "junior_doctor",
    }


def test_demo_accounts_sign_in_with_demo_password(app, session):
    from tests.conftest import Browser

    app.test_cli_runner().invoke(args=["umpro", "demo"])
    b = Browser(app.test_client())
    assert b.login("marie.dubois@msp-demo.fr", app.config["UMPRO_DEMO_PASSWORD"]).status_code == 302
