"""The budget cycle: the daily reminders of the steps' deadlines, each to whoever must act, once."""

from sqlmodel import Session

from app.config import get_settings
from app.jobs import job
from app.models.types import local_date, utcnow
from app.services.finances import budget_cycle


@job
def send_reminders(session: Session) -> int:
    """Queue the deadline reminders due today (Helsinki)."""
    url = f"{get_settings().base_url.rstrip('/')}/budget-cycles"
    return budget_cycle.send_reminders(session, today=local_date(utcnow()), url=url)
