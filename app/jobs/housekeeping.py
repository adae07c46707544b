"""Housekeeping: send queued mail, forget expired logins."""

from typing import Any

from sqlmodel import Session

from app.db import get_engine
from app.jobs import job
from app.services import auth as auth_service
from app.services import mail as mail_service


def send_mail() -> Any:
    """Send whatever the delivery table holds as pending (each row at most once)."""
    return mail_service.send_pending(get_engine())


@job
def purge_logins(session: Session) -> None:
    """Forget expired sessions, login links, access tokens and old attempts."""
    auth_service.purge_expired(session)
