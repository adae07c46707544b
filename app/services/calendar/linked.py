"""Calendar entries that show another record: one record is the truth in the calendar, the
feed, the front page and mail.

A resident meeting convened for a house takes over the house's placeholder entry of that year
(made from the yearly template), with the meeting's own date, place and remote link; without a
placeholder it gets an entry of its own. The meeting's legal invitation is its own mail, so the
entry never sends an invitation of its own.
"""

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app.models.calendar import Audience, CalendarEvent, EventKind, Mode
from app.models.meetings import ResidentMeeting
from app.models.participation import Participation
from app.models.types import local_date, utcnow
from app.services.platform import audit

MEETING_MINUTES = 120  # the length of a meeting's own entry
_TITLES = {"fi": "Asukaskokous", "sv": "Boendemöte", "en": "Resident meeting"}


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
    session.add(event)
    session.flush()
    if before is None:
        audit.record(session, actor_id, "create", event)
    else:
        audit.record(session, actor_id, "update", event, before)
    meeting.calendar_event_id = event.id
    session.add(meeting)
    session.flush()
    return event


def meeting_of(session: Session, event: CalendarEvent) -> ResidentMeeting | None:
    """The resident meeting an entry shows, if any."""
    return session.exec(
        select(ResidentMeeting).where(ResidentMeeting.calendar_event_id == event.id)
    ).first()
