"""Migration 0017: tenures by the act. Up from 0016 with the residencies unchanged, the new
codes stored, and back down (co-holders and spouses as holders, household members as renters),
on the suite's database engine (SQLite, or PostgreSQL in a database of the test's own)."""

import pytest
from alembic import command
from sqlalchemy import inspect, text

from app.db import make_engine
from tests.conftest import alembic_config


@pytest.fixture()
def database_url(scratch_database) -> str:
    """An empty database of this test's own, dropped afterwards."""
    return str(scratch_database("tenures"))


INSERT = text(
    "INSERT INTO residency (id, person_id, house_id, apartment, tenure, starts_on, ends_on,"
    " created_at) VALUES (:id, 1, 1, :apartment, :tenure, '2020-01-01', :ends_on,"
    " '2026-01-01 00:00:00')"
)


def residencies(engine) -> list[tuple[int, str, str, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT id, apartment, tenure, CAST(ends_on AS VARCHAR(10)) FROM residency"
                " ORDER BY id"
            )
        )
        return [tuple(row) for row in rows]


def tenure_length(engine) -> int:
    column = next(c for c in inspect(engine).get_columns("residency") if c["name"] == "tenure")
    return int(column["type"].length)


def test_tenures_up_with_rows_unchanged_and_down(database_url):
    config = alembic_config(database_url)
    command.upgrade(config, "0016")
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO person (id, name, email, language, is_active, created_at,"
                    " updated_at, version) VALUES (1, 'Aino', 'aino@example.com', 'fi', TRUE,"
                    " '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO house (id, code, name, street_address, postal_code, city,"
                    " district, apartments, floor_area, year_built, created_at, updated_at,"
                    " version) VALUES (1, 'T-1', 'Talo', 'Katu 1', '00100', 'Helsinki',"
                    " 'Kallio', 10, 650.0, 1995, '2026-01-01 00:00:00',"
                    " '2026-01-01 00:00:00', 1)"
                )
            )
            conn.execute(INSERT, {"id": 1, "apartment": "A 1", "tenure": "holder", "ends_on": None})
            conn.execute(
                INSERT, {"id": 2, "apartment": "B 2", "tenure": "renter", "ends_on": "2024-05-31"}
            )
        before = residencies(engine)
        assert tenure_length(engine) == 8

        command.upgrade(config, "0017")
        assert residencies(engine) == before  # holders and renters stay as they were
        assert tenure_length(engine) == 20
        found = inspect(engine)
        assert {c["name"] for c in found.get_check_constraints("residency")} == {
            "ck_residency_period"
        }
        assert {i["name"] for i in found.get_indexes("residency")} == {
            "ix_residency_house_id",
            "ix_residency_person_id",
        }
        with engine.begin() as conn:
            for id_, tenure in ((3, "co_holder"), (4, "spouse"), (5, "household_member")):
                conn.execute(
                    INSERT, {"id": id_, "apartment": "A 1", "tenure": tenure, "ends_on": None}
                )
        assert [row[2] for row in residencies(engine)] == [
            "holder",
            "renter",
            "co_holder",
            "spouse",
            "household_member",
        ]

        command.downgrade(config, "0016")
        assert tenure_length(engine) == 8
        assert [row[2] for row in residencies(engine)] == [
            "holder",
            "renter",
            "holder",
            "holder",
            "renter",
        ]
        command.upgrade(config, "0017")
        assert residencies(engine)[:2] == before
    finally:
        engine.dispose()
