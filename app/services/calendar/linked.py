"""Calendar entries that show another record: one record is the truth in the calendar, the
feed, the front page and mail. An election shows its nomination and voting, a budget cycle its
statement deadline (show_entry, keyed by the record); a resident meeting takes over its house's
placeholder (show_meeting).

A resident meeting convened for a house takes over the house's placeholder entry of that year
(made from the yearly template), with the meeting's own date, place and remote link; without a
placeholder it gets an entry of its own. The meeting's legal invitation is its own mail, so the
entry never sends an invitation of its own.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, col, select

from app.models.calendar import Audience, CalendarEvent, EventKind, Mode
from app.models.meetings import ResidentMeeting
from app.models.participation import Participation
from app.models.types import HELSINKI, local_date, utcnow
from app.services.platform import audit

MEETING_MINUTES = 120  # the length of a meeting's own entry
_TITLES = {"fi": "Asukaskokous", "sv": "Boendemöte", "en": "Resident meeting"}


def _save(
    session: Session, event: CalendarEvent, before: dict[str, Any] | None, actor_id: int | None
) -> None:
    """Write an entry, audited as made (no snapshot before) or as changed."""
    session.add(event)
    session.flush()
    if before is None:
        audit.record(session, actor_id, "create", event)
    else:
        audit.record(session, actor_id, "update", event, before)


def _placeholder(session: Session, meeting: ResidentMeeting) -> CalendarEvent | None:
    """The house's untaken resident-meeting entry of the meeting's year nearest to it."""
    year = local_date(meeting.starts_at).year
    taken = select(ResidentMeeting.calendar_event_id).where(
        col(ResidentMeeting.calendar_event_id).is_not(None)
    )
    found = session.exec(
        select(CalendarEvent).where(
            CalendarEvent.kind == EventKind.resident_meeting,
            CalendarEvent.house_id == meeting.house_id,
            col(CalendarEvent.cancelled_at).is_(None),
            col(CalendarEvent.id).not_in(taken),
        )
    ).all()
    same_year = [e for e in found if local_date(e.starts_at).year == year]
    if not same_year:
        return None
    return min(same_year, key=lambda e: abs((e.starts_at - meeting.starts_at).total_seconds()))


def show_meeting(
    session: Session, meeting: ResidentMeeting, actor_id: int | None, now: datetime | None = None
) -> CalendarEvent:
    """Put a convened meeting in the calendar: its house's placeholder takes its date, place and
    link, or it gets an entry of its own. Linked both ways through meeting.calendar_event_id."""
    now = now or utcnow()
    event = _placeholder(session, meeting)
    before = audit.snapshot(event) if event is not None else None
    if event is None:
        event = CalendarEvent(
            kind=EventKind.resident_meeting,
            title_fi=_TITLES["fi"],
            title_sv=_TITLES["sv"],
            title_en=_TITLES["en"],
            starts_at=meeting.starts_at,
            ends_at=meeting.starts_at + timedelta(minutes=MEETING_MINUTES),
            audience=Audience.house_residents,
            house_id=meeting.house_id,
            participation=Participation.decision,
            created_by_id=actor_id,
        )
    duration = event.ends_at - event.starts_at
    event.starts_at = meeting.starts_at
    event.ends_at = meeting.starts_at + duration
    event.place = meeting.place
    event.link = meeting.remote_link or ""
    event.mode = Mode.hybrid if meeting.remote_link else Mode.physical
    # The meeting's own agenda is the description; the template's note for the organisers goes.
    event.description_fi = event.description_sv = event.description_en = meeting.agenda
    event.invitation_sent_at = event.invitation_sent_at or now  # the meeting invites
    event.adjusted_at = now
    event.updated_at = now
    _save(session, event, before, actor_id)
    meeting.calendar_event_id = event.id
    session.add(meeting)
    session.flush()
    return event


def meeting_of(session: Session, event: CalendarEvent) -> ResidentMeeting | None:
    """The resident meeting an entry shows, if any."""
    return session.exec(
        select(ResidentMeeting).where(ResidentMeeting.calendar_event_id == event.id)
    ).first()


@dataclass
class Entry:
    """What a record shows in the calendar: its titles per language, its time and audience."""

    kind: EventKind
    titles: dict[str, str]
    starts_at: datetime
    ends_at: datetime
    audience: Audience
    house_id: int | None = None
    participation: Participation = Participation.information
    description: str = ""


def whole_days(first: date, last: date) -> tuple[datetime, datetime]:
    """From the start of one Helsinki day to the start of the day after another."""
    start = datetime.combine(first, time(0), tzinfo=HELSINKI)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=HELSINKI)
    return start.astimezone(UTC), end.astimezone(UTC)


def show_entry(session: Session, source: str, entry: Entry, actor_id: int | None) -> CalendarEvent:
    """Write (or bring in step) the calendar entry a record shows, keyed by the record. Such an
    entry is never invited to or reminded of by the calendar: its record mails for itself."""
    now = utcnow()
    event = session.exec(select(CalendarEvent).where(CalendarEvent.source == source)).first()
    before = audit.snapshot(event) if event is not None else None
    if event is None:
        event = CalendarEvent(
            source=source,
            kind=entry.kind,
            title_fi=entry.titles["fi"],
            starts_at=entry.starts_at,
            ends_at=entry.ends_at,
            audience=entry.audience,
            created_by_id=actor_id,
        )
    event.kind = entry.kind
    event.title_fi = entry.titles["fi"]
    event.title_sv = entry.titles.get("sv", "")
    event.title_en = entry.titles.get("en", "")
    event.description_fi = event.description_sv = event.description_en = entry.description
    event.starts_at, event.ends_at = entry.starts_at, entry.ends_at
    event.audience, event.house_id = entry.audience, entry.house_id
    event.participation = entry.participation
    event.invitation_days = event.reminder_days = 0
    event.invitation_sent_at = event.invitation_sent_at or now
    event.reminders_sent_at = event.reminders_sent_at or now
    event.updated_at = now
    _save(session, event, before, actor_id)
    return event
