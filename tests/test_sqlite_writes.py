"""SQLite: work that writes waits for another writer instead of failing as "database is locked"."""

import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app.db import make_engine, writing


@pytest.fixture()
def engine(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'locks.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (n INTEGER)"))
        conn.execute(text("INSERT INTO counter VALUES (0)"))
    yield engine
    engine.dispose()


def _hold_the_write_lock(engine, holding: threading.Event, release: threading.Event) -> None:  # type: ignore[no-untyped-def]
    with writing(), engine.begin() as conn:
        conn.execute(text("UPDATE counter SET n = n + 1"))
        holding.set()
        release.wait(5)


def _read_then_write(engine) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as conn:
        conn.execute(text("SELECT n FROM counter")).scalar_one()
        conn.execute(text("UPDATE counter SET n = n + 10"))


def _run_against_a_writer(engine, in_writing_context: bool) -> None:  # type: ignore[no-untyped-def]
    holding, release = threading.Event(), threading.Event()
    writer = threading.Thread(target=_hold_the_write_lock, args=(engine, holding, release))
    writer.start()
    assert holding.wait(5)
    threading.Timer(0.3, release.set).start()
    try:
        if in_writing_context:
            with writing():
                _read_then_write(engine)
        else:
            _read_then_write(engine)
    finally:
        release.set()
        writer.join()


def test_a_writing_transaction_waits_for_the_other_writer(engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    _run_against_a_writer(engine, in_writing_context=True)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM counter")).scalar_one() == 11


def test_without_it_sqlite_refuses_the_upgrade_at_once(engine):
    # The reason for writing(): a deferred transaction that has read cannot wait for the lock.
    with pytest.raises(OperationalError, match="locked"):
        _run_against_a_writer(engine, in_writing_context=False)


def test_unsafe_requests_begin_writing(client):
    from app import db

    seen: list[bool] = []

    @client.app.post("/api/__probe")
    def probe() -> dict[str, bool]:
        seen.append(db._write_transactions.get())
        return {}

    @client.app.get("/api/__probe")
    def probe_get() -> dict[str, bool]:
        seen.append(db._write_transactions.get())
        return {}

    client.get("/api/__probe")
    client.post("/api/__probe", headers={"content-type": "application/json"}, content="{}")
    assert seen[0] is False and seen[-1] is True
