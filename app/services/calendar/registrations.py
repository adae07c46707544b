"""Event registrations: places, the waiting list, cancellation and the attendee list.

The capacity counts participants (a person may bring up to MAX_PARTICIPANTS, themselves
included). Two people registering at once cannot both take the last place: every change locks
the event's row first (SELECT ... FOR UPDATE on PostgreSQL, where the second waits and then
counts the first). SQLite has no row locks but one writer at a time: of two colliding writes the
second fails ("database is locked") instead of overbooking. The unique (event, person) pair
keeps one row per person, reused when they register again.
"""

from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.errors import NotFound, ValidationFailed
from app.i18n import _
from app.models.calendar import CalendarEvent, EventRegistration, RegistrationStatus
from app.models.people import Person
from app.models.types import utcnow
from app.services.access.roles import Principal
from app.services.calendar import invites, policies
from app.services.platform import audit

MAX_PARTICIPANTS = 5
PROMOTED_TEMPLATE = "event_promoted"
REGISTERED_TEMPLATE = "event_registered"
ACTIVE = (RegistrationStatus.registered, RegistrationStatus.waiting)


class RegistrationRefused(ValidationFailed):
    """A registration or cancellation the rules do not allow; code names the reason."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__({ERROR_FIELDS.get(code, ""): error_message(code)})


# The reasons for a refusal; the form field each belongs to ("" for the whole form).
ERROR_FIELDS = {"participants": "participants", "too_many": "participants"}
ERROR_CODES = (
    "closed",
    "cancelled",
    "started",
    "audience",
    "registered",
    "waiting",
    "participants",
    "too_many",
    "none",
)


def error_message(code: str) -> str:
    """A refusal's reason in the current language."""
    if code == "closed":
        return _("This event takes no registrations.")
    if code == "cancelled":
        return _("The event has been cancelled.")
    if code == "started":
        return _("The event has already begun: registrations are closed.")
    if code == "audience":
        return _("This event is not open to you: it is meant for another audience.")
    if code == "registered":
        return _("You have already registered for this event.")
    if code == "waiting":
        return _("You are already on the waiting list of this event.")
    if code == "participants":
        return _(
            "Enter a number of participants from 1 to %(most)s, yourself included.",
            most=MAX_PARTICIPANTS,
        )
    if code == "too_many":
        return _("The event does not have that many places. Enter a smaller number.")
    if code == "none":
        return _("You have no registration to cancel.")
    return _("The registration could not be saved.")


def event_url(event: CalendarEvent) -> str:
    """The event page's absolute address (for mails)."""
    return invites.event_url(event)


def ics_url(event: CalendarEvent) -> str:
    """The event's calendar file's absolute address (for mails)."""
    return invites.ics_url(event)


def title_in(event: CalendarEvent, lang: str) -> str:
    """The event's title in a language, Finnish when there is none in it."""
    return str(getattr(event, f"title_{lang}", "") or event.title_fi)


def description_in(event: CalendarEvent, lang: str) -> str:
    """The event's description in a language, Finnish when there is none in it."""
    return str(getattr(event, f"description_{lang}", "") or event.description_fi)


def get_event(session: Session, event_id: int) -> CalendarEvent:
    """An event by id, or NotFound."""
    found = session.get(CalendarEvent, event_id)
    if found is None:
        raise NotFound()
    return found


def registration_of(session: Session, event_id: int, person_id: int) -> EventRegistration | None:
    """A person's registration row for an event (of any status), if any."""
    return session.exec(
        select(EventRegistration).where(
            EventRegistration.event_id == event_id, EventRegistration.person_id == person_id
        )
    ).first()


def taken(session: Session, event_id: int) -> int:
    """Places taken: the participants of the registered (not waiting) registrations."""
    total = session.exec(
        select(func.coalesce(func.sum(EventRegistration.participants), 0)).where(
            EventRegistration.event_id == event_id,
            EventRegistration.status == RegistrationStatus.registered,
        )
    ).one()
    return int(total)


def places_left(session: Session, event: CalendarEvent) -> int | None:
    """Free places, or None when the event has no limit."""
    if event.capacity is None:
        return None
    assert event.id is not None
    return max(event.capacity - taken(session, event.id), 0)


def waiting_list(session: Session, event_id: int) -> list[EventRegistration]:
    """The waiting list in order: who joined it first moves up first."""
    return list(
        session.exec(
            select(EventRegistration)
            .where(
                EventRegistration.event_id == event_id,
                EventRegistration.status == RegistrationStatus.waiting,
            )
            .order_by(col(EventRegistration.updated_at), col(EventRegistration.id))
        )
    )


def waiting_position(session: Session, registration: EventRegistration) -> int | None:
    """A waiting registration's place in the queue (1 = next to move up)."""
    if registration.status != RegistrationStatus.waiting:
        return None
    queue = [r.id for r in waiting_list(session, registration.event_id)]
    return queue.index(registration.id) + 1 if registration.id in queue else None


def is_open(event: CalendarEvent, now: datetime) -> bool:
    """Whether registrations are taken now: a registration event, not cancelled, not begun."""
    return event.registration and event.cancelled_at is None and event.starts_at > now


def _lock(session: Session, event: CalendarEvent) -> CalendarEvent:
    """The event's row, locked until the transaction ends (a no-op on SQLite)."""
    return session.exec(
        select(CalendarEvent)
        .where(CalendarEvent.id == event.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _check_open(event: CalendarEvent, now: datetime) -> None:
    if not event.registration:
        raise RegistrationRefused("closed")
    if event.cancelled_at is not None:
        raise RegistrationRefused("cancelled")
    if event.starts_at <= now:
        raise RegistrationRefused("started")


def parse_participants(raw: str | None) -> int:
    """The participants field as a number from 1 to MAX_PARTICIPANTS (empty means 1)."""
    text = (raw or "").strip()
    if not text:
        return 1
    try:
        value = int(text)
    except ValueError:
        raise RegistrationRefused("participants") from None
    if not 1 <= value <= MAX_PARTICIPANTS:
        raise RegistrationRefused("participants")
    return value


def register(
    session: Session,
    event: CalendarEvent,
    user: Principal,
    participants: int = 1,
    now: datetime | None = None,
) -> EventRegistration:
    """Register the user: a place while places remain, else the end of the waiting list."""
    now = now or utcnow()
    if not 1 <= participants <= MAX_PARTICIPANTS:
        raise RegistrationRefused("participants")
    _check_open(event, now)
    if not policies.can_register_for_event(user, event):
        raise RegistrationRefused("audience")
    event = _lock(session, event)
    _check_open(event, now)  # it may have changed while we waited for the lock
    assert event.id is not None
    if event.capacity is not None and participants > event.capacity:
        raise RegistrationRefused("too_many")
    existing = registration_of(session, event.id, user.id)
    if existing is not None and existing.status in ACTIVE:
        raise RegistrationRefused(existing.status.value)
    fits = event.capacity is None or (
        not waiting_list(session, event.id)
        and taken(session, event.id) + participants <= event.capacity
    )
    status = RegistrationStatus.registered if fits else RegistrationStatus.waiting
    if existing is not None:  # registering again after a cancellation reuses the row
        before = audit.snapshot(existing)
        existing.status = status
        existing.participants = participants
        existing.updated_at = now
        session.add(existing)
        session.flush()
        audit.record(session, user.id, "update", existing, before)
        _confirm(session, event, existing, now)
        return existing
    registration = EventRegistration(
        event_id=event.id,
        person_id=user.id,
        status=status,
        participants=participants,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(registration)
    except IntegrityError:
        # The same person registered in another request a moment ago.
        raise RegistrationRefused("registered") from None
    audit.record(session, user.id, "create", registration)
    _confirm(session, event, registration, now)
    return registration


def _confirm(
    session: Session, event: CalendarEvent, registration: EventRegistration, now: datetime
) -> None:
    """Mail the registrant at once: a place comes with the time, place, join link and a
    calendar invitation; a place on the waiting list with its position, and no invitation."""
    person = session.get(Person, registration.person_id)
    if person is None or not person.is_active:
        return
    waiting = registration.status == RegistrationStatus.waiting
    invites.mail(
        session,
        f"event:{event.id}:registered:{registration.id}:{now.isoformat()}",
        person,
        REGISTERED_TEMPLATE,
        event,
        method=None if waiting else invites.REQUEST,
        accepted=True,
        registration=registration,
        waiting=waiting,
        position=waiting_position(session, registration) if waiting else None,
    )


def cancel(
    session: Session, event: CalendarEvent, user: Principal, now: datetime | None = None
) -> list[EventRegistration]:
    """Cancel the user's registration; returns the waiting ones who moved up into its places."""
    now = now or utcnow()
    event = _lock(session, event)
    assert event.id is not None
    registration = registration_of(session, event.id, user.id)
    if registration is None or registration.status not in ACTIVE:
        raise RegistrationRefused("none")
    if event.starts_at <= now:
        raise RegistrationRefused("started")
    before = audit.snapshot(registration)
    registration.status = RegistrationStatus.cancelled
    registration.updated_at = now
    session.add(registration)
    session.flush()
    audit.record(session, user.id, "update", registration, before)
    return promote(session, event, user.id, now)


def promote(
    session: Session, event: CalendarEvent, actor_id: int | None, now: datetime | None = None
) -> list[EventRegistration]:
    """Move waiting people up, in order, into the free places, and tell each by mail.

    The order is kept strictly: a party that does not fit stops the queue, so nobody who joined
    later overtakes it. For a cancellation, and for the calendar when it raises the capacity;
    the event's row is locked first, so places are never handed out twice.
    """
    now = now or utcnow()
    event = _lock(session, event)
    assert event.id is not None
    if event.cancelled_at is not None or event.starts_at <= now:
        return []
    free = places_left(session, event)
    moved: list[EventRegistration] = []
    for registration in waiting_list(session, event.id):
        if free is not None and registration.participants > free:
            break
        before = audit.snapshot(registration)
        registration.status = RegistrationStatus.registered
        registration.updated_at = now
        session.add(registration)
        session.flush()
        audit.record(session, actor_id, "update", registration, before)
        if free is not None:
            free -= registration.participants
        moved.append(registration)
        person = session.get(Person, registration.person_id)
        if person is not None and person.is_active:
            invites.mail(
                session,
                f"event:{event.id}:promoted:{registration.id}:{now.isoformat()}",
                person,
                PROMOTED_TEMPLATE,
                event,
                accepted=True,
                registration=registration,
            )
    return moved


# ---- the panel on the event page ------------------------------------------------------------


# ---- the attendee list ----------------------------------------------------------------------
