"""Failed logins are counted whatever the answer, with the real per-request session.

The API answers a wrong password with 401, an error that rolls back the request's transaction:
the failed attempt must be written all the same (app.db.keep_on_rollback), so that the limit of
attempts per account holds for the API as it does for the login page.
"""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, delete, func, select

from app.config import get_settings
from app.db import get_engine
from app.main import create_app
from app.models.auth import ApiToken, LoginAttempt, LoginSession
from app.models.people import Person
from app.security import hash_password

EMAIL = "attempts-real-session@example.com"
PASSWORD = "oikea-salasana-42"


@pytest.fixture()
def account(engine) -> Iterator[int]:  # type: ignore[no-untyped-def]
    """A person with a password, committed for real; everything they leave is removed after."""
    with Session(get_engine(), expire_on_commit=False) as session:
        person = Person(name="Yritys Yrittäjä", email=EMAIL, password_hash=hash_password(PASSWORD))
        session.add(person)
        session.commit()
        person_id = person.id
    assert person_id is not None
    try:
        yield person_id
    finally:
        with Session(get_engine()) as session:
            session.execute(delete(LoginAttempt).where(col(LoginAttempt.email) == EMAIL))
            session.execute(delete(ApiToken).where(col(ApiToken.person_id) == person_id))
            session.execute(delete(LoginSession).where(col(LoginSession.person_id) == person_id))
            session.execute(delete(Person).where(col(Person.id) == person_id))
            session.commit()


def failures() -> int:
    with Session(get_engine()) as session:
        found = session.exec(
            select(func.count())
            .select_from(LoginAttempt)
            .where(LoginAttempt.email == EMAIL, col(LoginAttempt.succeeded).is_(False))
        ).one()
    return int(found)


def test_wrong_api_passwords_are_counted_and_then_refused(account: int) -> None:
    limit = get_settings().login_attempts_per_account
    with TestClient(create_app()) as client:
        for n in range(limit):
            wrong = client.post(
                "/api/v1/auth/token", data={"username": EMAIL, "password": f"arvaus-{n}"}
            )
            assert wrong.status_code == 401
            assert failures() == n + 1
        right = client.post("/api/v1/auth/token", data={"username": EMAIL, "password": PASSWORD})
    assert right.status_code == 429
    assert "access_token" not in right.text


def test_wrong_page_passwords_count_towards_the_same_limit(account: int) -> None:
    limit = get_settings().login_attempts_per_account
    with TestClient(create_app()) as client:
        client.get("/login")
        csrf = client.cookies.get("portal_csrf")
        for n in range(limit - 1):
            wrong = client.post(
                "/login",
                data={"email": EMAIL, "password": f"arvaus-{n}", "csrf_token": csrf},
            )
            assert wrong.status_code == 422
        api = client.post("/api/v1/auth/token", data={"username": EMAIL, "password": "arvaus"})
        assert api.status_code == 401
        assert failures() == limit
        right = client.post(
            "/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": csrf}
        )
    assert right.status_code == 429
