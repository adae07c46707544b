"""Digests: the daily and the weekly summary of held notifications."""

from sqlmodel import Session

from app.jobs import job
from app.models.newsletters import Frequency
from app.models.types import utcnow
from app.services.mail import digest_mail


@job
def digest_daily(session: Session) -> int:
    """Queue each person's daily digest (and items switched to "at once" since they were held)."""
    return digest_mail.send_digests(session, Frequency.daily, utcnow())


@job
def digest_weekly(session: Session) -> int:
    """Queue each person's weekly digest."""
    return digest_mail.send_digests(session, Frequency.weekly, utcnow())
