"""Sending a newsletter: its audience resolved when it goes, its automatic content, its mail.

Every recipient gets one delivery with the key newsletter:<id>; the (key, recipient) pair is
unique in the delivery table, so resolving the same newsletter twice (two schedulers, a retry
after a crash) never mails anyone twice. The mail job then sends the deliveries.
"""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import and_, or_, update
from sqlmodel import Session, col, select

from app.config import get_settings
from app.models.calendar import Audience, CalendarEvent
from app.models.initiatives import Initiative, Scope
from app.models.mail import Delivery
from app.models.newsletters import Newsletter, NewsletterKind, NewsletterStatus, Topic
from app.models.people import Person
from app.models.types import local_date, utcnow
from app.services.access import audiences
from app.services.initiatives import lifecycle
from app.services.mail import delivery as mail_service
from app.services.mail import markdown, preferences, unsubscribe
from app.services.newsletters import policies as newsletters_policies
from app.services.platform import audit

TEMPLATE = "newsletter"
EVENT_DAYS = 45  # coming events listed: those starting within this many days
INITIATIVE_DAYS = 60  # initiatives listed: those answered within this many days

TOPICS = {
    NewsletterKind.chairs: Topic.chairs_newsletter,
    NewsletterKind.residents: Topic.residents_newsletter,
    NewsletterKind.house: Topic.house_bulletin,
}
# The audit action when the audience was empty at sending time: sent to nobody, on record.
EMPTY_AUDIENCE = "sent_to_nobody"


def message_key(newsletter: Newsletter) -> str:
    """The delivery key every copy of a newsletter shares."""
    return f"newsletter:{newsletter.id}"


def _base_url() -> str:
    return get_settings().base_url.rstrip("/")


def unsubscribe_url(person_id: int, topic: Topic) -> str:
    """The one-click unsubscribe address of a person's topic."""
    return f"{_base_url()}/unsubscribe/{unsubscribe.make(person_id, topic)}"


# ---- who ---------------------------------------------------------------------------------


def recipient_ids(session: Session, newsletter: Newsletter, today: date) -> set[int]:
    """The audience today, without those who have turned the newsletter's topic off."""
    kind = NewsletterKind(newsletter.kind)
    audience = newsletters_policies.NEWSLETTER_AUDIENCES[kind]
    ids = audiences.person_ids(session, audience, newsletter.house_id, today)
    return ids - preferences.opted_out(session, ids, TOPICS[kind])


# ---- what besides the text -----------------------------------------------------------------


def _event_audiences(newsletter: Newsletter) -> Any:
    """Which calendar events concern a newsletter's audience, as SQL."""
    kind = NewsletterKind(newsletter.kind)
    if kind == NewsletterKind.chairs:
        return col(CalendarEvent.audience) == Audience.all_chairs
    residents = col(CalendarEvent.audience) == Audience.all_residents
    if kind == NewsletterKind.residents:
        return residents
    return or_(
        residents,
        and_(
            col(CalendarEvent.audience) == Audience.house_residents,
            col(CalendarEvent.house_id) == newsletter.house_id,
        ),
    )


def coming_events(session: Session, newsletter: Newsletter, now: datetime) -> list[CalendarEvent]:
    """Events for the newsletter's audience starting in the coming 45 days, not cancelled."""
    return list(
        session.exec(
            select(CalendarEvent)
            .where(
                col(CalendarEvent.starts_at) >= now,
                col(CalendarEvent.starts_at) < now + timedelta(days=EVENT_DAYS),
                col(CalendarEvent.cancelled_at).is_(None),
                _event_audiences(newsletter),
            )
            .order_by(col(CalendarEvent.starts_at), col(CalendarEvent.id))
        )
    )


def answered_initiatives(
    session: Session, newsletter: Newsletter, now: datetime
) -> list[Initiative]:
    """Initiatives answered in the last 60 days that the audience may see
    (policies.can_view_initiative): the company's for the chairs' newsletter, the house's own for a
    house bulletin, and none for the residents' newsletter, whose readers may not see the
    company's initiatives."""
    if newsletter.kind == NewsletterKind.residents:
        return []
    query = select(Initiative).where(
        col(Initiative.answered_at).is_not(None),
        col(Initiative.answered_at) >= now - timedelta(days=INITIATIVE_DAYS),
        col(Initiative.answered_at) <= now,
        col(Initiative.outcome).is_not(None),
    )
    if newsletter.kind == NewsletterKind.house:
        query = query.where(
            Initiative.scope == Scope.house, Initiative.house_id == newsletter.house_id
        )
    else:
        query = query.where(Initiative.scope == Scope.company)
    return list(session.exec(query.order_by(col(Initiative.answered_at).desc())))


@dataclass
class Content:
    """What every copy of a newsletter shares; the mail template adds the reader's language."""

    newsletter: Newsletter
    body_html: Markup
    body_text: str
    events: list[CalendarEvent]
    initiatives: list[Initiative]

    def context(self) -> dict[str, Any]:
        """The mail template's variables."""
        base = _base_url()
        return {
            "newsletter": self.newsletter,
            "body_html": self.body_html,
            "body_text": self.body_text,
            "events": self.events,
            "initiatives": self.initiatives,
            "outcome_labels": lifecycle.OUTCOME_LABELS,
            "kind": NewsletterKind(self.newsletter.kind).value,
            "base_url": base,
            "url": f"{base}/newsletters/{self.newsletter.id}",
            "preferences_url": f"{base}/account/notifications",
        }


def content(session: Session, newsletter: Newsletter, now: datetime) -> Content:
    """The newsletter's rendered text and, as it asks, the coming events and answered
    initiatives."""
    text = newsletter.body_md
    include_events = newsletter.include_events
    include_initiatives = newsletter.include_initiatives
    return Content(
        newsletter=newsletter,
        body_html=markdown.to_html(text),
        body_text=markdown.to_text(text),
        events=coming_events(session, newsletter, now) if include_events else [],
        initiatives=answered_initiatives(session, newsletter, now) if include_initiatives else [],
    )


def with_changes(
    newsletter: Newsletter,
    title: str,
    body_md: str,
    include_events: bool,
    include_initiatives: bool,
) -> Newsletter:
    """An unsaved copy of a newsletter with typed-in changes, for a preview (never stored)."""
    values = newsletter.model_dump()
    values.update(
        title=title,
        body_md=body_md,
        include_events=include_events,
        include_initiatives=include_initiatives,
    )
    return Newsletter(**values)


def preview(session: Session, newsletter: Newsletter, person: Person, now: datetime) -> str:
    """The mail's HTML as a recipient sees it, in the viewer's language."""
    assert person.id is not None
    found = content(session, newsletter, now)
    topic = TOPICS[NewsletterKind(newsletter.kind)]
    _subject, _text, html = mail_service.render(
        TEMPLATE,
        person.language.value,
        person=person,
        unsubscribe_url=unsubscribe_url(person.id, topic),
        **found.context(),
    )
    return html


# ---- sending -------------------------------------------------------------------------------


def test_send(
    session: Session, newsletter: Newsletter, person: Person, now: datetime | None = None
) -> str:
    """Mail the newsletter to its writer alone, now, under a key of its own; returns the key."""
    assert person.id is not None
    now = now or utcnow()
    key = f"newsletter-test:{newsletter.id}:{uuid.uuid4().hex}"
    topic = TOPICS[NewsletterKind(newsletter.kind)]
    mail_service.queue(
        session,
        key,
        person,
        TEMPLATE,
        unsubscribe_url=unsubscribe_url(person.id, topic),
        test=True,
        **content(session, newsletter, now).context(),
    )
    return key


def _people(
    session: Session, ids: set[int], chunk: int = 5000
) -> Iterator[list[tuple[int, str, str]]]:
    """The people of an audience (id, email, language) in id order, a chunk at a time: one IN
    list of a 100,000 residents' ids is more bound parameters than SQLite or PostgreSQL accept."""
    ordered = sorted(ids)
    for start in range(0, len(ordered), chunk):
        part = ordered[start : start + chunk]
        rows = session.exec(
            select(col(Person.id), col(Person.email), col(Person.language))
            .where(col(Person.id).in_(part))
            .order_by(col(Person.id))
        )
        yield [(pid, email, language.value) for pid, email, language in rows if pid is not None]


# Stands for a reader's unsubscribe address while a language's copy is rendered (URL-safe, so
# the same in the HTML and the text); each reader's copy gets their own address in its place.
_ADDRESS_SLOT = "https://unsubscribe.invalid/reader-address-slot"


class _Copies:
    """The newsletter's mail rendered once per language; a reader's copy is that language's
    with their unsubscribe address put in. Nothing else in the newsletter differs between
    readers (the templates show no one's name), so 100,000 copies cost a few renderings."""

    def __init__(self, context: dict[str, Any]) -> None:
        self.context = context
        self.rendered: dict[str, tuple[str, str, str]] = {}

    def for_reader(self, language: str, address: str) -> tuple[str, str, str]:
        if language not in self.rendered:
            self.rendered[language] = mail_service.render(
                TEMPLATE, language, unsubscribe_url=_ADDRESS_SLOT, **self.context
            )
        subject, text, html = self.rendered[language]
        return (
            subject.replace(_ADDRESS_SLOT, address),
            text.replace(_ADDRESS_SLOT, address),
            html.replace(_ADDRESS_SLOT, str(escape(address))),
        )


def send(session: Session, newsletter: Newsletter, now: datetime | None = None) -> int:
    """Resolve the audience now and write one delivery per person; returns how many were new.

    The newsletter is claimed first (scheduled → sending, one UPDATE), so of two schedulers
    only one writes the deliveries; all of it commits or none of it.
    """
    now = now or utcnow()
    claimed = session.execute(
        update(Newsletter)
        .where(
            col(Newsletter.id) == newsletter.id,
            col(Newsletter.status) == NewsletterStatus.scheduled,
        )
        .values(status=NewsletterStatus.sending, sent_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return 0
    session.refresh(newsletter)
    before = audit.snapshot(newsletter)
    kind = NewsletterKind(newsletter.kind)
    ids = recipient_ids(session, newsletter, local_date(now))
    written = 0
    if ids:
        copies = _Copies(content(session, newsletter, now).context())
        key = message_key(newsletter)
        for people in _people(session, ids):
            deliveries = []
            for person_id, email, language in people:
                address = unsubscribe_url(person_id, TOPICS[kind])
                subject, text, html = copies.for_reader(language, address)
                deliveries.append(
                    Delivery(
                        message_key=key,
                        recipient=email,
                        person_id=person_id,
                        subject=subject,
                        body_text=text,
                        body_html=html,
                        newsletter_id=newsletter.id,
                        unsubscribe_url=address,
                    )
                )
            written += mail_service.queue_many(session, deliveries)
    newsletter.status = NewsletterStatus.sent
    newsletter.recipients = len(ids)
    newsletter.updated_at = now
    session.add(newsletter)
    session.flush()
    audit.record(session, None, "send" if ids else EMPTY_AUDIENCE, newsletter, before)
    return written


def send_due(session: Session, now: datetime | None = None) -> int:
    """Send every scheduled newsletter whose time has come; returns the deliveries written."""
    now = now or utcnow()
    due = session.exec(
        select(Newsletter)
        .where(
            Newsletter.status == NewsletterStatus.scheduled,
            col(Newsletter.scheduled_at) <= now,
        )
        .order_by(col(Newsletter.scheduled_at), col(Newsletter.id))
    )
    return sum(send(session, newsletter, now) for newsletter in list(due))
