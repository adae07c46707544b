"""Authorization matrix entries for the calendar routes.

The event in the world is for all residents: every resident sees it (the chairs and Haso-yte
live in houses too), staff without a house do not (404), management and admins see every event.
The public feed answers 404 to an unknown token whoever asks; house and chairs-only events are
checked per role in tests/routers/calendar/test_pages.py.
"""

from collections.abc import Callable
from datetime import time, timedelta
from typing import Any

from sqlmodel import Session

from app.models.calendar import Audience, CalendarEvent, EventTemplate
from app.models.types import utcnow
from tests.authz.roles import EVERYONE, LOGGED_IN, OVERSEERS, Rule

ALL_RESIDENTS = OVERSEERS | {"resident_a", "member_a", "chair_a", "resident_b", "chair_b", "yte"}

MATRIX: dict[str, Rule] = {
    "GET /calendar": Rule(LOGGED_IN),
    "GET /calendar/feed": Rule(LOGGED_IN),
    "POST /calendar/feed": Rule(LOGGED_IN),
    "POST /calendar/feed/revoke": Rule(LOGGED_IN),
    "GET /calendar/feed/{token}.ics": Rule(EVERYONE),
    "GET /calendar/events/new": Rule(OVERSEERS),
    "POST /calendar/events/new": Rule(OVERSEERS),
    "GET /calendar/events/{event_id}": Rule(ALL_RESIDENTS),
    "GET /calendar/events/{event_id}/calendar.ics": Rule(ALL_RESIDENTS),
    "GET /calendar/events/{event_id}/edit": Rule(OVERSEERS),
    "POST /calendar/events/{event_id}/edit": Rule(OVERSEERS),
    "POST /calendar/events/{event_id}/cancel": Rule(OVERSEERS),
    "GET /calendar/templates": Rule(OVERSEERS),
    "GET /calendar/templates/new": Rule(OVERSEERS),
    "POST /calendar/templates/new": Rule(OVERSEERS),
    "GET /calendar/templates/{template_id}/edit": Rule(OVERSEERS),
    "POST /calendar/templates/{template_id}/edit": Rule(OVERSEERS),
    "GET /api/v1/calendar/events": Rule(LOGGED_IN),
    "GET /api/v1/calendar/events/{event_id}": Rule(ALL_RESIDENTS),
    "GET /api/v1/calendar/templates": Rule(OVERSEERS),
    "POST /api/v1/calendar/templates": Rule(OVERSEERS),
}


def extend_world(session: Session, world: dict[str, Any]) -> dict[str, Any]:
    """A template and one coming event of it for all residents."""
    template = EventTemplate(
        title_fi="Turvallisuusilta",
        months="9",
        day=10,
        start_time=time(18, 0),
        audience=Audience.all_residents,
    )
    session.add(template)
    session.flush()
    start = utcnow().replace(microsecond=0)
    event = CalendarEvent(
        template_id=template.id,
        title_fi="Turvallisuusilta",
        starts_at=start + timedelta(days=20),
        ends_at=start + timedelta(days=20, hours=2),
        audience=Audience.all_residents,
    )
    session.add(event)
    session.flush()
    return {"calendar_template": template, "calendar_event": event}


PARAMS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "event_id": lambda world: world["calendar_event"].id,
    "template_id": lambda world: world["calendar_template"].id,
}
SECTIONS: dict[str, Callable[[dict[str, Any]], Any]] = {}
