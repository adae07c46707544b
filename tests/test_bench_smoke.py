"""The benchmark's dataset generator at a very small scale (no timings are asserted)."""

from datetime import date
from pathlib import Path

from sqlalchemy import text

from app.db import make_engine
from app.security import verify_password
from bench.generate import PASSWORD, generate


def _snapshot(url: str) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], str]:
    engine = make_engine(url)
    with engine.connect() as conn:
        people = conn.execute(text("SELECT id, email, name FROM person ORDER BY id")).all()
        initiatives = conn.execute(
            text("SELECT id, house_id, state, title FROM initiative ORDER BY id")
        ).all()
        chair_hash = conn.execute(
            text("SELECT password_hash FROM person WHERE email = 'bench-chair@bench.invalid'")
        ).scalar_one()
    engine.dispose()
    return list(people), list(initiatives), chair_hash


def test_the_generator_is_deterministic_and_loads_through_the_migrations(tmp_path: Path) -> None:
    first, second = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    report = generate(first, scale=0.002, seed=7, today=date(2026, 12, 1))
    generate(second, scale=0.002, seed=7, today=date(2026, 12, 1))

    assert report.rows["house"] == 3
    assert report.rows["residency"] == 200
    assert report.rows["initiative"] == 60
    assert report.rows["newsletter"] == 5
    assert report.rows["delivery"] > 0 and report.rows["initiative_event"] >= 60
    assert report.total_seconds > 0 and "Loaded" in report.summary()
    people, initiatives, chair_hash = _snapshot(first)
    again_people, again_initiatives, _ = _snapshot(second)
    assert people == again_people and initiatives == again_initiatives
    assert verify_password(chair_hash, PASSWORD)

    engine = make_engine(first)
    with engine.connect() as conn:
        head = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        chair = conn.execute(
            text(
                "SELECT m.position FROM committee_member m JOIN person p ON p.id = m.person_id"
                " WHERE p.email = 'bench-chair@bench.invalid'"
            )
        ).scalar_one()
    engine.dispose()
    assert head and chair == "chair"


def test_another_seed_gives_another_dataset(tmp_path: Path) -> None:
    first, second = f"sqlite:///{tmp_path / 'a.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    generate(first, scale=0.002, seed=1, today=date(2026, 12, 1))
    generate(second, scale=0.002, seed=2, today=date(2026, 12, 1))
    assert _snapshot(first)[1] != _snapshot(second)[1]
