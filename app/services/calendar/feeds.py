"""Personal calendar feeds (a secret address per person) and events as iCalendar files."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col, select

from app.config import get_settings
from app.db import note_use
from app.models.calendar import CalendarEvent, CalendarFeed
from app.models.people import Person
from app.models.types import local_date, utcnow
from app.security import new_token, token_hash
from app.services.access.roles import Principal, load_principal
from app.services.calendar import events as calendar_service
from app.services.calendar import generation as calendar_generation
from app.services.calendar import invites
from app.services.platform import audit, ics

PAST_DAYS = 60  # a feed shows this many days back
AHEAD_MONTHS = 13  # and this many months ahead


def event_url(event: CalendarEvent) -> str:
    """The event page's absolute address."""
    return invites.event_url(event)


def feed_url(token: str) -> str:
    """A feed's absolute address (the secret is in it)."""
    return f"{get_settings().base_url.rstrip('/')}/calendar/feed/{token}.ics"


def active_feed(session: Session, person_id: int) -> CalendarFeed | None:
    """The person's feed that is not revoked, if any."""
    return session.exec(
        select(CalendarFeed)
        .where(CalendarFeed.person_id == person_id, col(CalendarFeed.revoked_at).is_(None))
        .order_by(col(CalendarFeed.id).desc())
    ).first()


def _revoke_all(session: Session, person_id: int, now: datetime) -> None:
    rows = session.exec(
        select(CalendarFeed).where(
            CalendarFeed.person_id == person_id, col(CalendarFeed.revoked_at).is_(None)
        )
    )
    for feed in rows:
        before = audit.snapshot(feed)
        feed.revoked_at = now
        session.add(feed)
        session.flush()
        audit.record(session, person_id, "update", feed, before)


def create_feed(
    session: Session, user: Principal, now: datetime | None = None
) -> tuple[str, CalendarFeed]:
    """A new secret feed address; any earlier one stops working. The token is returned once."""
    now = now or utcnow()
    _revoke_all(session, user.id, now)
    token = new_token()
    feed = CalendarFeed(person_id=user.id, token_hash=token_hash(token), created_at=now)
    session.add(feed)
    session.flush()
    audit.record(session, user.id, "create", feed)
    return token, feed


def revoke_feed(session: Session, user: Principal, now: datetime | None = None) -> bool:
    """Stop the person's feed address; False if there was none."""
    if active_feed(session, user.id) is None:
        return False
    _revoke_all(session, user.id, now or utcnow())
    return True


def note_feed_use(bind: Engine | Connection, token: str, now: datetime) -> None:
    """Note when a feed was last read (after the answer, in a transaction of its own)."""
    statement = (
        update(CalendarFeed)
        .where(col(CalendarFeed.token_hash) == token_hash(token))
        .values(last_used_at=now)
    )
    note_use(bind, statement)


def principal_for_token(
    session: Session, token: str, now: datetime | None = None
) -> Principal | None:
    """The feed's person with their roles today, or None for an unknown or revoked token (see
    note_feed_use for marking it used)."""
    now = now or utcnow()
    feed = session.exec(
        select(CalendarFeed).where(
            CalendarFeed.token_hash == token_hash(token), col(CalendarFeed.revoked_at).is_(None)
        )
    ).first()
    if feed is None:
        return None
    person = session.get(Person, feed.person_id)
    if person is None or not person.is_active:
        return None
    return load_principal(session, person, local_date(now))


def calendar_file(events: Iterable[CalendarEvent], lang: str, name: str = "") -> str:
    """Events as one iCalendar file, texts in a language (the same UID and SEQUENCE as the
    invitations mailed about them)."""
    return ics.calendar([invites.calendar_event(e, lang) for e in events], name=name)


def feed_events(
    session: Session, user: Principal, today: date | None = None
) -> list[CalendarEvent]:
    """The feed's events: the past 60 days to 13 months ahead, cancelled ones included."""
    today = today or local_date(utcnow())
    first = today - timedelta(days=PAST_DAYS)
    last = calendar_generation.add_months(today, AHEAD_MONTHS)
    return calendar_service.range_events(session, user, first, last, include_cancelled=True)
