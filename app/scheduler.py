"""The scheduler: every job is registered here, with an explicit id."""

import logging
from collections.abc import Callable
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from app.config import get_settings
from app.db import get_engine
from app.jobs import housekeeping, initiatives, meetings

log = logging.getLogger(__name__)
_scheduler: BackgroundScheduler | None = None

DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}


# Every scheduled job: (id, function, trigger, trigger arguments). Add new jobs here.
JOBS: list[tuple[str, Callable[[], Any], str, dict[str, Any]]] = [
    ("send_mail", housekeeping.send_mail, "interval", {"minutes": 1}),
    ("purge_logins", housekeeping.purge_logins, "cron", {"hour": 3, "minute": 15}),
    ("send_meeting_invitations", meetings.send_due_invitations, "cron", {"hour": 6, "minute": 30}),
    (
        "initiative_deadlines",
        initiatives.initiative_deadlines_daily,
        "cron",
        {"hour": 7, "minute": 0},
    ),
]


def build() -> BackgroundScheduler:
    """A scheduler with its persistent job store in the portal's database."""
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=get_engine(), tablename="scheduler_job")},
        job_defaults=DEFAULTS,
        timezone="Europe/Helsinki",
    )
    for job_id, func, trigger, arguments in JOBS:
        scheduler.add_job(func, trigger, id=job_id, replace_existing=True, **arguments)
    return scheduler


def start(force: bool = False) -> bool:
    """Start the scheduler; without force, only when PORTAL_SCHEDULER_ENABLED is on."""
    global _scheduler
    if (not force and not get_settings().scheduler_enabled) or _scheduler is not None:
        return False
    _scheduler = build()
    _scheduler.start()
    log.info("scheduler started")
    return True


def start_if_enabled() -> bool:
    """Start the in-process scheduler unless PORTAL_SCHEDULER_ENABLED=0."""
    return start()


def shutdown() -> None:
    """Stop the scheduler."""
    global _scheduler
    if _scheduler is not None:
        _scheduler.shutdown(wait=False)
        _scheduler = None
