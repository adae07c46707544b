"""Newsletters: resolve the audience of every newsletter whose time has come."""

from sqlmodel import Session

from app.jobs import job
from app.models.types import utcnow
from app.services.newsletters import sending as newsletter_audience


@job
def send_due_newsletters(session: Session) -> int:
    """Write the deliveries of the due newsletters (the send_mail job then sends them)."""
    return newsletter_audience.send_due(session, utcnow())
