"""Backing up and restoring the whole database: SQLite's online backup, pg_dump/pg_restore.

A backup is written beside a checksum file (FILE.sha256, in sha256sum's format). A restore
changes nothing until the backup has proved whole: its checksum matches, an SQLite backup passes
SQLite's integrity check, and a PostgreSQL backup is turned by pg_restore into a complete script
(its exit status checked) before that script runs in one transaction. A restore therefore either
completes or leaves the database as it was.
"""

import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
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


CHUNK = 1024 * 1024


def checksum_file(backup_file: Path) -> Path:
    """Where a backup's checksum is kept."""
    return backup_file.with_name(backup_file.name + ".sha256")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _write_checksum(backup_file: Path) -> None:
    partial = checksum_file(backup_file).with_suffix(".partial")
    partial.write_text(f"{_sha256(backup_file)}  {backup_file.name}\n", encoding="ascii")
    partial.replace(checksum_file(backup_file))


def verify_checksum(backup_file: Path) -> None:
    """Refuse a backup whose checksum file is missing or does not match its bytes."""
    stored = checksum_file(backup_file)
    if not stored.is_file():
        raise BackupFailed(
            f"The checksum file {stored} is missing: a backup is restored only with the "
            "checksum `portal backup` wrote beside it."
        )
    try:
        expected = stored.read_text(encoding="ascii").split()[0].lower()
    except (UnicodeDecodeError, IndexError) as exc:
        raise BackupFailed(f"The checksum file {stored} is not readable.") from exc
    if _sha256(backup_file) != expected:
        raise BackupFailed(
            f"{backup_file} does not match its checksum: the file is damaged or incomplete. "
            "Nothing was restored."
        )


def _check_sqlite(source: Path) -> None:
    """The candidate is an SQLite database that passes SQLite's own integrity check."""
    with source.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise BackupFailed(f"{source} is not an SQLite backup.")
    try:
        candidate = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            problems = [row[0] for row in candidate.execute("PRAGMA integrity_check")]
        finally:
            candidate.close()
    except sqlite3.DatabaseError as exc:
        raise BackupFailed(f"{source} is damaged ({exc}). Nothing was restored.") from exc
    if problems != ["ok"]:
        shown = "; ".join(problems[:3])
        raise BackupFailed(f"{source} is damaged ({shown}). Nothing was restored.")


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
        _write_checksum(target)
        return
    if url.get_backend_name() == "postgresql":
        args, env = _libpq(url)
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        _run(
            [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(partial), *args], env
        )
        partial.replace(target)
        _write_checksum(target)
        return
    raise BackupFailed(f"Backing up {url.get_backend_name()} databases is not supported.")


def restore(database_url: str, source: Path) -> None:
    """Replace the database's contents with a backup made by backup(): everything in the
    backup comes back and nothing made after it stays."""
    if not source.is_file():
        raise BackupFailed(f"The backup file {source} does not exist.")
    verify_checksum(source)
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _check_sqlite(source)
        target_path = _sqlite_path(url)
        target_path.parent.mkdir(parents=True, exist_ok=True)
        backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        live = sqlite3.connect(target_path)
        try:
            # The backup API overwrites every page of the live database in one step.
            backup_db.backup(live)
        except sqlite3.DatabaseError as exc:
            raise BackupFailed(f"The restore failed ({exc}); nothing was changed.") from exc
        finally:
            live.close()
            backup_db.close()
        return
    if url.get_backend_name() == "postgresql":
        args, env = _libpq(url)
        restore_tool = _tool("pg_restore")
        with tempfile.TemporaryDirectory(prefix="portal-restore-") as work:
            script = Path(work) / "restore.sql"
            # The whole script first, pg_restore's exit status checked: a damaged or truncated
            # backup fails here, before the database is touched.
            made = subprocess.run(  # noqa: S603 - pg_restore itself, no shell
                [restore_tool, "--no-owner", "--file", str(script), str(source)],
                capture_output=True,
                text=True,
                check=False,
            )
            if made.returncode != 0 or not script.is_file():
                raise BackupFailed(
                    f"{source} is not a complete pg_dump backup ({made.stderr.strip()}). "
                    "Nothing was restored."
                )
            # One transaction: the schema is emptied (so that tables the backup does not know,
            # made by a later migration, do not survive) and the script is run; any error
            # leaves the database as it was.
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
                    str(script),
                    *args,
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                check=False,
            )
        if loaded.returncode != 0:
            raise BackupFailed(
                f"The restore failed and was undone ({loaded.stderr.strip() or 'psql failed'})."
            )
        return
    raise BackupFailed(f"Restoring {url.get_backend_name()} databases is not supported.")
