"""Mail retries: backoff after transient failures, failures recorded per recipient, one SMTP
connection per batch, and a dead sender's claim taken over after the lease."""

import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import Session, select

from app.models.mail import Delivery, DeliveryStatus
from app.services.mail import delivery as mail
from tests.support import make_person

T0 = datetime(2031, 6, 1, 9, 0, tzinfo=UTC)


class _FlakyHandler:
    def __init__(self, sink: "FlakySink") -> None:
        self.sink = sink

    async def handle_RCPT(  # noqa: N802
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address.startswith("busy"):
            return "450 4.2.1 Mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        sink = self.sink
        with sink.lock:
            sink.tries += 1
            sink.peers.add(session.peer)
            recipients = " ".join(envelope.rcpt_tos)
            if sink.refusing or "slow" in recipients:
                return "451 4.3.0 Temporary failure, try again later"
            if "gone" in recipients:
                return "554 5.7.1 Rejected"
            message = message_from_bytes(envelope.content, policy=policy.default)
            assert isinstance(message, EmailMessage)
            sink.accepted.append(message)
        return "250 OK"


class FlakySink:
    """An aiosmtpd server on loopback that answers 451 while `refusing` (and always to "slow"
    recipients), 450 to "busy" recipients and 554 to "gone" ones."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.lock = threading.Lock()
        self.refusing = False
        self.tries = 0
        self.peers: set[Any] = set()
        self.accepted: list[EmailMessage] = []
        self.controller = Controller(_FlakyHandler(self), hostname="127.0.0.1", port=self.port)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.accepted if str(m["To"]) == address]


@pytest.fixture()
def sink(monkeypatch, settings) -> Iterator[FlakySink]:
    server = FlakySink()
    server.controller.start()
    monkeypatch.setattr(settings, "mail_backend", "smtp")
    monkeypatch.setattr(settings, "smtp_host", "127.0.0.1")
    monkeypatch.setattr(settings, "smtp_port", server.port)
    try:
        yield server
    finally:
        server.controller.stop()


def queued(session: Session, key: str, **person: Any) -> Delivery:
    delivery = mail.queue(
        session,
        key,
        make_person(session, **person),
        "login_link",
        url="https://x.example",
        minutes=5,
    )
    assert delivery is not None
    session.commit()
    return delivery


def row(session: Session, delivery: Delivery) -> Delivery:
    session.expire_all()
    return session.exec(select(Delivery).where(Delivery.id == delivery.id)).one()


def test_the_backoff_doubles_from_a_minute_and_is_capped():
    assert [mail.backoff(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert mail.backoff(30) == timedelta(minutes=mail.BACKOFF_CAP_MINUTES)


def test_a_451_answer_defers_the_mail_until_its_backoff_then_it_goes_once(
    session, connection, sink
):
    delivery = queued(session, "retry:1")
    sink.refusing = True
    assert mail.send_pending(connection, now=T0) == 0
    first = row(session, delivery)
    assert first.status == DeliveryStatus.pending and first.attempts == 1
    assert first.next_attempt_at == T0 + timedelta(minutes=1)
    assert "451" in first.error

    # Not before its time: the server is not asked again.
    assert mail.send_pending(connection, now=T0 + timedelta(seconds=59)) == 0
    assert sink.tries == 1 and row(session, delivery).attempts == 1

    assert mail.send_pending(connection, now=T0 + timedelta(minutes=1)) == 0
    second = row(session, delivery)
    assert second.attempts == 2
    assert second.next_attempt_at == T0 + timedelta(minutes=1 + 2)

    sink.refusing = False
    assert mail.send_pending(connection, now=T0 + timedelta(minutes=2)) == 0  # still waiting
    assert mail.send_pending(connection, now=T0 + timedelta(minutes=3)) == 1
    assert mail.send_pending(connection, now=T0 + timedelta(hours=5)) == 0
    done = row(session, delivery)
    assert done.status == DeliveryStatus.sent and done.error == "" and done.next_attempt_at is None
    assert len(sink.to(delivery.recipient)) == 1


def test_one_recipients_trouble_does_not_hold_up_the_rest_on_one_connection(
    session, connection, sink
):
    before = queued(session, "retry:2", email="first@example.com")
    slow = queued(session, "retry:2", email="slow@example.com")
    busy = queued(session, "retry:2", email="busy@example.com")
    gone = queued(session, "retry:2", email="gone@example.com")
    after = queued(session, "retry:2", email="last@example.com")
    assert mail.send_pending(connection, now=T0) == 2
    assert [len(sink.to(d.recipient)) for d in (before, after)] == [1, 1]
    assert len(sink.peers) == 1  # every message over one connection

    for transient in (slow, busy):  # 451 at DATA, 450 at RCPT: tried again later
        failed = row(session, transient)
        assert failed.status == DeliveryStatus.pending and failed.attempts == 1
        assert failed.next_attempt_at == T0 + timedelta(minutes=1)
    assert "451" in row(session, slow).error and "450" in row(session, busy).error
    refused = row(session, gone)
    assert refused.status == DeliveryStatus.failed and "554" in refused.error


def test_mail_that_keeps_failing_is_given_up_after_the_last_try(session, connection, sink):
    delivery = queued(session, "retry:3")
    sink.refusing = True
    moment = T0
    for _ in range(mail.MAX_ATTEMPTS):
        mail.send_pending(connection, now=moment)
        moment += timedelta(hours=2)
    given_up = row(session, delivery)
    assert given_up.status == DeliveryStatus.failed
    assert given_up.attempts == mail.MAX_ATTEMPTS and "451" in given_up.error
    assert given_up.next_attempt_at is None
    mail.send_pending(connection, now=moment)
    assert sink.tries == mail.MAX_ATTEMPTS


def test_a_live_senders_claim_is_left_alone_and_a_dead_ones_is_taken_after_the_lease(
    session, connection, sink, settings
):
    delivery = queued(session, "retry:4")
    delivery.status = DeliveryStatus.sending
    delivery.attempts = 1
    delivery.claimed_at = T0
    session.add(delivery)
    session.commit()
    lease = timedelta(seconds=settings.mail_sending_lease_seconds)
    assert mail.send_pending(connection, now=T0 + lease - timedelta(seconds=1)) == 0
    assert sink.tries == 0
    assert mail.send_pending(connection, now=T0 + lease) == 1
    [message] = sink.to(delivery.recipient)
    resent = row(session, delivery)
    assert resent.status == DeliveryStatus.sent and resent.attempts == 2
    assert message["Message-ID"] == mail.message_id(resent, settings)


def test_a_message_whose_sender_died_every_time_is_given_up(session, connection, sink, settings):
    delivery = queued(session, "retry:5")
    delivery.status = DeliveryStatus.sending
    delivery.attempts = mail.MAX_ATTEMPTS
    delivery.claimed_at = T0
    session.add(delivery)
    session.commit()
    assert mail.send_pending(connection, now=T0 + timedelta(days=1)) == 0
    assert row(session, delivery).status == DeliveryStatus.failed
    assert sink.tries == 0


def test_the_message_id_is_stable_per_delivery_and_differs_between_deliveries(session, settings):
    one = queued(session, "retry:6")
    two = queued(session, "retry:6")
    assert mail.message_id(one, settings) == mail.message_id(one, settings)
    assert mail.message_id(one, settings) != mail.message_id(two, settings)
    assert mail.message_id(one, settings).endswith("@asukasportaali.invalid>")


def test_a_row_that_cannot_become_a_message_fails_without_stopping_the_queue(
    session, connection, sink
):
    broken = queued(session, "retry:7", email="not an address@example.com")
    fine = queued(session, "retry:7")
    assert mail.send_pending(connection, now=T0) == 1
    assert row(session, broken).status == DeliveryStatus.failed
    assert len(sink.to(fine.recipient)) == 1
