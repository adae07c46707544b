"""Mail: rendered from templates, written to the delivery table, then sent at most once.

The at-most-once sending (claim, send, record) and the retries it relies on are one protocol,
kept in this module; rendering (rendering.py) and the MIME message (message.py) are apart.
"""

import contextlib
import hashlib
import hmac
import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.errors import MessageError
from email.utils import parseaddr
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.config import Settings, get_settings
from app.db import writing
from app.models.mail import Delivery, DeliveryStatus
from app.models.people import Person
from app.models.types import utcnow
from app.services.mail.message import build_message
from app.services.mail.rendering import render

log = logging.getLogger(__name__)


def queue(
    session: Session,
    message_key: str,
    person: Person,
    template: str,
    *,
    newsletter_id: int | None = None,
    unsubscribe_url: str = "",
    ics: str = "",
    **context: Any,
) -> Delivery | None:
    """Write one delivery for a person (in their language); None if it was already queued, or
    if the person has no email (their notices go on paper: app/services/bodies/notices.py).

    A newsletter's mail names the newsletter (for its progress) and carries an unsubscribe
    address, which the templates also see. ics is a calendar invitation to attach.
    """
    if not person.email:
        return None
    if unsubscribe_url:
        context["unsubscribe_url"] = unsubscribe_url
    language = person.language.value
    subject, text, html = render(template, language, person=person, **context)
    delivery = Delivery(
        message_key=message_key,
        recipient=person.email,
        person_id=person.id,
        subject=subject,
        body_text=text,
        body_html=html,
        newsletter_id=newsletter_id,
        unsubscribe_url=unsubscribe_url,
        language=language,
        ics=ics,
    )
    try:
        with session.begin_nested():
            session.add(delivery)
    except IntegrityError:
        return None
    return delivery


def queue_many(session: Session, deliveries: list[Delivery]) -> int:
    """Write many deliveries in one statement; those already queued (the same message key and
    recipient) are skipped. Returns how many were written."""
    if not deliveries:
        return 0
    key = deliveries[0].message_key
    assert all(d.message_key == key for d in deliveries)

    def queued() -> int:
        query = select(func.count()).select_from(Delivery).where(Delivery.message_key == key)
        return session.exec(query).one()

    before = queued()
    dialect = session.get_bind().dialect.name
    builder: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    rows = [d.model_dump(exclude={"id"}) for d in deliveries]
    unique = ["message_key", "recipient"]
    statement = builder(Delivery).on_conflict_do_nothing(index_elements=unique)
    session.execute(statement, rows)
    return queued() - before


def _smtp(settings: Settings) -> smtplib.SMTP:
    if settings.smtp_ssl:
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.smtp_host,
            settings.smtp_port,
            timeout=settings.smtp_timeout,
            context=ssl.create_default_context(),
        )
    else:
        client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout)
        if settings.smtp_starttls:
            client.starttls(context=ssl.create_default_context())
    if settings.smtp_username:
        client.login(settings.smtp_username, settings.smtp_password)
    return client


MAX_ATTEMPTS = 5
BACKOFF_CAP_MINUTES = 60


def _is_transient(exc: Exception) -> bool:
    """Connection trouble and 4xx answers pass; 5xx answers and refused recipients do not."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in exc.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return True


def _still_connected(exc: Exception) -> bool:
    """Whether the server answered about this one message and the connection stays usable."""
    return isinstance(
        exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPSenderRefused | smtplib.SMTPDataError
    ) and not (isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code == 421)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the given number of failed tries: 1, 2, 4, 8 ... minutes, capped."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), BACKOFF_CAP_MINUTES))


def message_id(delivery: Delivery, settings: Settings) -> str:
    """The Message-ID of a delivery: the same on every try (a copy resent after a crash is
    recognisably the same message), unique per delivery and per installation (keyed by the
    secret key)."""
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "localhost"
    tag = hmac.new(
        settings.secret_key.encode(),
        f"{delivery.id}:{delivery.message_key}:{delivery.recipient}".encode(),
        hashlib.sha256,
    ).hexdigest()[:20]
    return f"<delivery.{delivery.id}.{tag}@{domain}>"


def _due(now: datetime, lease: timedelta) -> ColumnElement[bool]:
    """Deliveries a sender may take: pending and due, or claimed by a sender that died."""
    return or_(
        and_(
            col(Delivery.status) == DeliveryStatus.pending,
            or_(col(Delivery.next_attempt_at).is_(None), col(Delivery.next_attempt_at) <= now),
        ),
        and_(
            col(Delivery.status) == DeliveryStatus.sending,
            col(Delivery.claimed_at).is_not(None),
            col(Delivery.claimed_at) <= now - lease,
        ),
    )


def send_pending(
    engine: Engine | Connection,
    settings: Settings | None = None,
    limit: int = 500,
    now: datetime | None = None,
) -> int:
    """Send the due deliveries (see _send_pending); its transactions take SQLite's write lock
    when they begin, so a request writing at the same time never makes them fail."""
    with writing():
        return _send_pending(engine, settings, limit, now)


def _send_pending(
    engine: Engine | Connection,
    settings: Settings | None = None,
    limit: int = 500,
    now: datetime | None = None,
) -> int:
    """Send the due deliveries over one SMTP connection; the number sent.

    Each row is claimed (status sending, claimed_at) in a committed transaction of its own just
    before it leaves, so a live sender's rows are never taken by another. A sender that dies
    after claiming leaves the row in sending: once the claim is older than
    PORTAL_MAIL_SENDING_LEASE_SECONDS another run sends it again, with the same Message-ID, in
    case the first copy did arrive. A transient failure (server down, 4xx answer) is tried
    again after a backoff of 1, 2, 4, 8 ... minutes, up to MAX_ATTEMPTS tries; a permanent one
    (5xx, refused address) ends the row as failed. `now` fixes the clock for tests.
    """
    settings = settings or get_settings()
    lease = timedelta(seconds=settings.mail_sending_lease_seconds)

    def clock() -> datetime:
        return now or utcnow()

    sent = 0
    with Session(engine, join_transaction_mode="create_savepoint") as session:
        # A message whose sender died with it again and again is given up, not retried forever.
        session.execute(
            update(Delivery)
            .where(
                col(Delivery.status) == DeliveryStatus.sending,
                col(Delivery.claimed_at) <= clock() - lease,
                col(Delivery.attempts) >= MAX_ATTEMPTS,
            )
            .values(status=DeliveryStatus.failed, error="The sender stopped while sending it.")
        )
        session.commit()
        ids = list(
            session.exec(
                select(Delivery.id)
                .where(_due(clock(), lease))
                .order_by(col(Delivery.id))
                .limit(limit)
            )
        )
    if not ids:
        return 0
    client: smtplib.SMTP | None = None
    # The outcome of the message just tried, written in the same transaction that claims the
    # next one: one commit per message, and still every claim is committed before its message
    # leaves and every outcome before the next message does.
    outcome: tuple[int, dict[str, Any]] | None = None
    session = Session(engine, expire_on_commit=False, join_transaction_mode="create_savepoint")
    with session:
        try:
            for delivery_id in ids:
                assert delivery_id is not None
                if outcome is not None:
                    _record(session, *outcome)
                    outcome = None
                moment = clock()
                # The claim re-checks that the row is still due, in one statement: of two
                # senders only one changes it (PostgreSQL re-reads a row locked meanwhile);
                # the claimed row comes back from the same statement (RETURNING).
                delivery: Delivery | None = session.scalars(
                    update(Delivery)
                    .where(col(Delivery.id) == delivery_id, _due(moment, lease))
                    .values(
                        status=DeliveryStatus.sending,
                        attempts=Delivery.attempts + 1,
                        claimed_at=moment,
                    )
                    .returning(Delivery)
                    .execution_options(synchronize_session=False)
                ).first()
                session.commit()
                if delivery is None:
                    continue  # another sender has it
                session.expunge(delivery)
                try:
                    message = build_message(
                        delivery, settings, message_id(delivery, settings), clock()
                    )
                except (ValueError, TypeError, LookupError, MessageError) as exc:
                    # A row that cannot become a message must not stop the queue on every run.
                    log.error("delivery %s cannot be built: %s", delivery_id, exc)
                    outcome = (
                        delivery_id,
                        {"status": DeliveryStatus.failed, "error": str(exc)[:1000]},
                    )
                    continue
                stop = False
                try:
                    if settings.mail_transport == "smtp":
                        if client is None:
                            client = _smtp(settings)
                        client.send_message(message)
                    result: dict[str, Any] = {
                        "status": DeliveryStatus.sent,
                        "sent_at": clock(),
                        "error": "",
                        "next_attempt_at": None,
                    }
                    sent += 1
                except (smtplib.SMTPException, OSError) as exc:
                    log.warning("mail to delivery %s failed: %s", delivery_id, exc)
                    retry = _is_transient(exc) and delivery.attempts < MAX_ATTEMPTS
                    result = {
                        "status": DeliveryStatus.pending if retry else DeliveryStatus.failed,
                        "next_attempt_at": clock() + backoff(delivery.attempts) if retry else None,
                        "error": str(exc)[:1000],
                    }
                    connected = _still_connected(exc)
                    if not connected:
                        _close(client)
                        client = None
                    # A server that is down or not taking mail now: leave the rest for later.
                    stop = retry and not connected
                outcome = (delivery_id, result)
                if stop:
                    break
        finally:
            _close(client)
            if outcome is not None:
                # Also after an error elsewhere: the message left (or failed), say so.
                session.rollback()
                _record(session, *outcome)
                session.commit()
    return sent


def _record(session: Session, delivery_id: int, result: dict[str, Any]) -> None:
    """Write a message's outcome (committed with the next claim or at the end)."""
    session.execute(update(Delivery).where(col(Delivery.id) == delivery_id).values(**result))


def _close(client: smtplib.SMTP | None) -> None:
    if client is not None:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            client.quit()


@dataclass
class QueueHealth:
    """The mail queue at a glance, for the administrators' job page."""

    pending: int
    stuck: int  # claimed by a sender longer ago than the lease (or before claims had a time)
    failed: int
    newest_failures: list[Delivery]


def queue_health(
    session: Session, settings: Settings | None = None, now: datetime | None = None, limit: int = 10
) -> QueueHealth:
    """Pending, stuck and failed deliveries, with the newest failures."""
    settings = settings or get_settings()
    cutoff = (now or utcnow()) - timedelta(seconds=settings.mail_sending_lease_seconds)

    def number(*conditions: ColumnElement[bool]) -> int:
        return session.exec(select(func.count()).select_from(Delivery).where(*conditions)).one()

    return QueueHealth(
        pending=number(col(Delivery.status) == DeliveryStatus.pending),
        stuck=number(
            col(Delivery.status) == DeliveryStatus.sending,
            or_(col(Delivery.claimed_at).is_(None), col(Delivery.claimed_at) <= cutoff),
        ),
        failed=number(col(Delivery.status) == DeliveryStatus.failed),
        newest_failures=list(
            session.exec(
                select(Delivery)
                .where(Delivery.status == DeliveryStatus.failed)
                .order_by(col(Delivery.id).desc())
                .limit(limit)
            )
        ),
    )


def recent(session: Session, limit: int = 50) -> list[Delivery]:
    """The newest deliveries, for the development outbox."""
    return list(session.exec(select(Delivery).order_by(col(Delivery.id).desc()).limit(limit)))
