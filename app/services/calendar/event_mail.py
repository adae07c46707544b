"""Mail about calendar events: invitations to the audience, reminders to the registered, and
word of a cancellation.

Invitations and reminders are notifications: they pass through digests.deliver, so each
person's choice for event reminders (at once, a digest, or off) is honoured, and their keys
reach a person only once however often the jobs run. A cancellation is mailed at once.

Each mail names the organiser and carries the join link of an online event and a calendar
invitation (app.services.calendar.invites): REQUEST with invitations and reminders (a reminder
after a change carries the new SEQUENCE), CANCEL with a cancellation. A digest line carries no
attachment.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from app.models.calendar import CalendarEvent, EventKind, EventRegistration, RegistrationStatus
from app.models.newsletters import Topic
from app.models.people import Person
from app.models.types import local_date, utcnow
from app.services.access import audiences
from app.services.calendar import invites
from app.services.calendar import registrations as registrations_service
from app.services.mail import digests
from app.services.platform import audit

INVITATION_TEMPLATE = "event_invitation"
REMINDER_TEMPLATE = "event_reminder"
CANCELLED_TEMPLATE = "event_cancelled"

# Kinds whose events people attend and are invited to. Resident meetings have their own legal
# invitation (app.services.bodies.meetings), the forum its agenda mail, and newsletter entries are
# deadlines for their editors, not sessions.
INVITED_KINDS = (EventKind.event, EventKind.election)


@dataclass
class Run:
    """What one run queued: events handled and notifications delivered."""

    events: int = 0
    notified: int = 0


def _notify(
    session: Session,
    event: CalendarEvent,
    people: list[Person],
    key: str,
    template: str,
    accepted: bool = False,
) -> int:
    """Deliver one event notification to each person, as they have chosen, with a calendar
    invitation (accepted: they have a place); returns how many."""
    for person in people:
        digests.deliver(
            session,
            person,
            Topic.event_reminders,
            key=key,
            template=template,
            ics=invites.invitation(event, person, invites.REQUEST, accepted),
            **invites.context(event, person),
        )
    return len(people)


def _stamp(session: Session, event: CalendarEvent, field: str, now: datetime) -> None:
    """Record (audited) that an event's invitation or reminders went out."""
    before = audit.snapshot(event)
    setattr(event, field, now)
    session.add(event)
    session.flush()
    audit.record(session, None, "update", event, before)


def invitation_day(event: CalendarEvent) -> date:
    """The Helsinki day the invitation is due."""
    return local_date(event.starts_at) - timedelta(days=event.invitation_days)


def reminder_day(event: CalendarEvent) -> date:
    """The Helsinki day the registrants' reminder is due."""
    return local_date(event.starts_at) - timedelta(days=event.reminder_days)


def send_invitations(session: Session, now: datetime | None = None) -> Run:
    """Invite the audience of every event whose invitation day has come (once per event).

    An event that has begun gets no invitation, however late the job runs; one whose invitation
    went out is not invited again when it is moved; a cancelled one is never invited.
    """
    now = now or utcnow()
    today = local_date(now)
    due = session.exec(
        select(CalendarEvent)
        .where(
            col(CalendarEvent.kind).in_([k.value for k in INVITED_KINDS]),
            col(CalendarEvent.invitation_sent_at).is_(None),
            col(CalendarEvent.cancelled_at).is_(None),
            CalendarEvent.starts_at > now,
        )
        .order_by(col(CalendarEvent.starts_at), col(CalendarEvent.id))
    ).all()
    run = Run()
    for event in due:
        if invitation_day(event) > today:
            continue
        people = audiences.people(session, event.audience, event.house_id, today)
        key = f"event:{event.id}:invitation"
        run.notified += _notify(session, event, people, key, INVITATION_TEMPLATE)
        _stamp(session, event, "invitation_sent_at", now)
        run.events += 1
    return run


def registered_people(session: Session, event_id: int) -> list[Person]:
    """The active people with a place (not the waiting list) at an event."""
    return list(
        session.exec(
            select(Person)
            .join(EventRegistration, col(EventRegistration.person_id) == Person.id)
            .where(
                EventRegistration.event_id == event_id,
                EventRegistration.status == RegistrationStatus.registered,
                col(Person.is_active).is_(True),
            )
            .order_by(col(Person.id))
        )
    )


def send_reminders(session: Session, now: datetime | None = None) -> Run:
    """Remind the registered people of every event whose reminder day has come (once).

    The key carries the event's version: an event changed after its reminder (and whose
    reminders_sent_at the calendar then clears) is reminded of again with the new facts.
    """
    now = now or utcnow()
    today = local_date(now)
    due = session.exec(
        select(CalendarEvent)
        .where(
            col(CalendarEvent.registration).is_(True),
            col(CalendarEvent.reminders_sent_at).is_(None),
            col(CalendarEvent.cancelled_at).is_(None),
            CalendarEvent.starts_at > now,
        )
        .order_by(col(CalendarEvent.starts_at), col(CalendarEvent.id))
    ).all()
    run = Run()
    for event in due:
        if reminder_day(event) > today:
            continue
        assert event.id is not None
        people = registered_people(session, event.id)
        key = f"event:{event.id}:reminder:v{event.version}"
        run.notified += _notify(session, event, people, key, REMINDER_TEMPLATE, accepted=True)
        _stamp(session, event, "reminders_sent_at", now)
        run.events += 1
    return run


def notify_cancelled(session: Session, event: CalendarEvent) -> int:
    """Tell everyone registered or waiting that the event is cancelled; returns mails queued.

    For the calendar to call when it cancels an event. Mailed at once whatever the person's
    digest choice: a cancellation that arrives in a weekly digest could come too late.
    """
    assert event.id is not None
    rows = session.exec(
        select(Person)
        .join(EventRegistration, col(EventRegistration.person_id) == Person.id)
        .where(
            EventRegistration.event_id == event.id,
            col(EventRegistration.status).in_([s.value for s in registrations_service.ACTIVE]),
            col(Person.is_active).is_(True),
        )
        .order_by(col(Person.id))
    ).all()
    queued = 0
    for person in rows:
        key = f"event:{event.id}:cancelled"
        queued += invites.mail(session, key, person, CANCELLED_TEMPLATE, event, invites.CANCEL)
    return queued
