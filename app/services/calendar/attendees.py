"""What an event page shows about registering (the panel), and the attendee list with its CSV."""

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from app.i18n import _
from app.jinja import fmt_datetime
from app.models.calendar import CalendarEvent, EventRegistration, RegistrationStatus
from app.models.people import Person
from app.models.types import utcnow
from app.services.access.roles import Principal
from app.services.calendar import policies
from app.services.calendar.registrations import (
    ACTIVE,
    MAX_PARTICIPANTS,
    is_open,
    places_left,
    registration_of,
    waiting_list,
    waiting_position,
)
from app.services.platform.csv_writing import safe_cell


@dataclass
class Panel:
    """What the event page shows a user about registering."""

    registration: EventRegistration | None
    position: int | None  # on the waiting list
    places_left: int | None  # None: no limit
    open: bool
    can_register: bool
    can_cancel: bool
    can_view_attendees: bool
    max_participants: int = MAX_PARTICIPANTS

    @property
    def status(self) -> str:
        """registered, waiting or "" (none, or cancelled)."""
        if self.registration is None or self.registration.status not in ACTIVE:
            return ""
        return self.registration.status.value


def panel(
    session: Session, event: CalendarEvent, user: Principal | None, now: datetime | None = None
) -> Panel:
    """The registration panel's facts for a user."""
    now = now or utcnow()
    assert event.id is not None
    mine = registration_of(session, event.id, user.id) if user is not None else None
    active = mine is not None and mine.status in ACTIVE
    open_now = is_open(event, now)
    return Panel(
        registration=mine,
        position=waiting_position(session, mine) if mine is not None else None,
        places_left=places_left(session, event),
        open=open_now,
        can_register=open_now and not active and policies.can_register_for_event(user, event),
        can_cancel=active
        and event.starts_at > now
        and policies.can_cancel_registration(user, event, True),
        can_view_attendees=policies.can_view_attendees(user, event),
    )


@dataclass
class Attendee:
    """One line of the attendee list."""

    registration: EventRegistration
    person: Person
    position: int | None  # on the waiting list


@dataclass
class Attendees:
    """An event's registered people and its waiting list."""

    registered: list[Attendee]
    waiting: list[Attendee]

    @property
    def participants(self) -> int:
        """Places taken."""
        return sum(a.registration.participants for a in self.registered)


def attendees(session: Session, event: CalendarEvent) -> Attendees:
    """Registered people by name, then the waiting list in its order."""
    assert event.id is not None
    rows = session.exec(
        select(EventRegistration, Person)
        .join(Person, col(Person.id) == EventRegistration.person_id)
        .where(
            EventRegistration.event_id == event.id,
            col(EventRegistration.status).in_([s.value for s in ACTIVE]),
        )
        .order_by(col(Person.name), col(Person.id))
    ).all()
    registered = [
        Attendee(r, p, None) for r, p in rows if r.status == RegistrationStatus.registered
    ]
    order = {r.id: i for i, r in enumerate(waiting_list(session, event.id), start=1)}
    waiting = sorted(
        (
            Attendee(r, p, order.get(r.id))
            for r, p in rows
            if r.status == RegistrationStatus.waiting
        ),
        key=lambda a: a.position or 0,
    )
    return Attendees(registered=registered, waiting=waiting)


def status_label(status: RegistrationStatus) -> str:
    """A registration's status in the current language."""
    if status == RegistrationStatus.registered:
        return _("Registered")
    if status == RegistrationStatus.waiting:
        return _("On the waiting list")
    return _("Cancelled")


def to_csv(listing: Attendees) -> str:
    """The attendee list for Excel: a BOM, ; separators, formula-like cells made harmless."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    header = [
        _("Name"),
        _("Email"),
        _("Status"),
        _("Participants"),
        _("Place on the waiting list"),
        _("Registered at"),
    ]
    writer.writerow([safe_cell(c) for c in header])
    for attendee in listing.registered + listing.waiting:
        registration = attendee.registration
        writer.writerow(
            [
                safe_cell(c)
                for c in (
                    attendee.person.name,
                    attendee.person.email or "",
                    status_label(registration.status),
                    registration.participants,
                    attendee.position or "",
                    fmt_datetime(registration.updated_at, "short"),
                )
            ]
        )
    return "\ufeff" + buffer.getvalue()
