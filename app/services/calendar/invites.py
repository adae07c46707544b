"""What every mail about a calendar event carries: its facts in the reader's language, its
organiser, its join link, and a calendar invitation (iCalendar, RFC 5546) for the reader's
calendar program.

The invitation has the same UID as the event's calendar file and feed entry, and its SEQUENCE is
the event's version, which grows whenever the event is adjusted or cancelled: so a calendar
program updates the copy it already has (METHOD:REQUEST) or removes it (METHOD:CANCEL).
"""

from email.utils import parseaddr
from typing import Any

from sqlmodel import Session

from app.config import get_settings
from app.models.calendar import CalendarEvent
from app.models.people import Person
from app.services.calendar import labels as calendar_labels
from app.services.mail import delivery as mail_service
from app.services.platform import ics

REQUEST = ics.REQUEST
CANCEL = ics.CANCEL


def event_url(event: CalendarEvent) -> str:
    """The event page's absolute address (for mails and calendar files)."""
    return f"{get_settings().base_url.rstrip('/')}/calendar/events/{event.id}"


def ics_url(event: CalendarEvent) -> str:
    """The event's calendar file's absolute address (for mails)."""
    return f"{event_url(event)}/calendar.ics"


def organiser() -> str:
    """Who convenes the calendar's events: the company (PORTAL_ORGANISATION_NAME), else the
    portal's mail sender."""
    settings = get_settings()
    return settings.organisation_name.strip() or parseaddr(settings.mail_from)[0]


def join_url(event: CalendarEvent) -> str:
    """The address for taking part remotely, if the event has one that a mail may link to."""
    link = event.link.strip()
    return link if link.lower().startswith(("https://", "http://")) else ""


def calendar_event(event: CalendarEvent, lang: str) -> ics.Event:
    """The event as one VEVENT, texts in a language (the join link in its description)."""
    text = calendar_labels.description(event, lang)
    if event.link:
        text = f"{text}\n\n{event.link}" if text else event.link
    return ics.Event(
        uid=ics.uid("calendar-event", event.id or 0),
        start=event.starts_at,
        end=event.ends_at,
        summary=calendar_labels.title(event, lang),
        location=event.place or join_url(event),
        description=text,
        url=event_url(event),
        dtstamp=event.updated_at,
        sequence=event.version,
        status="CANCELLED" if event.cancelled_at is not None else "CONFIRMED",
    )


def invitation(
    event: CalendarEvent, person: Person, method: str = REQUEST, accepted: bool = False
) -> str:
    """The calendar invitation mailed to a person, in their language: from the organiser (at
    the portal's mail address), to them (accepted when they have a place)."""
    item = calendar_event(event, person.language.value)
    sender = parseaddr(get_settings().mail_from)[1]
    item.organizer = ics.Address(organiser(), sender)
    partstat = "ACCEPTED" if accepted else "NEEDS-ACTION"
    item.attendees = [ics.Address(person.name, person.email, partstat)] if person.email else []
    return ics.calendar([item], method=method)


def context(event: CalendarEvent, person: Person) -> dict[str, Any]:
    """What the event mail templates are given about the event, in the person's language."""
    lang = person.language.value
    return {
        "event": event,
        "title": calendar_labels.title(event, lang),
        "description": calendar_labels.description(event, lang),
        "organiser": organiser(),
        "join_url": join_url(event),
        "url": event_url(event),
        "ics_url": ics_url(event),
    }


def mail(
    session: Session,
    key: str,
    person: Person,
    template: str,
    event: CalendarEvent,
    method: str | None = REQUEST,
    accepted: bool = False,
    **extra: Any,
) -> bool:
    """Queue an event mail to a person at once, with the calendar invitation attached (none
    when method is None); whether it was new."""
    attachment = invitation(event, person, method, accepted) if method else ""
    values = {**context(event, person), **extra}
    return mail_service.queue(session, key, person, template, ics=attachment, **values) is not None
