"""Whole-database backup and restore: SQLite's online backup API, or pg_dump/pg_restore."""

import shutil
import sqlite3
import subprocess
from pathlib import Path

import click
from sqlalchemy.engine import Engine


def _pg_url(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        raise click.ClickException(f"{name} introuvable : installez le client PostgreSQL.")
    return tool


def backup(engine: Engine, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:
            target = sqlite3.connect(path)
            with target:
                raw.driver_connection.backup(target)
            target.close()
        finally:
            raw.close()
        return
    subprocess.run(  # noqa: S603 - fixed tool, URL from our own configuration
        [_pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={path}", _pg_url(engine)],
        check=True,
    )


def restore(engine: Engine, path: Path) -> None:
    if engine.dialect.name == "sqlite":
        source = sqlite3.connect(path)
        raw = engine.raw_connection()
        try:
            source.backup(raw.driver_connection)
        finally:
            raw.close()
            source.close()
        engine.dispose()
        return
    engine.dispose()
    subprocess.run(  # noqa: S603
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={_pg_url(engine)}",
            str(path),
        ],
        check=True,
    )
