"""The scheduler: runs recorded, catch-up within the grace time, missed runs beyond it, and the
advisory lock that lets only one scheduler run on PostgreSQL (a second one takes over)."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import delete, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app import scheduler as scheduler_module
from app.config import ROOT
from app.db import get_engine, make_engine
from app.jobs import job
from app.models.scheduler import JobRun, RunOutcome, scheduler_job
from app.services.platform.scheduler_lock import AdvisoryLock, Leader
from tests.conftest import TEST_DATABASE_URL

TEST_JOBS = ("catch_up_job", "missed_job", "stored_job")


def wait_for(condition: Callable[[], object], timeout: float = 60.0) -> None:
    """Poll until the condition holds; fail after a generous timeout."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("condition not met in time")
        time.sleep(0.05)


@job
def tick(session: Session) -> None:
    """A job that does nothing but get recorded."""


def recorded(job_id: str) -> list[JobRun]:
    with Session(get_engine()) as session:
        return list(
            session.exec(select(JobRun).where(JobRun.job_id == job_id).order_by(col(JobRun.id)))
        )


@pytest.fixture()
def committed(engine: Engine) -> Iterator[Engine]:
    """The test database, written for real by the scheduler's threads; cleaned afterwards."""
    yield get_engine()
    with get_engine().begin() as conn:
        conn.execute(delete(JobRun).where(col(JobRun.job_id).in_(TEST_JOBS)))
        conn.execute(scheduler_job.delete().where(scheduler_job.c.id.in_(TEST_JOBS)))


def run_briefly(scheduler: BackgroundScheduler, job_id: str) -> None:
    """Start, wait until the job has a finished run row, stop (waiting for running jobs)."""
    scheduler.start()
    try:
        wait_for(lambda: any(run.outcome != RunOutcome.running for run in recorded(job_id)))
    finally:
        scheduler.shutdown(wait=True)


def test_runs_missed_within_the_grace_time_are_made_up_for_once(committed):
    now = datetime.now(UTC)
    # Six runs fell due while nothing ran (55, 45 ... 5 minutes ago), all within the hour's grace.
    arguments = {"minutes": 10, "next_run_time": now - timedelta(minutes=55)}
    scheduler = scheduler_module.build(
        jobs=[("catch_up_job", tick, "interval", arguments)], jobstore=MemoryJobStore()
    )
    run_briefly(scheduler, "catch_up_job")
    [run] = recorded("catch_up_job")
    assert run.outcome == RunOutcome.ok
    assert run.scheduled_for is not None
    assert now - timedelta(minutes=6) < run.scheduled_for < now  # the newest of the six


def test_a_run_missed_beyond_the_grace_time_is_recorded_as_missed(committed, monkeypatch):
    monkeypatch.setattr(scheduler_module.get_settings(), "scheduler_grace_seconds", 600)
    now = datetime.now(UTC)
    arguments = {"days": 1, "next_run_time": now - timedelta(hours=2)}
    scheduler = scheduler_module.build(
        jobs=[("missed_job", tick, "interval", arguments)], jobstore=MemoryJobStore()
    )
    run_briefly(scheduler, "missed_job")
    [run] = recorded("missed_job")
    assert run.outcome == RunOutcome.missed
    assert run.scheduled_for is not None
    assert abs(run.scheduled_for - (now - timedelta(hours=2))) < timedelta(seconds=1)


@pytest.mark.parametrize(
    ("down_for", "outcome"),
    [(timedelta(minutes=20), RunOutcome.ok), (timedelta(hours=3), RunOutcome.missed)],
)
def test_after_downtime_the_stored_due_time_is_kept(committed, down_for, outcome):
    """A restart does not reschedule from now: what fell due while down is run or missed."""
    jobs = [("stored_job", tick, "cron", {"hour": 4, "minute": 0})]
    first = scheduler_module.build(jobs=jobs, bind=committed)
    first.start()
    first.shutdown(wait=True)
    with committed.begin() as conn:  # the portal was down when the job fell due
        conn.execute(
            text("UPDATE scheduler_job SET next_run_time = :t WHERE id = 'stored_job'"),
            {"t": (datetime.now(UTC) - down_for).timestamp()},
        )
    run_briefly(scheduler_module.build(jobs=jobs, bind=committed), "stored_job")
    assert [run.outcome for run in recorded("stored_job")] == [outcome]
    with committed.connect() as conn:
        stamp = conn.execute(
            text("SELECT next_run_time FROM scheduler_job WHERE id = 'stored_job'")
        ).scalar_one()
    assert stamp > datetime.now(UTC).timestamp()  # and it is scheduled again


def test_every_registered_job_has_an_id_a_grace_time_and_coalesces():
    scheduler = scheduler_module.build(jobstore=MemoryJobStore())
    scheduler.start(paused=True)  # the job defaults apply once the jobs reach their store
    try:
        for job_id, _func, _trigger, _arguments in scheduler_module.JOBS:
            registered = scheduler.get_job(job_id)
            assert registered is not None
            assert registered.coalesce and registered.max_instances == 1
            assert registered.misfire_grace_time == 3600
    finally:
        scheduler.shutdown()


def test_the_grace_time_is_a_setting(monkeypatch):
    monkeypatch.setattr(scheduler_module.get_settings(), "scheduler_grace_seconds", 120)
    scheduler = scheduler_module.build(jobstore=MemoryJobStore())
    scheduler.start(paused=True)
    try:
        assert scheduler.get_job("send_mail").misfire_grace_time == 120
    finally:
        scheduler.shutdown()


def test_on_sqlite_the_scheduler_needs_no_lock(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'lockless.db'}")
    started: list[bool] = []
    leader = Leader(AdvisoryLock(engine), lambda: started.append(True), lambda: None, 0.1)
    assert leader.begin() and started == [True]
    leader.close()


# ---- two schedulers on PostgreSQL ---------------------------------------------------------

postgres_only = pytest.mark.skipif(
    not TEST_DATABASE_URL.startswith("postgresql"),
    reason="the advisory lock exists only on PostgreSQL; on SQLite one process runs the "
    "scheduler and no lock is taken",
)


def quiet_runner(engine: Engine) -> scheduler_module.Runner:
    """A runner whose scheduler has no jobs, retrying the lock every 0.2 s."""

    def factory() -> BackgroundScheduler:
        return scheduler_module.build(jobs=[], jobstore=MemoryJobStore())

    return scheduler_module.Runner(engine=engine, retry_seconds=0.2, factory=factory)


@postgres_only
def test_a_second_scheduler_waits_and_takes_over_when_the_first_stops(engine):
    first = quiet_runner(make_engine(TEST_DATABASE_URL))
    second = quiet_runner(make_engine(TEST_DATABASE_URL))
    try:
        assert first.begin() and first.active and first.scheduler is not None
        assert not second.begin()
        time.sleep(1.0)  # five retries: still held
        assert not second.active and second.scheduler is None
        first.close()
        wait_for(lambda: second.active)
        assert second.scheduler is not None and second.scheduler.running
    finally:
        first.close()
        second.close()


@postgres_only
def test_a_scheduler_whose_lock_connection_dies_stops_and_another_takes_over(engine):
    first = quiet_runner(make_engine(TEST_DATABASE_URL))
    second = quiet_runner(make_engine(TEST_DATABASE_URL))
    try:
        assert first.begin()
        assert not second.begin()
        connection = first.leader.lock.connection
        assert connection is not None
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        connection.commit()
        with engine.connect() as admin:  # the database drops the first one's connection
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        wait_for(lambda: second.active)
        wait_for(lambda: not first.active)  # it noticed and stopped its jobs
        assert first.scheduler is None
    finally:
        first.close()
        second.close()


HOLDER = """
import time
from app.db import get_engine
from app.services.platform.scheduler_lock import AdvisoryLock
lock = AdvisoryLock(get_engine())
assert lock.acquire()
print("locked", flush=True)
time.sleep(600)
"""


@postgres_only
def test_when_the_process_holding_the_lock_is_killed_the_waiting_one_starts(engine):
    holder = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", HOLDER],
        cwd=ROOT,
        env={**os.environ, "PORTAL_DATABASE_URL": TEST_DATABASE_URL},
        stdout=subprocess.PIPE,
        text=True,
    )
    waiting = quiet_runner(make_engine(TEST_DATABASE_URL))
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        assert not waiting.begin()
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=60)
        wait_for(lambda: waiting.active)
    finally:
        holder.kill()
        waiting.close()


def test_the_worker_runs_until_sigterm_and_stops_cleanly(tmp_path):
    """`portal worker` starts the scheduler and on SIGTERM stops it (releasing any lock)."""
    from tests.test_mail_crash import committed_database

    with committed_database(tmp_path) as url:
        env = {**os.environ, "PORTAL_DATABASE_URL": url, "PORTAL_SCHEDULER_ENABLED": "1"}
        worker = subprocess.Popen(
            [sys.executable, "-c", "from app.cli import main; main()", "worker"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert worker.stdout is not None
            assert worker.stdout.readline().startswith("Scheduler running")
            with make_engine(url).connect() as conn:
                ids = set(conn.execute(text("SELECT id FROM scheduler_job")).scalars())
            assert ids == {job_id for job_id, *_rest in scheduler_module.JOBS}
            worker.send_signal(signal.SIGTERM)
            out, _ = worker.communicate(timeout=60)
            assert worker.returncode == 0
            assert "Scheduler stopped." in out
        finally:
            worker.kill()
