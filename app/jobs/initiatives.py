"""Initiatives: the daily run of deadline reminders, overdue digests and review reminders."""

from sqlmodel import Session

from app.jobs import job
from app.models.types import utcnow
from app.services.initiatives import deadlines as initiative_deadlines
from app.services.initiatives.deadlines import DailyRun


@job
def initiative_deadlines_daily(session: Session) -> DailyRun:
    """Remind of deadlines coming up, flag overdue initiatives, remind of review dates."""
    return initiative_deadlines.run_daily(session, utcnow())
