"""Backing up and restoring the whole database: SQLite's online backup, pg_dump/pg_restore."""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL, make_url


class BackupFailed(Exception):
    """The backup or restore could not be made; the message says why."""


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupFailed("An in-memory SQLite database cannot be backed up.")
    return Path(url.database)


def _libpq(url: URL) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for the PostgreSQL client tools, the password in the environment."""
    args = ["--dbname", url.database or "postgres"]
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupFailed(f"{name} is not installed; install the PostgreSQL client tools.")
    return path


def _run(command: list[str], env: dict[str, str]) -> None:
    # The command is one of the PostgreSQL tools with arguments built here, never a shell.
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupFailed(result.stderr.strip() or f"{command[0]} failed")


def backup(database_url: str, target: Path) -> None:
    """Write a consistent copy of the database to a file, while the portal keeps running."""
    url = make_url(database_url)
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        source_path = _sqlite_path(url)
        if not source_path.exists():
            raise BackupFailed(f"The database file {source_path} does not exist.")
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        source = sqlite3.connect(source_path)
        copy = sqlite3.connect(partial)
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
        partial.replace(target)
        return
    if url.get_backend_name() == "postgresql":
        args, env = _libpq(url)
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target), *args], env)
        return
    raise BackupFailed(f"Backing up {url.get_backend_name()} databases is not supported.")


def restore(database_url: str, source: Path) -> None:
    """Replace the database's contents with a backup made by backup(): everything in the
    backup comes back and nothing made after it stays."""
    if not source.is_file():
        raise BackupFailed(f"The backup file {source} does not exist.")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        with source.open("rb") as handle:
            if handle.read(16) != b"SQLite format 3\x00":
                raise BackupFailed(f"{source} is not an SQLite backup.")
        target_path = _sqlite_path(url)
        target_path.parent.mkdir(parents=True, exist_ok=True)
        backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        live = sqlite3.connect(target_path)
        try:
            # The backup API overwrites every page of the live database in one step.
            backup_db.backup(live)
        finally:
            live.close()
            backup_db.close()
        return
    if url.get_backend_name() == "postgresql":
        args, env = _libpq(url)
        restore_tool = _tool("pg_restore")
        listing = subprocess.run(  # noqa: S603 - pg_restore itself, no shell
            [restore_tool, "--list", str(source)], capture_output=True, text=True, check=False
        )
        if listing.returncode != 0:
            raise BackupFailed(f"{source} is not a pg_dump backup: {listing.stderr.strip()}")
        # One transaction: the schema is emptied (so that tables the backup does not know,
        # made by a later migration, do not survive) and the backup's script is run; any error
        # leaves the database as it was.
        script = subprocess.Popen(  # noqa: S603 - pg_restore itself, no shell
            [restore_tool, "--no-owner", "--file", "-", str(source)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert script.stdout is not None
        try:
            loaded = subprocess.run(  # noqa: S603 - psql itself, no shell
                [
                    _tool("psql"),
                    "--quiet",
                    "--no-psqlrc",
                    "--single-transaction",
                    "--set",
                    "ON_ERROR_STOP=1",
                    "--command",
                    "DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;",
                    "--file",
                    "-",
                    *args,
                ],
                stdin=script.stdout,
                env=env,
                capture_output=False,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                check=False,
            )
        finally:
            script.stdout.close()
            script_error = script.stderr.read().decode() if script.stderr else ""
            script.wait()
        if script.returncode != 0:
            raise BackupFailed(script_error.strip() or "pg_restore failed")
        if loaded.returncode != 0:
            raise BackupFailed(loaded.stderr.strip() or "psql failed")
        return
    raise BackupFailed(f"Restoring {url.get_backend_name()} databases is not supported.")
