"""Mail: rendered from templates, written to the delivery table, then sent at most once."""

import contextlib
import logging
import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app import i18n
from app.config import Settings, get_settings
from app.jinja import env
from app.models.mail import Delivery, DeliveryStatus
from app.models.people import Person
from app.models.types import utcnow

log = logging.getLogger(__name__)


def _clean_header(value: str) -> str:
    """No line breaks in a header: they would let input add headers of its own."""
    return " ".join(value.replace("\r", " ").replace("\n", " ").split())


def render(template: str, lang: str, **context: Any) -> tuple[str, str, str]:
    """Subject, plain text and HTML of mail/<template>, in a language."""
    with i18n.use_language(lang):
        subject = env.get_template(f"mail/{template}.subject.txt").render(**context).strip()
        text = env.get_template(f"mail/{template}.txt").render(**context)
        html = env.get_template(f"mail/{template}.html").render(**context)
    return _clean_header(subject), text, html


def queue(
    session: Session, message_key: str, person: Person, template: str, **context: Any
) -> Delivery | None:
    """Write one delivery for a person (in their language); None if it was already queued."""
    subject, text, html = render(template, person.language.value, person=person, **context)
    delivery = Delivery(
        message_key=message_key,
        recipient=person.email,
        person_id=person.id,
        subject=subject,
        body_text=text,
        body_html=html,
    )
    try:
        with session.begin_nested():
            session.add(delivery)
    except IntegrityError:
        return None
    return delivery


def build_message(delivery: Delivery, settings: Settings) -> EmailMessage:
    """The MIME message for a delivery: plain text with an HTML alternative."""
    message = EmailMessage()
    name, addr = parseaddr(settings.mail_from)
    message["From"] = formataddr((name, addr))
    message["To"] = str(Address(addr_spec=delivery.recipient))
    message["Subject"] = _clean_header(delivery.subject)
    message["Message-ID"] = make_msgid(domain=addr.split("@")[-1] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(delivery.body_text)
    if delivery.body_html:
        message.add_alternative(delivery.body_html, subtype="html")
    return message


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


def _is_transient(exc: Exception) -> bool:
    """Connection trouble and 4xx answers pass; 5xx answers and refused recipients do not."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPSenderRefused):
        return False
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return True


def send_pending(
    engine: Engine | Connection, settings: Settings | None = None, limit: int = 500
) -> int:
    """Send pending deliveries; each is claimed before sending, so none goes out twice."""
    settings = settings or get_settings()
    sent = 0
    with Session(engine, join_transaction_mode="create_savepoint") as session:
        ids = list(
            session.exec(
                select(Delivery.id)
                .where(Delivery.status == DeliveryStatus.pending)
                .order_by(col(Delivery.id))
                .limit(limit)
            )
        )
    if not ids:
        return 0
    client: smtplib.SMTP | None = None
    try:
        for delivery_id in ids:
            with Session(
                engine, expire_on_commit=False, join_transaction_mode="create_savepoint"
            ) as session:
                claimed = session.execute(
                    update(Delivery)
                    .where(
                        col(Delivery.id) == delivery_id,
                        col(Delivery.status) == DeliveryStatus.pending,
                    )
                    .values(status=DeliveryStatus.sending, attempts=Delivery.attempts + 1)
                )
                session.commit()
                if claimed.rowcount != 1:  # type: ignore[attr-defined]
                    continue  # another worker has it
                delivery = session.get_one(Delivery, delivery_id)
                try:
                    if settings.mail_transport == "smtp":
                        if client is None:
                            client = _smtp(settings)
                        client.send_message(build_message(delivery, settings))
                    delivery.status = DeliveryStatus.sent
                    delivery.sent_at = utcnow()
                    sent += 1
                except (smtplib.SMTPException, OSError) as exc:
                    log.warning("mail to delivery %s failed: %s", delivery_id, exc)
                    # A server that is down or says "try later" gets the mail again on a later
                    # run; a refused address or too many tries ends it as failed.
                    retry = _is_transient(exc) and delivery.attempts < MAX_ATTEMPTS
                    delivery.status = DeliveryStatus.pending if retry else DeliveryStatus.failed
                    delivery.error = str(exc)[:1000]
                    client = None
                    if retry:
                        session.add(delivery)
                        session.commit()
                        break  # the server is not taking mail now: leave the rest for later
                session.add(delivery)
                session.commit()
    finally:
        if client is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                client.quit()
    return sent


def recent(session: Session, limit: int = 50) -> list[Delivery]:
    """The newest deliveries, for the development outbox."""
    return list(session.exec(select(Delivery).order_by(col(Delivery.id).desc()).limit(limit)))
