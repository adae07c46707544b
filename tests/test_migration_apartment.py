"""Migration 0016: the apartment table with its floor area, up from 0015 and back down."""

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from app.db import make_engine
from tests.conftest import alembic_config


def test_apartment_table_up_and_down(tmp_path):
    url = f"sqlite:///{tmp_path / 'apartment.db'}"
    config = alembic_config(url)
    command.upgrade(config, "0015")
    engine = make_engine(url)
    try:
        assert "apartment" not in inspect(engine).get_table_names()
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO house (id, code, name, street_address, postal_code, city,"
                    " district, apartments, floor_area, year_built, created_at, updated_at,"
                    " version) VALUES (1, 'T-1', 'Talo', 'Katu 1', '00100', 'Helsinki',"
                    " 'Kallio', 10, 650.0, 1995, '2026-01-01', '2026-01-01', 1)"
                )
            )
        command.upgrade(config, "0016")
        found = inspect(engine)
        columns = {c["name"]: c for c in found.get_columns("apartment")}
        assert set(columns) == {
            "id",
            "house_id",
            "label",
            "floor_area_m2",
            "created_at",
            "updated_at",
            "version",
        }
        assert columns["floor_area_m2"]["nullable"] and not columns["label"]["nullable"]
        assert {c["name"] for c in found.get_unique_constraints("apartment")} == {
            "uq_apartment_house_id_label"
        }
        assert {c["name"] for c in found.get_check_constraints("apartment")} == {
            "ck_apartment_floor_area_positive"
        }

        insert = text(
            "INSERT INTO apartment (house_id, label, floor_area_m2, created_at, updated_at,"
            " version) VALUES (1, :label, :area, '2026-01-01', '2026-01-01', 1)"
        )
        with engine.begin() as conn:
            conn.execute(insert, {"label": "A 1", "area": 62.5})
            conn.execute(insert, {"label": "A 2", "area": None})  # not known yet
        for label, area in (("A 1", 70), ("A 3", 0), ("A 4", -1)):
            with pytest.raises(IntegrityError), engine.begin() as conn:
                conn.execute(insert, {"label": label, "area": area})
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT label, floor_area_m2 FROM apartment ORDER BY label"))
            assert [(label, area) for label, area in rows] == [("A 1", 62.5), ("A 2", None)]

        command.downgrade(config, "0015")
        assert "apartment" not in inspect(engine).get_table_names()
        assert "house" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
