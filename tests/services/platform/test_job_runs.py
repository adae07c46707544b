"""Job runs: every run recorded (ok or error, in a transaction of its own), pruned, summarised."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session, col, func, select

from app import jobs, policies
from app.jobs import housekeeping, job
from app.models.mail import Delivery, DeliveryStatus
from app.models.people import Person, StaffKind
from app.models.scheduler import JobRun, RunOutcome
from app.services.access.roles import Principal
from app.services.mail import delivery as mail_service
from app.services.platform import job_runs
from tests.support import make_person


@job
def writes_a_person(session: Session) -> str:
    """A job that succeeds and leaves a row."""
    session.add(make_person(session, name="Ajon Tulos", email="ajo@example.com"))
    return "done"


@job
def fails_after_writing(session: Session) -> None:
    """A job that writes and then fails: its write is rolled back, its run row is not."""
    make_person(session, name="Peruttu Rivi", email="peruttu@example.com")
    raise RuntimeError("the job broke")


def runs(session: Session, job_id: str) -> list[JobRun]:
    session.expire_all()
    return list(
        session.exec(select(JobRun).where(JobRun.job_id == job_id).order_by(col(JobRun.id)))
    )


def test_a_successful_run_is_recorded(session, connection):
    assert writes_a_person(connection) == "done"
    [run] = runs(session, "writes_a_person")
    assert run.outcome == RunOutcome.ok
    assert run.finished_at is not None and run.finished_at >= run.started_at
    assert run.message == ""
    host, _, pid = run.host.rpartition(":")
    assert host and pid.isdigit()
    assert run.scheduled_for is None  # run by hand, not by the scheduler


def test_a_failing_job_rolls_back_its_work_but_leaves_an_error_row(session, connection):
    with pytest.raises(RuntimeError):
        fails_after_writing(connection)
    [run] = runs(session, "fails_after_writing")
    assert run.outcome == RunOutcome.error
    assert "RuntimeError: the job broke" in run.message
    assert run.finished_at is not None
    assert session.exec(select(Person).where(Person.email == "peruttu@example.com")).first() is None


def test_a_registered_job_is_recorded_under_its_scheduler_id(session, connection):
    housekeeping.purge_logins(connection)
    assert [run.outcome for run in runs(session, "purge_logins")] == [RunOutcome.ok]


def test_the_scheduler_tells_the_run_its_id_and_due_time(session, connection):
    due = datetime(2031, 3, 1, 5, 0, tzinfo=UTC)
    token = jobs.current_run.set(("nightly_check", due))
    try:
        writes_a_person(connection)
    finally:
        jobs.current_run.reset(token)
    [run] = runs(session, "nightly_check")
    assert run.scheduled_for == due and run.outcome == RunOutcome.ok


def test_the_mail_job_is_recorded_too(session, connection):
    person = make_person(session)
    mail_service.queue(session, "runs:1", person, "login_link", url="https://x.example", minutes=5)
    session.commit()
    assert housekeeping.send_mail(connection) == 1
    [run] = runs(session, "send_mail")
    assert run.outcome == RunOutcome.ok


def test_run_now_records_an_error_without_raising(session, connection):
    jobs.run_now("by_hand", fails_after_writing, connection)
    [run] = runs(session, "by_hand")
    assert run.outcome == RunOutcome.error and "the job broke" in run.message


def test_run_now_records_a_plain_function_too(session, connection):
    called: list[bool] = []
    jobs.run_now("plain_job", lambda: called.append(True), connection)
    assert called == [True]
    assert [run.outcome for run in runs(session, "plain_job")] == [RunOutcome.ok]


def test_only_the_newest_runs_of_each_job_are_kept(session):
    for n in range(7):
        session.add(JobRun(job_id="busy", outcome=RunOutcome.ok, message=f"run {n}"))
    for n in range(2):
        session.add(JobRun(job_id="quiet", outcome=RunOutcome.ok, message=f"run {n}"))
    session.flush()
    assert job_runs.prune(session, keep=3) == 4
    assert [run.message for run in runs(session, "busy")] == ["run 4", "run 5", "run 6"]
    assert len(runs(session, "quiet")) == 2
    assert job_runs.prune(session, keep=3) == 0


def test_the_housekeeping_job_prunes_runs(session, connection, monkeypatch, settings):
    monkeypatch.setattr(settings, "scheduler_runs_kept", 2)
    for n in range(4):
        session.add(JobRun(job_id="old_runs", outcome=RunOutcome.ok, message=str(n)))
    session.commit()
    assert housekeeping.prune_job_runs(connection) == 2
    assert [run.message for run in runs(session, "old_runs")] == ["2", "3"]


def test_a_missed_run_is_recorded_with_its_due_time(session, connection):
    due = datetime(2031, 3, 1, 1, 15, tzinfo=UTC)
    job_runs.missed(connection, "purge_logins", due)
    [run] = runs(session, "purge_logins")
    assert run.outcome == RunOutcome.missed and run.scheduled_for == due


def test_the_overview_shows_next_last_error_and_missed(session, connection):
    next_run = datetime(2031, 4, 2, 4, 0, tzinfo=UTC)
    session.execute(
        text("INSERT INTO scheduler_job (id, next_run_time, job_state) VALUES (:id, :t, :s)"),
        {"id": "overview_job", "t": next_run.timestamp(), "s": b"state"},
    )
    early = datetime(2031, 4, 1, 4, 0, tzinfo=UTC)
    session.add(
        JobRun(job_id="overview_job", started_at=early, outcome=RunOutcome.error, message="boom")
    )
    session.add(
        JobRun(
            job_id="overview_job",
            started_at=early + timedelta(hours=1),
            outcome=RunOutcome.missed,
            scheduled_for=early - timedelta(hours=3),
        )
    )
    session.add(
        JobRun(job_id="overview_job", started_at=early + timedelta(hours=2), outcome=RunOutcome.ok)
    )
    session.flush()
    [status, never] = job_runs.overview(
        session, [("overview_job", "cron hour=7"), ("never_run", "interval minutes=1")]
    )
    assert status.next_run_at == next_run
    assert status.last_run is not None and status.last_run.outcome == RunOutcome.ok
    assert status.last_error is not None and status.last_error.message == "boom"
    assert [run.scheduled_for for run in status.missed] == [early - timedelta(hours=3)]
    assert never.next_run_at is None and never.last_run is None and never.missed == []


def test_the_trigger_is_described_with_its_arguments():
    assert job_runs.describe_trigger("cron", {"hour": 7, "minute": 0}) == "cron hour=7 minute=0"


def test_the_mail_queue_health_counts_pending_stuck_and_failed(session, settings):
    now = datetime(2031, 5, 1, 12, 0, tzinfo=UTC)
    lease = timedelta(seconds=settings.mail_sending_lease_seconds)

    def delivery(n: int, status: DeliveryStatus, **fields: object) -> None:
        session.add(
            Delivery(
                message_key=f"health:{n}",
                recipient=f"h{n}@example.com",
                subject="S",
                body_text="B",
                status=status,
                **fields,
            )
        )

    delivery(1, DeliveryStatus.pending)
    delivery(2, DeliveryStatus.pending, attempts=2, next_attempt_at=now + timedelta(minutes=2))
    delivery(3, DeliveryStatus.sending, claimed_at=now - timedelta(seconds=5))  # being sent
    delivery(4, DeliveryStatus.sending, claimed_at=now - lease - timedelta(seconds=1))  # stuck
    delivery(5, DeliveryStatus.failed, attempts=1, error="550 No such user here")
    delivery(6, DeliveryStatus.sent)
    session.flush()
    health = mail_service.queue_health(session, settings, now=now)
    assert (health.pending, health.stuck, health.failed) == (2, 1, 1)
    assert [d.error for d in health.newest_failures] == ["550 No such user here"]


def test_only_administrators_manage_jobs():
    def principal(*staff: StaffKind, **roles: set[int]) -> Principal:
        return Principal(
            person=Person(id=7, name="P", email="p@example.com"), staff=set(staff), **roles
        )

    assert policies.can_manage_jobs(principal(StaffKind.admin))
    assert not policies.can_manage_jobs(principal(StaffKind.management))
    assert not policies.can_manage_jobs(principal(StaffKind.property_manager, manager_of={1}))
    assert not policies.can_manage_jobs(principal(resident_of={1}, committee_of={1}, chair_of={1}))
    assert not policies.can_manage_jobs(None)


def test_the_mail_job_sends_batch_after_batch_while_mail_is_waiting(session, connection):
    person = make_person(session)
    waiting = 1_234  # more than one batch of send_pending
    mail_service.queue_many(
        session,
        [
            Delivery(
                message_key="continuous:1",
                recipient=f"reader{n}@example.com",
                person_id=person.id,
                subject="Uutiskirje",
                body_text="Teksti",
            )
            for n in range(waiting)
        ],
    )
    session.commit()
    assert housekeeping.send_mail(connection) == waiting
    left = session.exec(
        select(func.count()).select_from(Delivery).where(Delivery.status != DeliveryStatus.sent)
    ).one()
    assert left == 0
