"""Factories for calendar events, made directly so registration tests need no calendar pages."""

from datetime import timedelta
from itertools import count
from typing import Any

from sqlmodel import Session

from app.models.calendar import Audience, CalendarEvent
from app.models.types import utcnow

_seq = count(1)


def make_event(session: Session, days_ahead: float = 10, **fields: Any) -> CalendarEvent:
    """An event some days from now, for all residents, taking registrations without a limit."""
    starts = fields.pop("starts_at", None) or utcnow() + timedelta(days=days_ahead)
    n = next(_seq)
    values: dict[str, Any] = {
        "title_fi": f"Turvallisuusilta {n}",
        "title_sv": f"Säkerhetskväll {n}",
        "title_en": f"Safety evening {n}",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "audience": Audience.all_residents,
        "place": "Kerhohuone",
        "registration": True,
    }
    values.update(fields)
    event = CalendarEvent(**values)
    session.add(event)
    session.flush()
    return event
