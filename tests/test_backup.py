"""`portal backup` and `portal restore`: a round trip brings everything back and nothing extra,
on the suite's database engine (SQLite, or PostgreSQL in a database of the test's own)."""

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from app import cli
from app.db import make_engine
from app.services.platform.backup import BackupFailed, restore
from tests.conftest import TEST_DATABASE_URL
from tests.test_cli import forget_cached_settings_and_engine

runner = CliRunner()


def _own_postgres_database(url: str) -> str:
    """A database next to the suite's one, for this test only (never the suite's own)."""
    parsed = make_url(url)
    name = f"{parsed.database}_backup"
    admin = make_engine(str(parsed.set(database="postgres")))
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).first()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


@pytest.fixture()
def database_url(tmp_path) -> Iterator[str]:
    """PORTAL_DATABASE_URL pointed at an empty database of this test's own."""
    if make_url(TEST_DATABASE_URL).get_backend_name() == "postgresql":
        url = _own_postgres_database(TEST_DATABASE_URL)
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        url = f"sqlite:///{tmp_path / 'live.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PORTAL_DATABASE_URL", url)
        forget_cached_settings_and_engine()
        try:
            yield url
        finally:
            forget_cached_settings_and_engine()
    forget_cached_settings_and_engine()


# The table and column names come from the database's own catalogue.
# ruff: noqa: S608


def snapshot(url: str) -> dict[str, Any]:
    """Every table's row count and its first and last rows (by every column), and the
    tables' names."""
    engine = make_engine(url)
    try:
        tables = sorted(inspect(engine).get_table_names())
        result: dict[str, Any] = {"tables": tables}
        with engine.connect() as conn:
            for table in tables:
                columns = [c["name"] for c in inspect(engine).get_columns(table)]
                order = ", ".join(f'CAST("{c}" AS TEXT)' for c in columns)
                count = conn.execute(text(f'SELECT COUNT(*) FROM "{table}"')).scalar_one()
                first = conn.execute(
                    text(f'SELECT * FROM "{table}" ORDER BY {order} LIMIT 3')
                ).all()
                last = conn.execute(
                    text(
                        f'SELECT * FROM "{table}" ORDER BY '
                        + ", ".join(f'CAST("{c}" AS TEXT) DESC' for c in columns)
                        + " LIMIT 3"
                    )
                ).all()
                result[table] = (count, [tuple(r) for r in first], [tuple(r) for r in last])
        return result
    finally:
        engine.dispose()


def run(*args: str) -> Any:
    result = runner.invoke(cli.app, list(args))
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result


def test_backup_and_restore_round_trip(database_url, tmp_path):
    run("migrate")
    run("seed")
    before = snapshot(database_url)
    assert before["person"][0] > 10 and before["house"][0] > 0

    backup_file = tmp_path / "portal.backup"
    result = run("backup", str(backup_file))
    assert backup_file.stat().st_size > 0
    assert str(backup_file) in result.output

    # Changes after the backup: a new row, a changed row, a deleted row and a new table.
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_entry (at, action, entity, entity_id)"
                " VALUES (CURRENT_TIMESTAMP, 'create', 'later', '1')"
            )
        )
        conn.execute(text("UPDATE person SET name = 'Changed later' WHERE id = 1"))
        conn.execute(text("DELETE FROM residency WHERE id = 1"))
        conn.execute(text("CREATE TABLE made_later (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    assert snapshot(database_url) != before

    result = run("restore", "--yes", str(backup_file))
    assert "restored" in result.output
    after = snapshot(database_url)
    assert after["tables"] == before["tables"]  # made_later is gone
    for table in before["tables"]:
        assert after[table] == before[table], table


def test_restore_refuses_what_is_not_a_backup(database_url, tmp_path):
    run("migrate")
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a backup at all")
    with pytest.raises(BackupFailed):
        restore(database_url, junk)
    with pytest.raises(BackupFailed):
        restore(database_url, tmp_path / "missing.backup")
    result = runner.invoke(cli.app, ["restore", "--yes", str(junk)])
    assert result.exit_code == 1
    assert "Restore failed" in result.output
    # The database was left as it was.
    assert "person" in snapshot(database_url)["tables"]


def test_restore_asks_before_replacing(database_url, tmp_path):
    run("migrate")
    run("backup", str(tmp_path / "b"))
    result = runner.invoke(cli.app, ["restore", str(tmp_path / "b")], input="n\n")
    assert result.exit_code == 1
