"""Housekeeping: send queued mail, forget expired logins, prune old job runs."""

from typing import Any

from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from app.config import get_settings
from app.db import get_engine
from app.jobs import job, recorded, run_id_for
from app.services.accounts import auth as auth_service
from app.services.mail import delivery as mail_service
from app.services.platform import job_runs


def send_mail(bind: Engine | Connection | None = None) -> Any:
    """Send whatever the delivery table holds as due (each row claimed before it leaves), batch
    after batch while mail is waiting: a large newsletter goes out continuously, not a batch a
    minute (the scheduler starts no second run meanwhile)."""
    # Not a @job: send_pending commits each claim and each result in transactions of its own.
    bind = bind if bind is not None else get_engine()
    total = 0
    with recorded(run_id_for(send_mail), bind):
        while True:
            sent = mail_service.send_pending(bind)
            total += sent
            if sent == 0:  # nothing due, or only mail waiting for its next try
                return total


@job
def purge_logins(session: Session) -> None:
    """Forget expired sessions, login links, access tokens and old attempts."""
    auth_service.purge_expired(session)


@job
def prune_job_runs(session: Session) -> int:
    """Keep only the newest runs of every job for the job page."""
    return job_runs.prune(session, get_settings().scheduler_runs_kept)
