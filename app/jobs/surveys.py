"""Surveys: the daily announcement of the surveys that opened."""

from sqlmodel import Session

from app.jobs import job
from app.models.types import utcnow
from app.services import survey_mail


@job
def surveys_daily(session: Session) -> int:
    """Mail the audiences of the surveys that opened today (Helsinki); returns the mails."""
    return survey_mail.announce_open(session, now=utcnow())
