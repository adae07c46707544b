"""Calendar events: the daily invitations and the hourly reminders to registrants."""

from sqlmodel import Session

from app.jobs import job
from app.models.types import utcnow
from app.services.calendar import event_mail


@job
def send_invitations(session: Session) -> int:
    """Invite the audiences of the events whose invitation day has come; returns events."""
    return event_mail.send_invitations(session, now=utcnow()).events


@job
def send_reminders(session: Session) -> int:
    """Remind the registrants of the events whose reminder day has come; returns events."""
    return event_mail.send_reminders(session, now=utcnow()).events
