"""Accessibility feedback: the daily reminders of answers falling due."""

from sqlmodel import Session

from app.jobs import job
from app.models.types import local_date, utcnow
from app.services.accessibility import feedback as accessibility


@job
def feedback_reminders(session: Session) -> accessibility.ReminderRun:
    """Remind the administrators of feedback due in a few days or today (Helsinki)."""
    return accessibility.send_reminders(session, today=local_date(utcnow()))
