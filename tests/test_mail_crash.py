"""Stop the sender in the middle of a newsletter (SIGKILL) and restart it: every recipient gets
exactly one copy.

The sender runs in a process of its own against a database it really commits to (a temporary
SQLite file, or a separate PostgreSQL database, migrated by Alembic), and mails an aiosmtpd
server on loopback. The server holds one message's DATA unanswered while the sender is killed;
like a real server, it does not count a message whose client vanished before the 250 reply.
"""

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import Session, col, select

from app.config import ROOT, get_settings
from app.db import make_engine
from app.models.mail import Delivery, DeliveryStatus
from app.models.people import Person
from app.services.mail import delivery as mail_service
from tests.conftest import TEST_DATABASE_URL, alembic_config

RECIPIENTS = 150
PAUSE_AT = 50  # the sink holds this message unanswered until the sender is killed


@contextmanager
def committed_database(tmp_path: Path) -> Iterator[str]:
    """A separate database migrated to head, for processes that commit for real."""
    if TEST_DATABASE_URL.startswith("postgresql"):
        base = make_url(TEST_DATABASE_URL)
        name = f"{base.database}_committed"
        url = base.set(database=name).render_as_string(hide_password=False)
        server = make_engine(TEST_DATABASE_URL).execution_options(isolation_level="AUTOCOMMIT")

        def drop() -> None:
            with server.connect() as conn:
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": name},
                )
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))

        drop()
        with server.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            command.upgrade(alembic_config(url), "head")
            yield url
        finally:
            drop()
            server.dispose()
    else:
        url = f"sqlite:///{tmp_path / 'committed.db'}"
        command.upgrade(alembic_config(url), "head")
        yield url


class _PausingHandler:
    def __init__(self, sink: "PausingSink") -> None:
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        sink = self.sink
        sink.received += 1
        if sink.received == sink.pause_at:
            sink.paused.set()
            # Never answered: the sender is killed while it waits for the reply. When its
            # connection drops, aiosmtpd cancels this handler, so the message is not accepted.
            await asyncio.sleep(3600)
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with sink.lock:
            sink.accepted.append(message)
        return "250 OK"


class PausingSink:
    """An aiosmtpd server that keeps every accepted message and stalls on the n-th one."""

    def __init__(self, pause_at: int) -> None:
        self.pause_at = pause_at
        self.received = 0
        self.paused = threading.Event()
        self.lock = threading.Lock()
        self.accepted: list[EmailMessage] = []
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.controller = Controller(_PausingHandler(self), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> "PausingSink":
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    def copies(self) -> dict[str, int]:
        with self.lock:
            counts: dict[str, int] = {}
            for message in self.accepted:
                counts[str(message["To"])] = counts.get(str(message["To"]), 0) + 1
            return counts


SENDER = """
from app.db import get_engine
from app.services.mail import delivery as mail
mail.send_pending(get_engine())
"""


def sender(url: str, port: int, **settings: str) -> subprocess.Popen[str]:
    """The mail sender in a process of its own, as the scheduler would run it."""
    env = {
        **os.environ,
        "PORTAL_DATABASE_URL": url,
        "PORTAL_MAIL_BACKEND": "smtp",
        "PORTAL_SMTP_HOST": "127.0.0.1",
        "PORTAL_SMTP_PORT": str(port),
        # the sink stalls one reply on purpose: the sender must still be waiting when killed
        "PORTAL_SMTP_TIMEOUT": "300",
        **settings,
    }
    command = [sys.executable, "-c", SENDER]
    return subprocess.Popen(command, cwd=ROOT, env=env, text=True)  # noqa: S603 - our script


def wait_for(condition: Callable[[], object], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("condition not met in time")
        time.sleep(0.05)


def write_newsletter(url: str) -> list[str]:
    """A newsletter's deliveries to RECIPIENTS people, as the newsletter sender writes them."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            people = [
                Person(name=f"Lukija {n}", email=f"reader{n:03d}@example.com")
                for n in range(RECIPIENTS)
            ]
            session.add_all(people)
            session.flush()
            for person in people:
                mail_service.queue(
                    session,
                    "newsletter:1",
                    person,
                    "login_link",
                    url="https://x.example",
                    minutes=5,
                )
            session.commit()
            return [person.email for person in people]
    finally:
        engine.dispose()


def statuses(url: str) -> dict[DeliveryStatus, int]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            counts: dict[DeliveryStatus, int] = {}
            for status in session.exec(select(Delivery.status)):
                counts[status] = counts.get(status, 0) + 1
            return counts
    finally:
        engine.dispose()


def test_a_sender_killed_mid_newsletter_is_restarted_and_everyone_gets_one_copy(tmp_path):
    with committed_database(tmp_path) as url, PausingSink(PAUSE_AT) as sink:
        recipients = write_newsletter(url)

        first = sender(url, sink.port)
        try:
            wait_for(sink.paused.is_set)
            first.send_signal(signal.SIGKILL)
            assert first.wait(timeout=60) == -signal.SIGKILL
        finally:
            first.kill()
        # The killed message was claimed and never answered: it is left in sending.
        wait_for(lambda: len(sink.accepted) == PAUSE_AT - 1)
        after_crash = statuses(url)
        assert after_crash[DeliveryStatus.sent] == PAUSE_AT - 1
        assert after_crash[DeliveryStatus.sending] == 1
        assert after_crash[DeliveryStatus.pending] == RECIPIENTS - PAUSE_AT

        # A restart within the lease leaves the dead sender's claim alone...
        second = sender(url, sink.port)
        assert second.wait(timeout=300) == 0
        assert statuses(url).get(DeliveryStatus.sending) == 1
        # ...and once the lease has passed (0 s here) the claimed message is sent again.
        third = sender(url, sink.port, PORTAL_MAIL_SENDING_LEASE_SECONDS="0")
        assert third.wait(timeout=300) == 0

        copies = sink.copies()
        assert sorted(copies) == sorted(recipients)
        assert set(copies.values()) == {1}
        assert statuses(url) == {DeliveryStatus.sent: RECIPIENTS}

        # Every message carries its delivery's own, stable Message-ID.
        engine = make_engine(url)
        try:
            with Session(engine) as session:
                deliveries = {
                    d.recipient: d
                    for d in session.exec(select(Delivery).order_by(col(Delivery.id)))
                }
        finally:
            engine.dispose()
        settings = get_settings()
        for message in sink.accepted:
            delivery = deliveries[str(message["To"])]
            assert message["Message-ID"] == mail_service.message_id(delivery, settings)
        resent = deliveries[recipients[PAUSE_AT - 1]]
        assert resent.attempts == 2  # claimed by the killed sender, then by the restarted one


def test_two_senders_at_once_send_every_message_exactly_once(tmp_path):
    """As with two schedulers racing: each row is claimed by one sender, never both."""
    with committed_database(tmp_path) as url, PausingSink(pause_at=0) as sink:
        recipients = write_newsletter(url)
        senders = [sender(url, sink.port) for _ in range(2)]
        try:
            assert [process.wait(timeout=300) for process in senders] == [0, 0]
        finally:
            for process in senders:
                process.kill()
        copies = sink.copies()
        assert sorted(copies) == sorted(recipients)
        assert set(copies.values()) == {1}
        assert statuses(url) == {DeliveryStatus.sent: RECIPIENTS}
