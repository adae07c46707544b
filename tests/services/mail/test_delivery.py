"""The delivery table: written before sending, each message to each recipient at most once."""

from datetime import timedelta

from sqlmodel import select

from app.models.mail import Delivery, DeliveryStatus
from app.models.people import Language
from app.models.types import utcnow
from app.services.mail import delivery as mail
from tests.support import make_person


def test_same_message_is_queued_once(session):
    person = make_person(session)
    first = mail.queue(session, "k:1", person, "login_link", url="https://x.example/1", minutes=15)
    second = mail.queue(session, "k:1", person, "login_link", url="https://x.example/1", minutes=15)
    assert first is not None and second is None
    assert len(session.exec(select(Delivery)).all()) == 1


def test_pending_mail_is_sent_once_over_real_smtp(session, connection, smtp):
    person = make_person(session, language=Language.sv, name="Greta Lindqvist")
    mail.queue(session, "k:2", person, "login_link", url="https://x.example/2", minutes=15)
    session.commit()
    assert mail.send_pending(connection) == 1
    assert mail.send_pending(connection) == 0
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == person.email
    assert "Greta Lindqvist" in smtp.text_of(message)
    assert message.get_body(preferencelist=("html",)) is not None
    session.expire_all()
    assert session.exec(select(Delivery)).one().status == DeliveryStatus.sent


def test_mail_is_in_the_recipients_language(session):
    fi = make_person(session, language=Language.fi)
    en = make_person(session, language=Language.en)
    mail.queue(session, "k:3", fi, "login_link", url="https://x.example", minutes=15)
    mail.queue(session, "k:3", en, "login_link", url="https://x.example", minutes=15)
    rows = {d.recipient: d for d in session.exec(select(Delivery))}
    assert rows[en.email].subject == "Your login link to the resident portal"
    assert rows[fi.email].subject != rows[en.email].subject


def test_a_claimed_delivery_is_never_sent_again(session, connection, smtp):
    """A crash after claiming (status sending) must not lead to a second copy."""
    person = make_person(session)
    delivery = mail.queue(session, "k:4", person, "login_link", url="https://x.example", minutes=15)
    assert delivery is not None
    delivery.status = DeliveryStatus.sending
    session.add(delivery)
    session.commit()
    assert mail.send_pending(connection) == 0
    assert smtp.messages == []


def test_unreachable_smtp_keeps_mail_for_a_later_try(
    session, connection, smtp, monkeypatch, settings
):
    person = make_person(session)
    mail.queue(session, "k:5", person, "login_link", url="https://x.example", minutes=15)
    session.commit()
    monkeypatch.setattr(settings, "smtp_port", 1)
    assert mail.send_pending(connection) == 0
    session.expire_all()
    row = session.exec(select(Delivery)).one()
    assert row.status == DeliveryStatus.pending and row.attempts == 1 and row.error
    monkeypatch.setattr(settings, "smtp_port", smtp.port)
    assert mail.send_pending(connection) == 0  # not before its backoff has passed
    later = row.next_attempt_at
    assert later is not None
    assert mail.send_pending(connection, now=later) == 1
    assert len(smtp.to(person.email)) == 1


def test_mail_that_keeps_failing_is_given_up_after_some_tries(
    session, connection, monkeypatch, settings
):
    person = make_person(session)
    mail.queue(session, "k:7", person, "login_link", url="https://x.example", minutes=15)
    session.commit()
    monkeypatch.setattr(settings, "mail_backend", "smtp")
    monkeypatch.setattr(settings, "smtp_host", "127.0.0.1")
    monkeypatch.setattr(settings, "smtp_port", 1)
    later = utcnow()
    for _ in range(mail.MAX_ATTEMPTS):
        later += timedelta(hours=2)  # past every backoff
        mail.send_pending(connection, now=later)
    session.expire_all()
    row = session.exec(select(Delivery)).one()
    assert row.status == DeliveryStatus.failed and row.attempts == mail.MAX_ATTEMPTS


def test_a_refused_address_fails_at_once_and_the_rest_go_out(session, connection, smtp):
    refused = make_person(session, email="refused@example.com")
    fine = make_person(session)
    mail.queue(session, "k:8", refused, "login_link", url="https://x.example", minutes=15)
    mail.queue(session, "k:8", fine, "login_link", url="https://x.example", minutes=15)
    session.commit()
    assert mail.send_pending(connection) == 1
    session.expire_all()
    statuses = {d.recipient: d.status for d in session.exec(select(Delivery))}
    assert statuses == {refused.email: DeliveryStatus.failed, fine.email: DeliveryStatus.sent}
    assert len(smtp.to(fine.email)) == 1


def test_headers_cannot_be_injected(session):
    person = make_person(session, name="Evil\r\nBcc: victim@example.com")
    delivery = mail.queue(session, "k:6", person, "login_link", url="https://x.example", minutes=15)
    assert delivery is not None
    from app.config import get_settings

    message = mail.build_message(delivery, get_settings())
    assert message["Bcc"] is None
    assert "\n" not in message["Subject"]
