"""When the database does not answer, pages and the API say so with 503 instead of crashing."""

from collections.abc import Iterator

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.db import get_session, make_engine
from app.main import create_app


def test_503_when_the_database_is_unreachable():
    app = create_app()
    dead = make_engine("postgresql://nobody@127.0.0.1:1/none")

    def unreachable() -> Iterator[Session]:
        with Session(dead) as session:
            yield session

    app.dependency_overrides[get_session] = unreachable
    with TestClient(app, follow_redirects=False) as client:
        assert client.get("/healthz").status_code == 503
        page = client.get("/login")
        assert page.status_code == 200  # the login page needs no database
        api = client.get("/api/v1/me", headers={"Authorization": "Bearer x"})
        assert api.status_code == 503
        assert "detail" in api.json()
    dead.dispose()
