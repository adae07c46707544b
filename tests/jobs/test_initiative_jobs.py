"""The daily initiative job: reads the clock once, runs the three checks, registered by its id."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from app.jobs import initiatives as initiative_jobs
from app.models.initiatives import State
from app.models.mail import Delivery
from app.models.people import StaffKind
from app.services.mail import delivery as mail_service
from tests.support import (
    make_house,
    make_initiative,
    make_manager,
    make_person,
    make_resident,
    make_staff,
)

HELSINKI = ZoneInfo("Europe/Helsinki")


def test_the_job_runs_the_checks_on_the_clocks_day_and_twice_sends_once(
    session, connection, smtp, monkeypatch
):
    boss = make_staff(session, StaffKind.management)
    house = make_house(session)
    manager = make_manager(session, house)
    filer = make_resident(session, house)
    due = date(2031, 5, 20)
    reminded = make_initiative(session, filer, house, State.submitted, receipt_due_on=due)
    late = make_initiative(
        session, make_person(session), None, State.received, answer_due_on=due - timedelta(days=10)
    )
    reviewed = make_initiative(session, filer, house, State.implemented, review_on=due)
    job = initiative_jobs.initiative_deadlines_daily.__wrapped__  # in the test's transaction

    # Eight days before: the reminder is not yet due; the late one is flagged and reminded.
    monkeypatch.setattr(
        initiative_jobs,
        "utcnow",
        lambda: datetime.combine(due - timedelta(days=8), time(7), tzinfo=HELSINKI),
    )
    first = job(session)
    assert (first.reminders, first.overdue, first.reviews) == (1, 1, 0)

    monkeypatch.setattr(
        initiative_jobs, "utcnow", lambda: datetime.combine(due, time(7), tzinfo=HELSINKI)
    )
    second = job(session)
    assert (second.reminders, second.overdue, second.reviews) == (1, 0, 1)
    third = job(session)
    assert (third.reminders, third.overdue, third.reviews) == (0, 0, 0)

    session.commit()
    mail_service.send_pending(connection)
    mail_service.send_pending(connection)
    [to_manager] = smtp.to(manager.email)
    assert f"/initiatives/{reminded.id}" in smtp.text_of(to_manager)
    assert len(smtp.to(boss.email)) == 2  # the late one's reminder (no manager) and the digest
    assert any(late.title in smtp.text_of(m) for m in smtp.to(boss.email))
    [to_filer] = smtp.to(filer.email)
    assert f"/initiatives/{reviewed.id}" in smtp.text_of(to_filer)
    assert len(session.exec(select(Delivery)).all()) == 4


def test_the_daily_job_is_registered_with_its_id():
    from app import scheduler

    registered = scheduler.build().get_job("initiative_deadlines")
    assert registered is not None
    assert registered.func is initiative_jobs.initiative_deadlines_daily
    trigger = str(registered.trigger)
    assert "cron" in trigger and "hour='7'" in trigger and "minute='0'" in trigger
    assert str(registered.trigger.timezone) == "Europe/Helsinki"
