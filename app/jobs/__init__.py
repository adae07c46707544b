"""Scheduled jobs: plain functions that open their own session; registered in app/scheduler.py.

Every run is recorded in the job_run table (app/services/platform/job_runs.py) in a short
transaction of its own, so a job that fails and rolls back still leaves a row saying so.
"""

import functools
import inspect
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from app.db import get_engine, writing
from app.services.platform import job_runs

log = logging.getLogger("app.jobs")

Bind = Engine | Connection

# Set by the scheduler's executor around a run: the job's id and the time it was due.
current_run: ContextVar[tuple[str, datetime | None] | None] = ContextVar(
    "current_run", default=None
)


# The id each scheduled job function is registered under: filled by the registry
# (app.scheduler.JOBS) when it is imported, so this package never imports its registry.
_registered_ids: dict[Callable[..., Any], str] = {}


def register_ids(entries: Iterable[tuple[str, Callable[..., Any]]]) -> None:
    """Record the registered id of each job function."""
    for job_id, func in entries:
        _registered_ids.setdefault(func, job_id)


def _job_id(func: Callable[..., Any], fallback: str) -> str:
    """The registered id of a job function, else its name."""
    return _registered_ids.get(func, fallback)


@contextmanager
def recorded(job_id: str, bind: Bind) -> Iterator[None]:
    """Record one run of a job around the block: started, then ok or error."""
    context = current_run.get()
    scheduled_for = context[1] if context is not None and context[0] == job_id else None
    run_id = job_runs.begin(bind, job_id, scheduled_for)
    started = time.monotonic()
    try:
        yield
    except Exception as exc:
        log.exception("job %s failed", job_id)
        try:
            job_runs.finish(bind, run_id, exc)
        except Exception:  # noqa: BLE001 - the job's own error is the one to raise
            log.exception("could not record the failed run of %s", job_id)
        raise
    job_runs.finish(bind, run_id)
    log.info("job %s done in %.2fs", job_id, time.monotonic() - started)


def run_id_for(func: Callable[..., Any]) -> str:
    """The id a job function's runs are recorded under."""
    context = current_run.get()
    if context is not None:
        return context[0]
    return _job_id(func, getattr(func, "__name__", "job"))


def job(func: Callable[[Session], Any]) -> Callable[..., Any]:
    """Run a job in its own transaction (committed on success, rolled back on error); record it.

    The optional `bind` (an engine, or a connection in tests) is what both the job and its run
    record connect through; the scheduler calls the job without it (the portal's database).
    """

    @functools.wraps(func)
    def run(bind: Bind | None = None) -> Any:
        bind = bind if bind is not None else get_engine()
        with (
            writing(),
            recorded(run_id_for(run), bind),
            Session(
                bind, expire_on_commit=False, join_transaction_mode="create_savepoint"
            ) as session,
        ):
            try:
                result = func(session)
                session.commit()
            except Exception:
                session.rollback()
                raise
        return result

    return run


def run_now(job_id: str, func: Callable[..., Any], bind: Bind) -> None:
    """Run a registered job at once in this process, recorded as a run of `job_id`.

    Its failure is in the run's row (outcome error) and the log; it is not raised further.
    """
    token = current_run.set((job_id, None))
    try:
        if inspect.signature(func).parameters:
            func(bind)  # a @job (or send_mail): records its own run through the bind
        else:
            with recorded(job_id, bind):
                func()
    except Exception:  # noqa: BLE001 - recorded by the job's run row already
        log.info("job %s run on request ended in an error", job_id)
    finally:
        current_run.reset(token)
