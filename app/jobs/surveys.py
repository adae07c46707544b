"""Surveys: the daily announcement of the surveys that opened, and the mixing of answers."""

from sqlmodel import Session

from app.jobs import job
from app.models.types import local_date, utcnow
from app.services.ballots import survey_mail
from app.services.ballots import surveys as surveys_service


@job
def surveys_daily(session: Session) -> int:
    """Mail the audiences of the surveys that opened today (Helsinki), and mix the anonymous
    surveys' responses (surveys.mix_due); returns the mails."""
    now = utcnow()
    queued = survey_mail.announce_open(session, now=now)
    surveys_service.mix_due(session, local_date(now))
    return queued
