"""Error pages with the real per-request session (not the suite's shared one)."""

from fastapi.testclient import TestClient
from sqlmodel import Session, delete

from app.config import get_settings
from app.db import get_engine
from app.main import create_app
from app.models.auth import LoginSession
from app.models.people import Person
from app.services.accounts import auth as auth_service


def test_404_and_403_pages_render_for_a_logged_in_user(engine):
    with Session(get_engine(), expire_on_commit=False) as session:
        person = Person(name="Oikea Istunto", email="real-session@example.com")
        session.add(person)
        session.flush()
        token = auth_service.start_session(session, get_settings(), person, "password")
        session.commit()
        person_id = person.id
    try:
        with TestClient(create_app(), follow_redirects=False) as client:
            client.cookies.set("portal_session", token)
            missing = client.get("/houses/987654")
            assert missing.status_code == 404
            assert "Oikea Istunto" in missing.text
            assert client.get("/admin").status_code == 403
    finally:
        with Session(get_engine()) as session:
            session.execute(delete(LoginSession).where(LoginSession.person_id == person_id))
            session.execute(delete(Person).where(Person.id == person_id))
            session.commit()
