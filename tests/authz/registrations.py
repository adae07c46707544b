"""Authorization matrix entries for the event registration routes.

They use the calendar's world event (for all residents, PARAMS event_id in tests/authz/calendar.py),
made here to take registrations. Registering and cancelling: whoever the audience includes
(management and admins too); others get 404. The attendee list: management and admins (a house
event's property manager too: tests/routers/calendar/test_registrations.py).
"""

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from tests.authz.roles import OVERSEERS, Rule

ALL_RESIDENTS = OVERSEERS | {"resident_a", "member_a", "chair_a", "resident_b", "chair_b", "yte"}

MATRIX: dict[str, Rule] = {
    "POST /calendar/events/{event_id}/register": Rule(ALL_RESIDENTS),
    "POST /calendar/events/{event_id}/unregister": Rule(ALL_RESIDENTS),
    "GET /calendar/events/{event_id}/attendees": Rule(OVERSEERS),
    "GET /calendar/events/{event_id}/attendees.csv": Rule(OVERSEERS),
}


def extend_world(session: Session, world: dict[str, Any]) -> dict[str, Any]:
    """The calendar's event takes registrations, with places to spare."""
    event = world["calendar_event"]
    event.registration = True
    event.capacity = 20
    session.add(event)
    session.flush()
    return {}


PARAMS: dict[str, Callable[[dict[str, Any]], Any]] = {}
SECTIONS: dict[str, Callable[[dict[str, Any]], Any]] = {}
