"""The scheduler: every job is registered here, with an explicit id.

Jobs are kept in the persistent job store (table scheduler_job) so that after downtime a run
that fell due meanwhile is made up for: runs missed within PORTAL_SCHEDULER_GRACE_SECONDS are
coalesced into one catch-up run, older ones are recorded as missed (job_run, outcome missed).
On PostgreSQL only the process holding an advisory lock runs the jobs (see
app/services/platform/scheduler_lock.py); on SQLite there is one process and no lock.
"""

import logging
from collections.abc import Callable
from concurrent.futures import Future
from datetime import UTC, datetime
from typing import Any

from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.executors.base import run_job
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job
from apscheduler.jobstores.base import BaseJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from app.config import get_settings
from app.db import get_engine
from app.jobs import accessibility as accessibility_jobs
from app.jobs import budget_cycle as budget_cycle_jobs
from app.jobs import calendar as calendar_jobs
from app.jobs import (
    compliance,
    current_run,
    event_mail,
    housekeeping,
    initiatives,
    meetings,
    register_ids,
)
from app.jobs import data_protection as data_protection_jobs
from app.jobs import digests as digest_jobs
from app.jobs import elections as election_jobs
from app.jobs import newsletters as newsletter_jobs
from app.jobs import surveys as survey_jobs
from app.services.platform import job_runs
from app.services.platform.scheduler_lock import AdvisoryLock, Leader

log = logging.getLogger(__name__)
_runner: "Runner | None" = None


# Every scheduled job: (id, function, trigger, trigger arguments). Add new jobs here.
JOBS: list[tuple[str, Callable[[], Any], str, dict[str, Any]]] = [
    ("send_mail", housekeeping.send_mail, "interval", {"minutes": 1}),
    ("newsletters_send", newsletter_jobs.send_due_newsletters, "interval", {"minutes": 1}),
    ("purge_logins", housekeeping.purge_logins, "cron", {"hour": 3, "minute": 15}),
    ("prune_job_runs", housekeeping.prune_job_runs, "cron", {"hour": 3, "minute": 30}),
    ("data_retention", data_protection_jobs.apply_retention, "cron", {"hour": 3, "minute": 45}),
    ("send_meeting_invitations", meetings.send_due_invitations, "cron", {"hour": 6, "minute": 30}),
    (
        "initiative_deadlines",
        initiatives.initiative_deadlines_daily,
        "cron",
        {"hour": 7, "minute": 0},
    ),
    ("calendar_generate", calendar_jobs.generate_events, "cron", {"hour": 2, "minute": 30}),
    ("event_invitations", event_mail.send_invitations, "cron", {"hour": 6, "minute": 45}),
    ("event_reminders", event_mail.send_reminders, "cron", {"minute": 5}),
    ("compliance_reminders", compliance.send_reminders, "cron", {"hour": 8, "minute": 0}),
    (
        "budget_cycle_reminders",
        budget_cycle_jobs.send_reminders,
        "cron",
        {"hour": 8, "minute": 5},
    ),
    ("digest_daily", digest_jobs.digest_daily, "cron", {"hour": 6, "minute": 0}),
    ("elections_daily", election_jobs.elections_daily, "cron", {"hour": 0, "minute": 20}),
    ("surveys_daily", survey_jobs.surveys_daily, "cron", {"hour": 7, "minute": 20}),
    (
        "digest_weekly",
        digest_jobs.digest_weekly,
        "cron",
        {"day_of_week": "mon", "hour": 6, "minute": 0},
    ),
    (
        "accessibility_feedback_reminders",
        accessibility_jobs.feedback_reminders,
        "cron",
        {"hour": 8, "minute": 10},
    ),
]

register_ids((job_id, func) for job_id, func, *_rest in JOBS)


def defaults() -> dict[str, Any]:
    """Every job: runs missed meanwhile coalesced into one, never two at once, a grace time."""
    return {
        "coalesce": True,
        "max_instances": 1,
        "misfire_grace_time": get_settings().scheduler_grace_seconds,
    }


class RecordingExecutor(ThreadPoolExecutor):  # type: ignore[misc]
    """A thread pool that tells the job which run it is (id and due time), for its run row."""

    def _do_submit_job(self, job: Job, run_times: list[datetime]) -> None:
        def run_in_context() -> Any:
            token = current_run.set((job.id, run_times[-1] if run_times else None))
            try:
                return run_job(job, job._jobstore_alias, run_times, self._logger.name)
            finally:
                current_run.reset(token)

        def callback(future: Future[Any]) -> None:
            exc = future.exception()
            if exc is not None:
                self._run_job_error(job.id, exc, exc.__traceback__)
            else:
                self._run_job_success(job.id, future.result())

        self._pool.submit(run_in_context).add_done_callback(callback)


def _stored_due_times(engine: Engine) -> dict[str, datetime]:
    """Jobs whose stored next run is already past: due while no scheduler ran."""
    now = datetime.now(UTC)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT id, next_run_time FROM scheduler_job")).all()
    except DBAPIError:
        log.warning("scheduler job store not readable; nothing to make up for", exc_info=True)
        return {}
    stored = {
        str(job_id): datetime.fromtimestamp(float(stamp), UTC)
        for job_id, stamp in rows
        if stamp is not None
    }
    return {job_id: moment for job_id, moment in stored.items() if moment <= now}


def build(
    jobs: list[tuple[str, Callable[[], Any], str, dict[str, Any]]] | None = None,
    jobstore: BaseJobStore | None = None,
    bind: Engine | None = None,
) -> BackgroundScheduler:
    """A scheduler with its persistent job store in the portal's database (or the given one).

    A job whose stored next run is already past keeps that time instead of being rescheduled
    from now, so the scheduler, once started, runs it late (within the grace time, coalesced)
    or records it as missed.
    """
    engine = bind if bind is not None else get_engine()
    store = jobstore or SQLAlchemyJobStore(engine=engine, tablename="scheduler_job")
    scheduler = BackgroundScheduler(
        jobstores={"default": store},
        executors={"default": RecordingExecutor(max_workers=4)},
        job_defaults=defaults(),
        timezone="Europe/Helsinki",
    )

    def on_missed(event: JobExecutionEvent) -> None:
        try:
            job_runs.missed(engine, event.job_id, event.scheduled_run_time)
        except Exception:  # noqa: BLE001 - a listener must not break the scheduler's loop
            log.exception("could not record the missed run of %s", event.job_id)

    scheduler.add_listener(on_missed, EVENT_JOB_MISSED)
    due = _stored_due_times(engine) if isinstance(store, SQLAlchemyJobStore) else {}
    registered = jobs if jobs is not None else JOBS
    for job_id, func, trigger, arguments in registered:
        extra: dict[str, Any] = {}
        if job_id in due:
            extra["next_run_time"] = due[job_id]
        scheduler.add_job(func, trigger, id=job_id, replace_existing=True, **arguments, **extra)
    return scheduler


def _forget_unregistered(scheduler: BackgroundScheduler, ids: set[str]) -> None:
    """Jobs left in the store by an older version of the portal: removed."""
    for job in scheduler.get_jobs():
        if job.id not in ids:
            log.info("removing job %s: no longer registered", job.id)
            job.remove()


class Runner:
    """The portal's scheduler, started only while this process holds the scheduler lock."""

    def __init__(
        self,
        engine: Engine | None = None,
        retry_seconds: float | None = None,
        factory: Callable[[], BackgroundScheduler] | None = None,
    ) -> None:
        self.engine = engine if engine is not None else get_engine()
        self.factory = factory or (lambda: build(bind=self.engine))
        self.scheduler: BackgroundScheduler | None = None
        self._closing = False
        retry = retry_seconds
        if retry is None:
            retry = get_settings().scheduler_lock_retry_seconds
        self.leader = Leader(AdvisoryLock(self.engine), self._start, self._stop, retry)

    def _start(self) -> None:
        # A fresh scheduler each time: one stopped after losing the lock is not restarted.
        scheduler = self.factory()
        scheduler.start()
        _forget_unregistered(scheduler, {job_id for job_id, *_rest in JOBS})
        self.scheduler = scheduler
        log.info("scheduler started")

    def _stop(self) -> None:
        if self.scheduler is not None:
            # On a normal stop the running jobs finish before the lock is given up, so that the
            # next scheduler never runs a job beside them; a lost lock cannot wait for them.
            self.scheduler.shutdown(wait=self._closing)
            self.scheduler = None
        log.info("scheduler stopped")

    @property
    def active(self) -> bool:
        """Whether this process runs the jobs now."""
        return self.leader.active

    def begin(self) -> bool:
        """Start now if the lock is free (always on SQLite); else wait for it in the background."""
        return self.leader.begin()

    def close(self) -> None:
        """Stop the jobs (letting running ones finish) and give the lock back."""
        self._closing = True
        self.leader.close()


def start(force: bool = False) -> bool:
    """Start the scheduler (or its wait for the lock); without force, only when enabled.

    True when this process now runs the scheduler or waits for the lock to; False when the
    scheduler is disabled or already started.
    """
    global _runner
    if (not force and not get_settings().scheduler_enabled) or _runner is not None:
        return False
    _runner = Runner()
    if not _runner.begin():
        log.info("scheduler waiting for the lock held by another process")
    return True


def current() -> Runner | None:
    """This process's scheduler runner, if started."""
    return _runner


def start_if_enabled() -> bool:
    """Start the in-process scheduler unless PORTAL_SCHEDULER_ENABLED=0."""
    return start()


def shutdown() -> None:
    """Stop the scheduler and release its lock."""
    global _runner
    if _runner is not None:
        _runner.close()
        _runner = None
