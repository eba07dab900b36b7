"""Fix 6 (issue 14): the access log's chain is keyed (HMAC, key outside the database) and
signed checkpoints outside the table reveal a truncation; on PostgreSQL the runtime role
does not own the tables and cannot rewrite or unprotect the log."""

import hashlib
import json
import os
import stat
import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import create_engine, select, text

from tests import factories
from tests.audit_support import allow_tampering
from tests.conftest import ON_PG, PG_URL
from umpro.acting import Acting
from umpro.auth import checkpoints
from umpro.auth.audit import GENESIS, record_access, verify_chain
from umpro.auth.models import AccessLog
from umpro.db import utcnow


@pytest.fixture
def gp(session, practice):
    return factories.make_staff(session, practice, profession="gp")


@pytest.fixture(autouse=True)
def restore_the_trigger(database_url):
    """The PostgreSQL schema outlives a test: put back the trigger a test disabled."""
    yield
    if ON_PG:
        engine = create_engine(database_url)
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE access_log ENABLE TRIGGER access_log_append_only"))
        engine.dispose()


@pytest.fixture
def checkpoint_file(app, tmp_path):
    path = tmp_path / "audit_checkpoints.jsonl"
    app.config["UMPRO_AUDIT_CHECKPOINTS"] = str(path)
    return path


def _five_rows(session, gp):
    for pid in range(1, 6):
        record_access(session, acting=Acting(gp, utcnow()), action="patient.view", patient_id=pid)
    session.commit()


def _verify(app):
    return app.test_cli_runner().invoke(args=["umpro", "audit", "verify"])


def _rechain(session, sign):
    """Rewrite row 2 (another patient) and recompute every hash after it with ``sign``."""
    allow_tampering(session)
    rows = session.scalars(select(AccessLog).order_by(AccessLog.id)).all()
    prev = GENESIS
    for n, row in enumerate(rows):
        fields = [
            prev,
            str(row.practice_id or ""),
            row.at.isoformat(),
            str(row.staff_id or ""),
            row.role,
            str(99 if n == 1 else row.patient_id or ""),
            row.action,
            row.target,
            row.ip,
            row.outcome,
        ]
        if row.patient_ids:  # one row per view lists its patients (migration 0008)
            fields.append(row.patient_ids)
        new_hash = sign("|".join(fields).encode())
        session.execute(
            text(
                "UPDATE access_log SET patient_id = :p, prev_hash = :prev, hash = :h WHERE id = :id"
            ),
            {"p": 99 if n == 1 else row.patient_id, "prev": prev, "h": new_hash, "id": row.id},
        )
        prev = new_hash
    session.commit()


def test_the_chain_is_keyed(app, session, gp):
    import hmac

    record_access(session, acting=Acting(gp, utcnow()), action="patient.view", patient_id=1)
    row = session.scalars(select(AccessLog).order_by(AccessLog.id.desc())).first()
    fields = "|".join(
        [
            GENESIS,
            str(gp.practice_id),
            row.at.isoformat(),
            str(gp.id),
            "gp",
            "1",
            "patient.view",
            "",
            "",
            "ok",
            "1",  # the patients listed
        ]
    ).encode()
    key = app.config["UMPRO_AUDIT_KEY"].encode()
    assert row.hash == hmac.new(key, fields, hashlib.sha256).hexdigest()
    assert row.hash != hashlib.sha256(fields).hexdigest()


@pytest.mark.parametrize(
    "sign",
    [
        pytest.param(lambda b: hashlib.sha256(b).hexdigest(), id="plain-sha256"),
        pytest.param(
            lambda b: __import__("hmac").new(b"guessed", b, hashlib.sha256).hexdigest(),
            id="wrong-key",
        ),
    ],
)
def test_a_rewritten_and_rechained_log_is_detected(app, session, gp, checkpoint_file, sign):
    _five_rows(session, gp)
    assert _verify(app).exit_code == 0
    _rechain(session, sign)
    result = _verify(app)
    assert result.exit_code == 1
    assert "ALTÉRÉ" in result.output


def test_a_plain_sha256_rechain_fails_even_without_checkpoints(app, session, gp):
    _five_rows(session, gp)
    _rechain(session, lambda b: hashlib.sha256(b).hexdigest())
    report = verify_chain(session)
    assert not report.ok and report.reason == "contenu modifié"


def test_truncating_the_last_rows_is_detected(app, session, gp, checkpoint_file):
    _five_rows(session, gp)
    assert _verify(app).exit_code == 0  # signs a checkpoint: 5 rows
    assert json.loads(checkpoint_file.read_text().splitlines()[-1])["rows"] == 5
    allow_tampering(session)
    last_two = session.scalars(select(AccessLog.id).order_by(AccessLog.id.desc()).limit(2)).all()
    session.execute(text("DELETE FROM access_log WHERE id >= :id"), {"id": min(last_two)})
    session.commit()
    assert verify_chain(session).ok  # the chain alone cannot see it...
    result = _verify(app)  # ...the signed checkpoint does
    assert result.exit_code == 1
    assert (
        "journal tronqué" in result.output and "comptait 5 lignes, il en reste 3" in result.output
    )


def test_a_forged_checkpoint_line_is_detected(app, session, gp, checkpoint_file):
    _five_rows(session, gp)
    assert _verify(app).exit_code == 0
    line = json.loads(checkpoint_file.read_text())
    line["rows"] = 2  # an attacker lowering the count before truncating
    checkpoint_file.write_text(json.dumps(line) + "\n")
    result = _verify(app)
    assert result.exit_code == 1 and "signature invalide" in result.output


def test_checkpoints_grow_only_when_the_head_moves(app, session, gp, checkpoint_file):
    _five_rows(session, gp)
    _verify(app)
    _verify(app)
    assert len(checkpoint_file.read_text().splitlines()) == 1
    record_access(session, acting=Acting(gp, utcnow()), action="patient.view", patient_id=9)
    session.commit()
    _verify(app)
    assert [json.loads(x)["rows"] for x in checkpoint_file.read_text().splitlines()] == [5, 6]
    assert stat.S_IMODE(os.stat(checkpoint_file).st_mode) == 0o600


def test_the_scheduled_job_signs_a_checkpoint(frozen_now, app, session, gp, checkpoint_file):
    _five_rows(session, gp)
    ctx = SimpleNamespace(session=session, config=app.config, now=frozen_now)
    result = checkpoints.run_checkpoint_job(ctx)
    assert result.done == 1 and "5 lignes" in result.summary
    (line,) = checkpoint_file.read_text().splitlines()
    assert json.loads(line)["at"] == frozen_now.isoformat()
    allow_tampering(session)
    session.execute(text("DELETE FROM access_log WHERE id = (SELECT MAX(id) FROM access_log)"))
    session.commit()
    later = SimpleNamespace(session=session, config=app.config, now=frozen_now + timedelta(hours=1))
    failed = checkpoints.run_checkpoint_job(later)
    assert failed.failed == 1 and "ALTÉRÉ" in failed.error


def test_rows_from_before_the_key_are_trusted_once(app, session, gp, checkpoint_file):
    """An upgraded deployment: its unkeyed rows pass the first check, which signs their
    number; a later rewrite into more unkeyed rows does not pass."""
    _five_rows(session, gp)
    _rechain(session, lambda b: hashlib.sha256(b).hexdigest())  # as written before the key
    first = _verify(app)
    assert first.exit_code == 0 and "Dont 5 lignes anciennes" in first.output
    record_access(session, acting=Acting(gp, utcnow()), action="patient.view", patient_id=7)
    session.commit()
    assert _verify(app).exit_code == 0
    assert json.loads(checkpoint_file.read_text().splitlines()[-1])["legacy"] == 5


def test_the_key_is_created_once_outside_the_database(tmp_path, monkeypatch):
    import config

    monkeypatch.delenv("UMPRO_AUDIT_KEY", raising=False)
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    key = config._audit_key()
    assert len(key) >= 48 and config._audit_key() == key
    assert stat.S_IMODE(os.stat(tmp_path / "audit_key").st_mode) == 0o600
    monkeypatch.setenv("UMPRO_AUDIT_KEY", "cle-de-l-environnement")
    assert config._audit_key() == "cle-de-l-environnement"


# --- PostgreSQL: a runtime role that does not own the tables -------------------------


@pytest.mark.postgresql
def test_the_runtime_role_cannot_rewrite_or_unprotect_the_log(app, session, gp, repo_root):
    """docs/postgresql-runtime-role.sql run by the owner after migrations: the runtime
    role reads and appends to the log, and nothing else on it."""
    record_access(session, acting=Acting(gp, utcnow()), action="patient.view", patient_id=1)
    session.commit()
    role = f"umpro_rt_{uuid.uuid4().hex[:8]}"
    script = (repo_root / "docs" / "postgresql-runtime-role.sql").read_text()
    owner = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with owner.connect() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD 'essai-runtime'"))
        conn.execute(text(script.replace("umpro_app", role)))
    base, database = PG_URL.rsplit("/", 1)
    runtime_url = base.replace("postgres@", f"{role}:essai-runtime@", 1) + "/" + database
    runtime = create_engine(runtime_url)
    try:
        with runtime.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM access_log")).scalar() == 1
            conn.execute(
                text(
                    "INSERT INTO access_log (at, role, action, target, ip, outcome, prev_hash,"
                    " hash) VALUES (now(), 'gp', 'patient.view', '', '', 'ok', 'x', 'y')"
                )
            )
            conn.execute(text("SELECT pg_advisory_xact_lock(4242001)"))  # record_access's
            conn.execute(text("UPDATE staff SET locale = locale"))  # other tables: writable
            conn.commit()
            for statement in (
                "UPDATE access_log SET action = 'x'",
                "DELETE FROM access_log",
                "TRUNCATE access_log",
                "ALTER TABLE access_log DISABLE TRIGGER access_log_append_only",
                "DROP TRIGGER access_log_append_only ON access_log",
                "SET session_replication_role = replica",
            ):
                with pytest.raises(Exception, match=r"permission denied|must be owner"):
                    conn.execute(text(statement))
                conn.rollback()
    finally:
        runtime.dispose()
        with owner.connect() as conn:
            conn.execute(text(f"DROP OWNED BY {role}"))
            conn.execute(text(f"DROP ROLE {role}"))
        owner.dispose()
