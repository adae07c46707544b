"""Resident meetings: mail the invitations whose day has come."""

from sqlmodel import Session

from app.jobs import job
from app.models.types import utcnow
from app.services.bodies import meetings as meetings_service


@job
def send_due_invitations(session: Session) -> int:
    """Queue the invitations due today or earlier for meetings not yet begun; each goes once."""
    now = utcnow()
    return meetings_service.send_due_invitations(
        session, today=meetings_service.local_date(now), now=now
    )
