"""With the real per-request session: the request's work is committed before the answer leaves,
and the mail sent after the answer finds it (no lock waits, no rollback after a 303)."""

from fastapi.testclient import TestClient
from sqlmodel import Session, delete, select

from app.db import get_engine
from app.main import create_app
from app.models.auth import LoginAttempt, LoginLink
from app.models.mail import Delivery, DeliveryStatus
from app.models.people import Person


def test_login_link_is_committed_and_mailed_after_the_answer(engine, monkeypatch):
    from app.config import get_settings

    monkeypatch.setattr(get_settings(), "mail_backend", "outbox")
    with Session(get_engine(), expire_on_commit=False) as session:
        person = Person(name="Commit Ennen", email="commit-before@example.com")
        session.add(person)
        session.flush()
        # an older delivery still waiting: the sender after the answer will claim it too
        session.add(
            Delivery(
                message_key="older:1",
                recipient=person.email,
                person_id=person.id,
                subject="Vanha",
                body_text="Vanha viesti",
            )
        )
        session.commit()
        person_id = person.id
    try:
        with TestClient(create_app(), follow_redirects=False) as client:
            client.get("/login")
            answer = client.post(
                "/login/link",
                data={
                    "link_email": "commit-before@example.com",
                    "csrf_token": client.cookies["portal_csrf"],
                },
            )
        assert answer.status_code == 200
        with Session(get_engine()) as session:
            assert session.exec(select(LoginLink).where(LoginLink.person_id == person_id)).first()
            statuses = sorted(
                d.status
                for d in session.exec(select(Delivery).where(Delivery.person_id == person_id))
            )
        assert statuses == [DeliveryStatus.sent, DeliveryStatus.sent]
    finally:
        with Session(get_engine()) as session:
            session.execute(delete(Delivery).where(Delivery.person_id == person_id))
            session.execute(delete(LoginLink).where(LoginLink.person_id == person_id))
            session.execute(
                delete(LoginAttempt).where(LoginAttempt.email == "commit-before@example.com")
            )
            session.execute(delete(Person).where(Person.id == person_id))
            session.commit()
