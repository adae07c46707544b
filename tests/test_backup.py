"""`portal backup` and `portal restore`: a round trip brings everything back and nothing extra,
on the suite's database engine (SQLite, or PostgreSQL in a database of the test's own)."""

import hashlib
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


def _damaged_copies(backup_file, tmp_path):  # type: ignore[no-untyped-def]
    """The backup cut short at several points, and with bytes changed in its middle; each with a
    checksum made of the damaged bytes (as if the damage happened before the checksum), so that
    only the restore's own checks stand between it and the database."""
    data = backup_file.read_bytes()
    copies = []
    for share in (0.02, 0.1, 0.35, 0.6, 0.9, 0.995):
        copies.append(data[: int(len(data) * share)])
    middle = len(data) // 2
    copies.append(
        data[:middle]
        + bytes(b ^ 0xFF for b in data[middle : middle + 4096])
        + data[middle + 4096 :]
    )
    for n, content in enumerate(copies):
        damaged = tmp_path / f"damaged-{n}.backup"
        damaged.write_bytes(content)
        digest = hashlib.sha256(content).hexdigest()
        (tmp_path / f"damaged-{n}.backup.sha256").write_text(f"{digest}  {damaged.name}\n")
        yield damaged


def test_backup_writes_a_checksum_and_restore_refuses_a_file_that_does_not_match(
    database_url, tmp_path
):
    run("migrate")
    run("seed")
    backup_file = tmp_path / "portal.backup"
    run("backup", str(backup_file))
    stored = (tmp_path / "portal.backup.sha256").read_text().split()
    assert stored == [hashlib.sha256(backup_file.read_bytes()).hexdigest(), "portal.backup"]
    before = snapshot(database_url)

    data = bytearray(backup_file.read_bytes())
    data[len(data) // 2] ^= 0x01
    backup_file.write_bytes(bytes(data))
    result = runner.invoke(cli.app, ["restore", "--yes", str(backup_file)])
    assert result.exit_code == 1
    assert "does not match its checksum" in result.output
    assert "Traceback" not in result.output

    (tmp_path / "portal.backup.sha256").unlink()
    result = runner.invoke(cli.app, ["restore", "--yes", str(backup_file)])
    assert result.exit_code == 1
    assert "checksum file" in result.output
    assert snapshot(database_url) == before


def test_a_damaged_or_truncated_backup_changes_nothing(database_url, tmp_path):
    run("migrate")
    run("seed")
    backup_file = tmp_path / "portal.backup"
    run("backup", str(backup_file))
    # The live database moves on after the backup: a failed restore must keep this state.
    engine = make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE person SET name = 'After the backup' WHERE id = 1"))
    engine.dispose()
    before = snapshot(database_url)
    for damaged in _damaged_copies(backup_file, tmp_path):
        result = runner.invoke(cli.app, ["restore", "--yes", str(damaged)])
        assert result.exit_code == 1, (damaged.name, result.output)
        assert "Restore failed" in result.output
        assert "Traceback" not in result.output
        assert snapshot(database_url) == before, damaged.name
