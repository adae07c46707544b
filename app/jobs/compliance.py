"""Compliance: the daily reminders of what the cooperation model promises (meetings, terms,
newsletters), each to whoever must act, once."""

from sqlmodel import Session

from app.jobs import job
from app.models.types import local_date, utcnow
from app.services.compliance import reminders as reminders_service


@job
def send_reminders(session: Session) -> reminders_service.ReminderRun:
    """Queue the reminders due today (Helsinki)."""
    return reminders_service.send_reminders(session, today=local_date(utcnow()))
