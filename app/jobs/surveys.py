"""Surveys: the daily announcement of the surveys that opened, and the opening of the sealed
answers of the surveys that closed."""

from sqlmodel import Session

from app.jobs import job
from app.models.types import local_date, utcnow
from app.services.ballots import survey_mail
from app.services.ballots import surveys as surveys_service


@job
def surveys_daily(session: Session) -> int:
    """Mail the audiences of the surveys that opened today (Helsinki), and open the sealed
    answers of the anonymous surveys that have closed (surveys.open_due) and tell their makers
    that the results are ready; returns the mails."""
    now = utcnow()
    queued = survey_mail.announce_open(session, now=now)
    surveys_service.open_due(session, local_date(now))
    queued += survey_mail.announce_closed(session, now=now)
    return queued
