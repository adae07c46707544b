"""The annual calendar: turn the templates into dated events for the coming year."""

from sqlmodel import Session

from app.jobs import job
from app.models.types import local_date, utcnow
from app.services.calendar import generation as calendar_generation


@job
def generate_events(session: Session) -> int:
    """Add the events of the coming twelve months that do not exist yet; returns how many."""
    return len(calendar_generation.generate(session, today=local_date(utcnow())))
