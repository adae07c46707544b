"""A small iCalendar (RFC 5545) writer: events for calendar programs, with no dependencies.

A file published for download or a feed has METHOD:PUBLISH; one mailed as an invitation (iTIP,
RFC 5546) has METHOD:REQUEST, or CANCEL when the event is called off, and names its organiser
and the attendee it is sent to.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

from app.config import get_settings
from app.models.types import utcnow

CRLF = "\r\n"
MAX_OCTETS = 75
PRODID = "-//Haso//Asukasportaali//FI"
PUBLISH = "PUBLISH"
REQUEST = "REQUEST"
CANCEL = "CANCEL"


@dataclass
class Address:
    """A calendar user: the ORGANIZER, or an ATTENDEE with their participation status."""

    name: str
    email: str
    partstat: str = "NEEDS-ACTION"  # ACCEPTED for someone registered (RFC 5545 3.2.12)


@dataclass
class Event:
    """One VEVENT; start and end are timezone-aware (written in UTC)."""

    uid: str
    start: datetime
    end: datetime
    summary: str
    location: str = ""
    description: str = ""
    url: str = ""
    dtstamp: datetime | None = None
    sequence: int | None = None  # the revision: a client updates its copy when it grows
    status: str = ""  # TENTATIVE, CONFIRMED or CANCELLED (RFC 5545 3.8.1.11); empty: not written
    organizer: Address | None = None
    attendees: list[Address] = field(default_factory=list)


def escape_text(value: str) -> str:
    """A TEXT value escaped: backslash, semicolon, comma and line breaks (RFC 5545 3.3.11)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\n", "\\n")


def utc_stamp(moment: datetime) -> str:
    """A DATE-TIME in UTC form, e.g. 20270315T160000Z."""
    if moment.tzinfo is None:
        raise ValueError("a calendar time needs a time zone")
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str) -> str:
    """Split a content line into lines of at most 75 octets, never inside a UTF-8 character."""
    data = line.encode("utf-8")
    if len(data) <= MAX_OCTETS:
        return line
    parts: list[str] = []
    limit = MAX_OCTETS  # continuation lines begin with a space, which counts
    current = ""
    size = 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size, limit = "", 0, MAX_OCTETS - 1
        current += char
        size += width
    parts.append(current)
    return (CRLF + " ").join(parts)


def _param(value: str) -> str:
    """A parameter value, quoted (a name may hold ; : or ,); no quotes or line breaks inside."""
    cleaned = " ".join(value.replace('"', "'").split())
    return f'"{cleaned}"'


def _address(name: str, address: Address, extra: str = "") -> str:
    """An ORGANIZER or ATTENDEE line: CN=name and the mailto: address."""
    email = "".join(address.email.split())
    return f"{name};CN={_param(address.name)}{extra}:mailto:{email}"


def uid(kind: str, object_id: int | str) -> str:
    """A globally unique, stable UID: the object's kind and id at the portal's host."""
    host = urlsplit(get_settings().base_url).hostname or "localhost"
    return f"{kind}-{object_id}@{host}"


def _event_lines(event: Event, now: datetime) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{utc_stamp(event.dtstamp or now)}",
        f"DTSTART:{utc_stamp(event.start)}",
        f"DTEND:{utc_stamp(event.end)}",
        f"SUMMARY:{escape_text(event.summary)}",
    ]
    if event.sequence is not None:
        lines.append(f"SEQUENCE:{event.sequence}")
    if event.status:
        lines.append(f"STATUS:{event.status}")
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.url:
        # URL is a URI value, not TEXT: it is written as is (no escaping).
        lines.append(f"URL:{event.url}")
    if event.organizer is not None:
        lines.append(_address("ORGANIZER", event.organizer))
    for attendee in event.attendees:
        # RSVP=FALSE: the organiser's address takes no replies; registering is done in the portal.
        extra = f";ROLE=REQ-PARTICIPANT;PARTSTAT={attendee.partstat};RSVP=FALSE"
        lines.append(_address("ATTENDEE", attendee, extra))
    lines.append("END:VEVENT")
    return lines


def calendar(
    events: Iterable[Event], name: str = "", now: datetime | None = None, method: str = PUBLISH
) -> str:
    """A VCALENDAR with the events, CRLF line endings and folded lines; METHOD as given."""
    if method not in (PUBLISH, REQUEST, CANCEL):
        raise ValueError(f"unknown calendar method {method}")
    now = now or utcnow()
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    lines.append(f"METHOD:{method}")
    if name:
        lines.append(f"X-WR-CALNAME:{escape_text(name)}")
    for event in events:
        lines.extend(_event_lines(event, now))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + CRLF for line in lines)
