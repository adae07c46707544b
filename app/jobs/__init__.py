"""Scheduled jobs: plain functions that open their own session; registered in app/scheduler.py."""

import functools
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlmodel import Session

from app.db import get_engine, session_scope

log = logging.getLogger("app.jobs")

F = TypeVar("F", bound=Callable[..., Any])


def job(func: Callable[[Session], Any]) -> Callable[[], Any]:
    """Run a job in its own transaction: committed on success, rolled back and logged on error."""

    @functools.wraps(func)
    def run() -> Any:
        started = time.monotonic()
        try:
            with session_scope(get_engine()) as session:
                result = func(session)
        except Exception:
            log.exception("job %s failed", func.__name__)
            raise
        log.info("job %s done in %.2fs", func.__name__, time.monotonic() - started)
        return result

    return run
