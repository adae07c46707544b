"""Unsubscribe tokens: a person and a newsletter topic, signed with HMAC-SHA256.

The token in a newsletter's List-Unsubscribe address is the only proof a one-click
unsubscribe (RFC 8058) carries: no session and no CSRF token come with a mail provider's POST.
It says nothing secret (a person's id and a topic) and can only turn that one topic off.
"""

import base64
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from app.config import get_settings
from app.errors import NotFound
from app.models.newsletters import Frequency, MailPreference, Topic
from app.models.people import Person
from app.services.mail import preferences
from app.services.platform import audit


def _signature(person_id: int, topic: Topic, secret: str) -> str:
    message = f"unsubscribe:{person_id}:{topic.value}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def make(person_id: int, topic: Topic, secret: str | None = None) -> str:
    """A URL-safe token for turning a person's topic off."""
    if topic not in preferences.NEWSLETTER_TOPICS:
        raise ValueError(f"{topic} has no unsubscribe link")
    secret = secret or get_settings().secret_key
    return f"{person_id}.{topic.value}.{_signature(person_id, topic, secret)}"


def parse(token: str, secret: str | None = None) -> tuple[int, Topic] | None:
    """The person id and topic of a genuine token, or None (compared in constant time)."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or len(parts[0]) > 9:
        return None
    try:
        topic = Topic(parts[1])
    except ValueError:
        return None
    if topic not in preferences.NEWSLETTER_TOPICS:
        return None
    person_id = int(parts[0])
    expected = _signature(person_id, topic, secret or get_settings().secret_key)
    if not hmac.compare_digest(expected.encode(), parts[2].encode()):
        return None
    return person_id, topic


@dataclass
class Subscription:
    """Whose choice a token changes, and on which topic."""

    person: Person
    topic: Topic
    off: bool  # already turned off


def resolve(session: Session, token: str) -> Subscription:
    """The person and topic of a token; NotFound for a forged token or a removed person."""
    parsed = parse(token)
    if parsed is None:
        raise NotFound()
    person = session.get(Person, parsed[0])
    if person is None or person.id is None:
        raise NotFound()
    off = preferences.frequency(session, person.id, parsed[1]) == Frequency.off
    return Subscription(person=person, topic=parsed[1], off=off)


def apply(session: Session, token: str) -> Subscription:
    """Turn the token's topic off for its person (audited as the person's own change)."""
    found = resolve(session, token)
    assert found.person.id is not None
    if not found.off:
        before = _snapshot(session, found.person.id, found.topic)
        row = preferences.choose(session, found.person.id, found.topic, Frequency.off)
        audit.record(session, found.person.id, "update" if before else "create", row, before)
        found.off = True
    return found


def _snapshot(session: Session, person_id: int, topic: Topic) -> dict[str, Any] | None:
    row = session.exec(
        select(MailPreference).where(
            MailPreference.person_id == person_id, MailPreference.topic == topic
        )
    ).first()
    return audit.snapshot(row) if row is not None else None
