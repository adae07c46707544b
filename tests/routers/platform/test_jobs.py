"""The administrators' job page: jobs with their next and last runs, missed runs, the mail
queue, and running a job now."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlmodel import col, select

from app import scheduler
from app.models.audit import AuditEntry
from app.models.mail import Delivery, DeliveryStatus
from app.models.people import Language, StaffKind
from app.models.scheduler import JobRun, RunOutcome
from tests.support import make_person, make_staff

EN = {"language": Language.en}


def test_the_page_lists_every_job_with_its_runs_and_the_mail_queue(client, session):
    admin = make_staff(session, StaffKind.admin, **EN)
    started = datetime(2031, 2, 3, 5, 15, tzinfo=UTC)
    session.add(
        JobRun(
            job_id="purge_logins",
            started_at=started,
            finished_at=started,
            outcome=RunOutcome.error,
            message="OperationalError: the database went away",
        )
    )
    session.add(
        JobRun(
            job_id="send_meeting_invitations",
            scheduled_for=started - timedelta(days=1),
            started_at=started,
            finished_at=started,
            outcome=RunOutcome.missed,
        )
    )
    session.execute(
        text("INSERT INTO scheduler_job (id, next_run_time, job_state) VALUES (:id, :t, :s)"),
        {"id": "send_mail", "t": datetime(2031, 2, 3, 10, 0, tzinfo=UTC).timestamp(), "s": b"x"},
    )
    session.add(
        Delivery(
            message_key="page:1",
            recipient="refused@example.com",
            subject="Kutsu asukaskokoukseen",
            body_text="...",
            status=DeliveryStatus.failed,
            attempts=1,
            error="550 No such user here",
        )
    )
    session.commit()
    client.login_as(session, admin)
    page = client.get("/admin/jobs")
    assert page.status_code == 200
    html = page.text
    for job_id, *_rest in scheduler.JOBS:
        assert f'id="job-{job_id}"' in html
    assert "OperationalError: the database went away" in html
    assert "Failed" in html
    assert "Missed runs" in html and "No missed runs." not in html
    assert "3 Feb 2031 12:00" in html  # send_mail's next run, in Helsinki time
    assert "550 No such user here" in html and "refused@example.com" in html
    assert html.count("<h1") == 1


def test_before_any_run_the_page_says_so(client, session):
    admin = make_staff(session, StaffKind.admin, **EN)
    session.commit()
    html = client.login_as(session, admin).get("/admin/jobs").text
    assert "Never run" in html and "No missed runs." in html


def test_run_now_runs_the_job_in_this_process_and_records_it(client, session):
    admin = make_staff(session, StaffKind.admin, **EN)
    session.commit()
    client.login_as(session, admin)
    answer = client.submit("/admin/jobs/purge_logins/run")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/jobs#job-purge_logins"
    session.expire_all()
    [run] = session.exec(select(JobRun).where(JobRun.job_id == "purge_logins")).all()
    assert run.outcome == RunOutcome.ok and run.scheduled_for is None
    audit = session.exec(
        select(AuditEntry).where(AuditEntry.entity == "scheduler_job").order_by(col(AuditEntry.id))
    ).all()
    assert [(a.action, a.entity_id, a.actor_id) for a in audit] == [
        ("run_now", "purge_logins", admin.id)
    ]
    assert "Succeeded" in client.get("/admin/jobs").text


def test_an_unknown_job_is_not_found(client, session):
    admin = make_staff(session, StaffKind.admin, **EN)
    session.commit()
    client.login_as(session, admin)
    assert client.submit("/admin/jobs/no_such_job/run").status_code == 404


def test_only_administrators_see_the_page_and_the_admin_menu_links_it(client, session):
    boss = make_staff(session, StaffKind.management, **EN)
    admin = make_staff(session, StaffKind.admin, **EN)
    session.commit()
    assert client.login_as(session, boss).get("/admin/jobs").status_code == 403
    assert client.login_as(session, boss).submit("/admin/jobs/send_mail/run").status_code == 403
    assert 'href="/admin/jobs"' in client.login_as(session, admin).get("/admin").text


def test_anonymous_visitors_are_sent_to_log_in(client):
    answer = client.get("/admin/jobs")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


def test_the_mail_job_run_now_sends_the_queue(client, session, smtp):
    admin = make_staff(session, StaffKind.admin, **EN)
    person = make_person(session)
    from app.services.mail import delivery as mail

    mail.queue(session, "page:2", person, "login_link", url="https://x.example", minutes=5)
    session.commit()
    client.login_as(session, admin)
    assert client.submit("/admin/jobs/send_mail/run").status_code == 303
    assert len(smtp.to(person.email)) == 1
