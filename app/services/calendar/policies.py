"""Who may see and manage the calendar, register for events and see attendees."""

from app.models.calendar import CalendarEvent
from app.services.access import audiences
from app.services.access.policies import User, is_staff_overseer


def can_view_calendar(user: User) -> bool:
    """Open the calendar (it shows only the events the person's roles concern)."""
    return user is not None


def can_view_event(user: User, event: CalendarEvent) -> bool:
    """See one event: whoever its audience reaches today; management and admins all."""
    return user is not None and audiences.includes(user, event.audience, event.house_id)


def can_manage_calendar(user: User) -> bool:
    """Edit the annual calendar's templates, add, adjust and cancel events: management."""
    return is_staff_overseer(user)


def can_register_for_event(user: User, event: CalendarEvent) -> bool:
    """Register for an event (or see one's registration): whoever its audience includes."""
    return user is not None and audiences.includes(user, event.audience, event.house_id)


def can_cancel_registration(user: User, event: CalendarEvent, registered: bool) -> bool:
    """Cancel one's registration: the audience, and anyone who holds one (e.g. after moving)."""
    return user is not None and (registered or can_register_for_event(user, event))


def can_view_attendees(user: User, event: CalendarEvent) -> bool:
    """See and download an event's attendee list: management, administrators, and for a
    house's event the house's property manager."""
    if is_staff_overseer(user):
        return True
    return user is not None and event.house_id is not None and event.house_id in user.manager_of
