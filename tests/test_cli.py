"""The portal command, run through typer's CliRunner against a database of its own."""

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import Session, select
from typer.testing import CliRunner

from app import cli
from app.config import get_settings
from app.db import get_engine, make_engine
from app.models.houses import House
from app.models.people import Person, StaffKind, StaffRole
from app.security import verify_password

runner = CliRunner()


def forget_cached_settings_and_engine() -> None:
    """Make the next caller read PORTAL_DATABASE_URL again."""
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    get_engine.cache_clear()
    get_settings.cache_clear()


@pytest.fixture()
def database_url(tmp_path) -> Iterator[str]:
    """PORTAL_DATABASE_URL pointed at a temporary SQLite file for this test only."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PORTAL_DATABASE_URL", url)
        forget_cached_settings_and_engine()
        try:
            yield url
        finally:
            forget_cached_settings_and_engine()
    # The suite's own database URL is back in the environment: read it afresh.
    forget_cached_settings_and_engine()
    assert get_settings().database_url != url


def count(url: str, query: Any) -> int:
    """The answer of a COUNT query on a database."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return session.exec(query).one()
    finally:
        engine.dispose()


def test_migrate_and_seed_twice(database_url):
    result = runner.invoke(cli.app, ["migrate"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output
    # A SQLite file is left in write-ahead-log mode (readers never wait for a writer).
    journal = sqlite3.connect(database_url.removeprefix("sqlite:///"))
    try:
        assert journal.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        journal.close()

    result = runner.invoke(cli.app, ["seed", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "Demo data loaded" in result.output
    houses = count(database_url, select(func.count()).select_from(House))
    people = count(database_url, select(func.count()).select_from(Person))
    assert houses == 30

    result = runner.invoke(cli.app, ["seed"])
    assert result.exit_code == 0, result.output
    assert "nothing was added" in result.output
    result = runner.invoke(cli.app, ["seed", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "not loaded" in result.output
    assert count(database_url, select(func.count()).select_from(House)) == houses
    assert count(database_url, select(func.count()).select_from(Person)) == people


def test_create_admin(database_url):
    assert runner.invoke(cli.app, ["migrate"]).exit_code == 0
    result = runner.invoke(
        cli.app,
        [
            "create-admin",
            "--email",
            "Ylläpito@Example.com",
            "--name",
            "Ada Ylläpitäjä",
            "--password",
            "pitka-ja-hyva-salasana",
        ],
    )
    assert result.exit_code == 0, result.output
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            person = session.exec(
                select(Person).where(Person.email == "ylläpito@example.com")
            ).one()
            assert person.name == "Ada Ylläpitäjä"
            assert verify_password(person.password_hash, "pitka-ja-hyva-salasana")
            kinds = session.exec(select(StaffRole.kind).where(StaffRole.person_id == person.id))
            assert list(kinds) == [StaffKind.admin]
    finally:
        engine.dispose()


def test_db_ping_answers_zero_when_the_database_is_reachable(database_url):
    result = runner.invoke(cli.app, ["db-ping"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli.app, ["db-ping", database_url])
    assert result.exit_code == 0, result.output


def test_db_ping_answers_one_when_the_database_is_unreachable(database_url):
    result = runner.invoke(cli.app, ["db-ping", "postgresql://nobody@127.0.0.1:1/x"])
    assert result.exit_code == 1
    assert "not reachable" in result.output
