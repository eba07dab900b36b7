"""What the access-log tests share (tests/test_audit.py, tests/test_hardening_audit.py)."""

from sqlalchemy import text

from tests.conftest import ON_PG


def allow_tampering(session):
    """What an attacker with the tables' owner role would do first: lift the append-only
    triggers of the access log."""
    if ON_PG:
        session.execute(text("ALTER TABLE access_log DISABLE TRIGGER access_log_append_only"))
    else:
        session.execute(text("DROP TRIGGER IF EXISTS access_log_no_update"))
        session.execute(text("DROP TRIGGER IF EXISTS access_log_no_delete"))
