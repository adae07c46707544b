"""Job runs: each scheduled run (or missed run) recorded, and the administrators' job overview."""

import os
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, text, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col, select

from app.models.audit import AuditEntry
from app.models.scheduler import JobRun, RunOutcome
from app.models.types import utcnow

Bind = Engine | Connection


def host() -> str:
    """Which process runs: hostname:pid."""
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def _own_session(bind: Bind) -> Session:
    # Its own short transaction (a savepoint when the bind is already in one, as in tests), so
    # a job that fails and rolls back still leaves its run row behind.
    return Session(bind, expire_on_commit=False, join_transaction_mode="create_savepoint")


def begin(
    bind: Bind, job_id: str, scheduled_for: datetime | None = None, now: datetime | None = None
) -> int:
    """Record that a run starts; the id of its row."""
    with _own_session(bind) as session:
        run = JobRun(
            job_id=job_id,
            scheduled_for=scheduled_for,
            started_at=now or utcnow(),
            outcome=RunOutcome.running,
            host=host(),
        )
        session.add(run)
        session.commit()
        assert run.id is not None
        return run.id


def finish(
    bind: Bind, run_id: int, error: BaseException | None = None, now: datetime | None = None
) -> None:
    """Record how a run ended: ok, or error with its message."""
    values: dict[str, Any] = {"finished_at": now or utcnow(), "outcome": RunOutcome.ok}
    if error is not None:
        values.update(outcome=RunOutcome.error, message=f"{type(error).__name__}: {error}"[:4000])
    # One UPDATE, no read first: on SQLite a read that turns into a write can deadlock with
    # the job store's writes and fail at once instead of waiting.
    with _own_session(bind) as session:
        session.execute(update(JobRun).where(col(JobRun.id) == run_id).values(**values))
        session.commit()


def missed(bind: Bind, job_id: str, scheduled_for: datetime, now: datetime | None = None) -> None:
    """Record a run that came too late to be made up for (beyond the misfire grace time)."""
    moment = now or utcnow()
    with _own_session(bind) as session:
        session.add(
            JobRun(
                job_id=job_id,
                scheduled_for=scheduled_for,
                started_at=moment,
                finished_at=moment,
                outcome=RunOutcome.missed,
                host=host(),
            )
        )
        session.commit()


def prune(session: Session, keep: int) -> int:
    """Keep only the newest `keep` rows of every job; the number of rows deleted."""
    deleted = 0
    for job_id in session.exec(select(JobRun.job_id).distinct()).all():
        oldest_kept = session.exec(
            select(JobRun.id)
            .where(JobRun.job_id == job_id)
            .order_by(col(JobRun.id).desc())
            .offset(keep - 1)
            .limit(1)
        ).first()
        if oldest_kept is None:
            continue
        result = session.execute(
            delete(JobRun).where(col(JobRun.job_id) == job_id, col(JobRun.id) < oldest_kept)
        )
        deleted += result.rowcount  # type: ignore[attr-defined]
    session.flush()
    return deleted


@dataclass
class JobStatus:
    """One registered job as the administrators see it."""

    job_id: str
    trigger: str
    next_run_at: datetime | None
    last_run: JobRun | None
    last_error: JobRun | None
    missed: list[JobRun] = field(default_factory=list)


def next_run_times(session: Session) -> dict[str, datetime | None]:
    """The next run of every job in the scheduler's store (empty before it first ran)."""
    rows = session.execute(text("SELECT id, next_run_time FROM scheduler_job")).all()
    return {
        str(job_id): None if stamp is None else datetime.fromtimestamp(float(stamp), UTC)
        for job_id, stamp in rows
    }


def describe_trigger(trigger: str, arguments: dict[str, Any]) -> str:
    """A trigger as the job list shows it, e.g. "cron hour=7 minute=0"."""
    return " ".join([trigger, *(f"{key}={value}" for key, value in arguments.items())])


def overview(
    session: Session, jobs: list[tuple[str, str]], missed_limit: int = 5
) -> list[JobStatus]:
    """Every registered job (id, trigger text) with its next run, last run and recent misses."""
    upcoming = next_run_times(session)
    statuses = []
    for job_id, trigger in jobs:

        def newest(*outcomes: RunOutcome, job_id: str = job_id) -> Any:
            query = select(JobRun).where(JobRun.job_id == job_id)
            if outcomes:
                query = query.where(col(JobRun.outcome).in_(outcomes))
            return query.order_by(col(JobRun.id).desc())

        statuses.append(
            JobStatus(
                job_id=job_id,
                trigger=trigger,
                next_run_at=upcoming.get(job_id),
                last_run=session.exec(
                    newest(RunOutcome.running, RunOutcome.ok, RunOutcome.error).limit(1)
                ).first(),
                last_error=session.exec(newest(RunOutcome.error).limit(1)).first(),
                missed=list(session.exec(newest(RunOutcome.missed).limit(missed_limit))),
            )
        )
    return statuses


def count(session: Session, job_id: str) -> int:
    """How many runs of a job are kept."""
    return session.exec(
        select(func.count()).select_from(JobRun).where(JobRun.job_id == job_id)
    ).one()


def request_run(session: Session, job_id: str, actor_id: int | None) -> None:
    """Audit an administrator's request to run a job now (the run itself records its outcome)."""
    session.add(
        AuditEntry(
            actor_id=actor_id,
            action="run_now",
            entity="scheduler_job",
            entity_id=job_id,
            before=None,
            after={"job_id": job_id},
        )
    )
    session.flush()
