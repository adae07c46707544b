"""Sending a newsletter: its audience resolved when it goes, and its mail in each reader's
language (what it says: app.services.newsletters.content).

Every recipient gets one delivery with the key newsletter:<id>; the (key, recipient) pair is
unique in the delivery table, so resolving the same newsletter twice (two schedulers, a retry
after a crash) never mails anyone twice. The mail job then sends the deliveries.
"""

import uuid
from collections.abc import Iterator
from datetime import date, datetime
from types import SimpleNamespace

from markupsafe import escape
from sqlalchemy import update
from sqlmodel import Session, col, select

from app.config import get_settings
from app.models.mail import Delivery
from app.models.newsletters import Newsletter, NewsletterKind, NewsletterStatus, Topic
from app.models.people import Person
from app.models.types import local_date, utcnow
from app.services.access import audiences
from app.services.mail import delivery as mail_service
from app.services.mail import preferences, unsubscribe
from app.services.newsletters import content as newsletter_content
from app.services.newsletters import policies as newsletters_policies
from app.services.platform import audit

TEMPLATE = newsletter_content.TEMPLATE

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
        **newsletter_content.content(session, newsletter, now).context(person.language.value),
    )
    return key


def preview(
    session: Session, newsletter: Newsletter, person: Person, now: datetime
) -> list[newsletter_content.Preview]:
    """The mail as readers of each language get it (the viewer's unsubscribe address in it)."""
    assert person.id is not None
    address = unsubscribe_url(person.id, TOPICS[NewsletterKind(newsletter.kind)])
    return newsletter_content.previews(session, newsletter, person, now, address)


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
            # A resident without email is not mailed (their notices go on paper).
            .where(col(Person.id).in_(part), col(Person.email).is_not(None))
            .order_by(col(Person.id))
        )
        yield [
            (pid, email, language.value)
            for pid, email, language in rows
            if pid is not None and email is not None
        ]


# Stands for a reader's unsubscribe address while a language's copy is rendered (URL-safe, so
# the same in the HTML and the text); each reader's copy gets their own address in its place.
_ADDRESS_SLOT = "https://unsubscribe.invalid/reader-address-slot"
# Stands for the reader in the shared rendering: someone with an account (every reader of a
# newsletter has one), so the mail's layout links to the mail choices; no name is shown.
_A_READER = SimpleNamespace(id=0)


class _Copies:
    """The newsletter's mail rendered once per language (its title and text in that language,
    else the Finnish ones); a reader's copy is that language's with their unsubscribe address
    put in. Nothing else in the newsletter differs between readers (the templates show no one's
    name), so 100,000 copies cost a few renderings."""

    def __init__(self, content: newsletter_content.Content) -> None:
        self.content = content
        self.rendered: dict[str, tuple[str, str, str]] = {}

    def for_reader(self, language: str, address: str) -> tuple[str, str, str]:
        if language not in self.rendered:
            self.rendered[language] = mail_service.render(
                TEMPLATE,
                language,
                person=_A_READER,
                unsubscribe_url=_ADDRESS_SLOT,
                **self.content.context(language),
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
    only one writes the deliveries; all of it commits or none of it. The claim moves the version
    on, so a cancel from the page read before it conflicts: once sending has begun, it goes.
    """
    now = now or utcnow()
    claimed = session.execute(
        update(Newsletter)
        .where(
            col(Newsletter.id) == newsletter.id,
            col(Newsletter.status) == NewsletterStatus.scheduled,
        )
        .values(status=NewsletterStatus.sending, sent_at=now, version=col(Newsletter.version) + 1)
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
        copies = _Copies(newsletter_content.content(session, newsletter, now))
        key = message_key(newsletter)
        for chunk in _people(session, ids):
            deliveries = []
            for person_id, email, language in chunk:
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
                        language=language,
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
