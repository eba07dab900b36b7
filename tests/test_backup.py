"""`flask umpro backup PATH` and `restore PATH` bring back exactly what was saved."""

import shutil

import pytest
from sqlalchemy import select

from tests import factories
from tests.conftest import CI, ON_PG
from umpro.acting import Acting
from umpro.auth.audit import record_access
from umpro.db import utcnow
from umpro.team.models import Practice, Staff


def test_backup_then_restore(app, session, practice, tmp_path):
    if ON_PG and not shutil.which("pg_dump"):
        message = "pg_dump introuvable (client PostgreSQL)"
        if CI:
            pytest.fail(message)
        pytest.skip(message)
    kept = factories.make_staff(session, practice, email="garde@exemple.fr")
    record_access(session, acting=Acting(kept, utcnow()), action="patient.view", patient_id=1)
    practice_id = practice.id
    session.commit()
    session.close()
    runner = app.test_cli_runner()
    path = tmp_path / "sauvegarde.bak"
    saved = runner.invoke(args=["umpro", "backup", str(path)])
    assert saved.exit_code == 0, saved.output
    assert path.stat().st_size > 0

    factories.make_staff(session, session.get(Practice, practice_id), email="apres@exemple.fr")
    session.commit()
    session.close()
    from umpro.extensions import db

    db.engine.dispose()
    restored = runner.invoke(args=["umpro", "restore", str(path), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert "Journal des accès : 1 lignes, intact" in restored.output
    emails = set(session.scalars(select(Staff.email)))
    assert "garde@exemple.fr" in emails
    assert "apres@exemple.fr" not in emails


def test_restore_asks_for_confirmation(app, tmp_path):
    path = tmp_path / "x.bak"
    path.write_bytes(b"")
    result = app.test_cli_runner().invoke(args=["umpro", "restore", str(path)], input="n\n")
    assert result.exit_code != 0
    assert "Toutes les données actuelles seront remplacées" in result.output
