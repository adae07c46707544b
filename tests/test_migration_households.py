"""Migration 0018: households on paper. Up from 0017 with everyone by email, a person without
email only on paper, the notices' recipients table, and back down (an unusable .invalid address
for those without one), on the suite's database engine (SQLite, or PostgreSQL in a database of
the test's own)."""

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from app.db import make_engine
from tests.conftest import alembic_config


@pytest.fixture()
def database_url(scratch_database) -> str:
    """An empty database of this test's own, dropped afterwards."""
    return str(scratch_database("households"))


PERSON = text(
    "INSERT INTO person (id, name, email, language, is_active, created_at, updated_at, version"
    "{channel_column}) VALUES (:id, :name, :email, 'fi', TRUE, '2026-01-01 00:00:00',"
    " '2026-01-01 00:00:00', 1{channel_value})"
)


def insert_person(conn, person_id: int, email: str | None, channel: str | None = None) -> None:
    statement = str(PERSON).format(
        channel_column=", notice_channel" if channel else "",
        channel_value=", :channel" if channel else "",
    )
    conn.execute(
        text(statement),
        {"id": person_id, "name": f"P{person_id}", "email": email, "channel": channel},
    )


def test_households_on_paper_up_and_down(database_url):
    config = alembic_config(database_url)
    command.upgrade(config, "0017")
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            insert_person(conn, 1, "aino@example.com")
        command.upgrade(config, "0018")
        found = inspect(engine)
        columns = {c["name"]: c for c in found.get_columns("person")}
        assert columns["email"]["nullable"] and not columns["notice_channel"]["nullable"]
        assert "ck_person_paper_without_email" in {
            c["name"] for c in found.get_check_constraints("person")
        }
        assert "notice_recipient" in found.get_table_names()
        with engine.connect() as conn:
            assert conn.execute(text("SELECT notice_channel FROM person")).scalar_one() == "email"
        with engine.begin() as conn:
            insert_person(conn, 2, None, "paper")
            insert_person(conn, 3, None, "paper")  # many without email: unique only where given
        for person_id, email, channel in ((4, None, "email"), (5, "aino@example.com", "paper")):
            with pytest.raises(IntegrityError), engine.begin() as conn:
                insert_person(conn, person_id, email, channel)

        command.downgrade(config, "0017")
        found = inspect(engine)
        columns = {c["name"]: c for c in found.get_columns("person")}
        assert not columns["email"]["nullable"] and "notice_channel" not in columns
        assert "notice_recipient" not in found.get_table_names()
        with engine.connect() as conn:
            emails = conn.execute(text("SELECT id, email FROM person ORDER BY id")).all()
        assert [tuple(row) for row in emails] == [
            (1, "aino@example.com"),
            (2, "no-email-2@paper.invalid"),
            (3, "no-email-3@paper.invalid"),
        ]
        command.upgrade(config, "head")
    finally:
        engine.dispose()
