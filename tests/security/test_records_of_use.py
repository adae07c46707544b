"""A read never fails on a bookkeeping write (SQLite, the real per-request session).

Reading the API notes when the token was last used; reading a calendar feed, when the feed was.
With another writer holding SQLite's write lock, the read must still answer at once, and the
note is written after the answer, once the lock is free.
"""

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, col, delete

from app.db import get_engine, writing
from app.main import create_app
from app.models.auth import ApiToken, TokenKind
from app.models.calendar import CalendarFeed
from app.models.people import Person
from app.models.types import utcnow
from app.security import new_token, token_hash
from app.services.accounts import auth as auth_service


@pytest.fixture()
def reader(engine) -> Iterator[tuple[int, str, str]]:  # type: ignore[no-untyped-def]
    """A person with a bearer token and a calendar feed, committed for real."""
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single write lock; PostgreSQL writers lock rows, not the database")
    with Session(get_engine(), expire_on_commit=False) as session:
        person = Person(name="Lukija Lokinen", email="records-of-use@example.com")
        session.add(person)
        session.flush()
        secret, _token = auth_service.issue_token(
            session, person, TokenKind.access, expires_at=utcnow() + timedelta(hours=1)
        )
        feed_token = new_token()
        session.add(
            CalendarFeed(
                person_id=person.id, token_hash=token_hash(feed_token), created_at=utcnow()
            )
        )
        session.commit()
        person_id = person.id
    assert person_id is not None
    try:
        yield person_id, secret, feed_token
    finally:
        with Session(get_engine()) as session:
            session.execute(delete(ApiToken).where(col(ApiToken.person_id) == person_id))
            session.execute(delete(CalendarFeed).where(col(CalendarFeed.person_id) == person_id))
            session.execute(delete(Person).where(col(Person.id) == person_id))
            session.commit()


def hold_the_write_lock(seconds: float) -> threading.Event:
    """Another connection takes SQLite's write lock and keeps it for a while."""
    taken = threading.Event()

    def hold() -> None:
        with writing(), get_engine().connect() as conn, conn.begin() as transaction:
            conn.exec_driver_sql("SELECT 1")  # BEGIN IMMEDIATE has taken the lock
            taken.set()
            threading.Event().wait(seconds)
            transaction.rollback()

    threading.Thread(target=hold, daemon=True).start()
    assert taken.wait(5)
    return taken


def last_used(model: type[ApiToken] | type[CalendarFeed], person_id: int) -> object:
    with get_engine().connect() as conn:
        table = model.__tablename__  # type: ignore[attr-defined]
        return conn.execute(
            text(f"SELECT last_used_at FROM {table} WHERE person_id = :p"),  # noqa: S608
            {"p": person_id},
        ).scalar_one()


def test_an_api_read_answers_while_another_writer_holds_the_lock(
    reader: tuple[int, str, str],
) -> None:
    person_id, secret, _feed = reader
    assert last_used(ApiToken, person_id) is None
    with TestClient(create_app()) as client:
        hold_the_write_lock(1.0)
        response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200, response.text
    # Written after the answer, once the other writer let go.
    assert last_used(ApiToken, person_id) is not None


def test_a_feed_read_answers_while_another_writer_holds_the_lock(
    reader: tuple[int, str, str],
) -> None:
    person_id, _secret, feed = reader
    with TestClient(create_app()) as client:
        hold_the_write_lock(1.0)
        response = client.get(f"/calendar/feed/{feed}.ics")
    assert response.status_code == 200, response.text
    assert last_used(CalendarFeed, person_id) is not None
