"""What a newsletter says to a reader of each language: its title and text (the reader's own,
else the Finnish), and the automatic sections (coming events, answered initiatives).

Finnish is the newsletter's language: its title and text are required; the Swedish and English
ones are optional. A reader whose language has no text of its own gets the Finnish text, marked
lang="fi", inside the frame of the mail in their own language.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from markupsafe import Markup
from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from app.config import get_settings
from app.i18n import LANGUAGES
from app.models.calendar import Audience, CalendarEvent, EventKind
from app.models.initiatives import Initiative, Scope
from app.models.newsletters import Newsletter, NewsletterKind
from app.models.people import Person
from app.services.initiatives import lifecycle
from app.services.mail import delivery as mail_service
from app.services.mail import markdown
from app.services.mail import reach as mail_reach

TEMPLATE = "newsletter"
FINNISH = "fi"
EVENT_DAYS = 45  # coming events listed: those starting within this many days
INITIATIVE_DAYS = 60  # initiatives listed: those answered within this many days
# Calendar entries that are no events: the newsletters' own slots (deadlines for their
# editors). A newsletter listing them would announce itself.
NEWSLETTER_SLOTS = (EventKind.chairs_newsletter, EventKind.residents_newsletter)
LANGUAGE_NAMES = mail_reach.LANGUAGE_NAMES


def _base_url() -> str:
    return get_settings().base_url.rstrip("/")


# ---- the title and text in a language ------------------------------------------------------


def title_in(newsletter: Newsletter, lang: str) -> tuple[str, str]:
    """The title a reader of a language gets, and the language it is in."""
    own = getattr(newsletter, f"title_{lang}", "") if lang != FINNISH else ""
    return (own.strip(), lang) if own and own.strip() else (newsletter.title, FINNISH)


def body_in(newsletter: Newsletter, lang: str) -> tuple[str, str]:
    """The Markdown text a reader of a language gets, and the language it is in."""
    own = getattr(newsletter, f"body_md_{lang}", "") if lang != FINNISH else ""
    return (own, lang) if own and own.strip() else (newsletter.body_md, FINNISH)


def has_own_text(newsletter: Newsletter, lang: str) -> bool:
    """Whether the readers of a language get a text written in it (Finnish always)."""
    return body_in(newsletter, lang)[1] == lang


# ---- the automatic sections ----------------------------------------------------------------


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
    """Events for the newsletter's audience starting in the coming 45 days, not cancelled, and
    not the newsletters' own slots in the calendar."""
    return list(
        session.exec(
            select(CalendarEvent)
            .where(
                col(CalendarEvent.starts_at) >= now,
                col(CalendarEvent.starts_at) < now + timedelta(days=EVENT_DAYS),
                col(CalendarEvent.cancelled_at).is_(None),
                col(CalendarEvent.kind).not_in(NEWSLETTER_SLOTS),
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


@dataclass(frozen=True)
class EventLine:
    """A coming event as a reader of one language sees it listed."""

    id: int | None
    starts_at: datetime
    title: str
    lang: str  # the title's language (Finnish when it has none in the reader's)


def _event_line(event: CalendarEvent, lang: str) -> EventLine:
    own = str(getattr(event, f"title_{lang}", "") or "").strip()
    title, title_lang = (own, lang) if own else (event.title_fi, FINNISH)
    return EventLine(event.id, event.starts_at, title, title_lang)


# ---- the mail ------------------------------------------------------------------------------


@dataclass
class Content:
    """What every copy of a newsletter shares; context(lang) is what a reader of a language
    gets (the mail template adds the frame in that language)."""

    newsletter: Newsletter
    events: list[CalendarEvent]
    initiatives: list[Initiative]
    _texts: dict[str, tuple[Markup, str]] = field(default_factory=dict)

    def _text(self, markdown_text: str) -> tuple[Markup, str]:
        if markdown_text not in self._texts:
            self._texts[markdown_text] = (
                markdown.to_html(markdown_text),
                markdown.to_text(markdown_text),
            )
        return self._texts[markdown_text]

    def context(self, lang: str) -> dict[str, Any]:
        """The mail template's variables for a reader of a language."""
        lang = lang if lang in LANGUAGES else FINNISH
        base = _base_url()
        title, title_lang = title_in(self.newsletter, lang)
        body_md, body_lang = body_in(self.newsletter, lang)
        body_html, body_text = self._text(body_md)
        # The reader's language goes with the link: the page they reach before logging in (the
        # login page) speaks it too. (The mail's layout adds the link to the mail choices.)
        hint = f"?lang={lang}"
        return {
            "newsletter": self.newsletter,
            "title": title,
            "title_lang": title_lang,
            "body_html": body_html,
            "body_text": body_text,
            "body_lang": body_lang,
            "events": [_event_line(event, lang) for event in self.events],
            "initiatives": self.initiatives,
            "outcome_labels": lifecycle.OUTCOME_LABELS,
            "kind": NewsletterKind(self.newsletter.kind).value,
            "base_url": base,
            "url": f"{base}/newsletters/{self.newsletter.id}{hint}",
        }


def content(session: Session, newsletter: Newsletter, now: datetime) -> Content:
    """The newsletter with, as it asks, the coming events and answered initiatives."""
    return Content(
        newsletter=newsletter,
        events=coming_events(session, newsletter, now) if newsletter.include_events else [],
        initiatives=answered_initiatives(session, newsletter, now)
        if newsletter.include_initiatives
        else [],
    )


def with_changes(newsletter: Newsletter, **changes: Any) -> Newsletter:
    """An unsaved copy of a newsletter with typed-in changes, for a preview (never stored)."""
    values = newsletter.model_dump()
    values.update(changes)
    return Newsletter(**values)


@dataclass
class Preview:
    """The mail as a reader of one language gets it."""

    lang: str
    own_text: bool
    html: str


def previews(
    session: Session,
    newsletter: Newsletter,
    person: Person,
    now: datetime,
    unsubscribe_url: str,
) -> list[Preview]:
    """The mail's HTML as readers of each language get it, the viewer's language first."""
    found = content(session, newsletter, now)
    first = person.language.value
    order = [first] + [lang for lang in LANGUAGES if lang != first]
    shown = []
    for lang in order:
        _subject, _text, html = mail_service.render(
            TEMPLATE, lang, person=person, unsubscribe_url=unsubscribe_url, **found.context(lang)
        )
        shown.append(Preview(lang, has_own_text(newsletter, lang), html))
    return shown
