"""Reading query plans in tests: the statements a call runs, and their plan on the test
database (EXPLAIN QUERY PLAN on SQLite, EXPLAIN with sequential scans discouraged on
PostgreSQL, so that a plan that could use an index shows it)."""

from collections.abc import Callable

from sqlalchemy import event

from tests.conftest import ON_PG


def captured(session, call, keep: Callable[[str], bool], what: str) -> list[tuple[str, object]]:
    """The statements ``call`` runs that ``keep`` accepts, with their parameters; at least
    one (``what`` names them in the failure)."""
    seen = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if keep(statement):
            seen.append((statement, parameters))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", before)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", before)
    assert seen, f"aucune requête sur {what}"
    return seen


def plan(session, statement, parameters) -> str:
    connection = session.connection()
    if ON_PG:
        connection.exec_driver_sql("SET enable_seqscan = off")
        rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters).all()
        connection.exec_driver_sql("RESET enable_seqscan")
    else:
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    return "\n".join(str(r[-1]) for r in rows)
