"""Deadlines: reminders before the receipt and the answer, overdue digests, review reminders.

The clock is a parameter: each test walks the days by calling the service with a later `now`.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from app import i18n
from app.jinja import fmt_date
from app.models.committees import Position
from app.models.initiatives import InitiativeEvaluation, State
from app.models.mail import Delivery
from app.models.people import Language, StaffKind
from app.services.initiatives import deadlines
from app.services.mail import delivery as mail_service
from tests.support import (
    fi,
    make_committee,
    make_house,
    make_initiative,
    make_manager,
    make_person,
    make_resident,
    make_staff,
)

HELSINKI = ZoneInfo("Europe/Helsinki")
TODAY = date.today()  # the factories' committee terms are relative to today


def at(day: date, hour: int = 7) -> datetime:
    """A moment on a Helsinki day (the job runs at 07:00)."""
    return datetime.combine(day, time(hour), tzinfo=HELSINKI)


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


def long_date(value: date, lang: str = "fi") -> str:
    with i18n.use_language(lang):
        return fmt_date(value, "long")


def _medium(value: date) -> str:
    with i18n.use_language("fi"):
        return fmt_date(value)


@pytest.fixture()
def deliver(session, connection, smtp):
    """Send what has been queued through the real SMTP sink; return the sink."""

    def run():
        session.commit()
        mail_service.send_pending(connection)
        return smtp

    return run


def test_the_receipt_reminder_reaches_the_property_manager_seven_days_before_and_once(
    session, deliver, settings
):
    assert settings.initiative_reminder_days == 7
    house = make_house(session)
    manager = make_manager(session, house)
    make_manager(session, make_house(session))  # another house's manager
    filer = make_resident(session, house)
    initiative = make_initiative(session, filer, house, State.submitted, receipt_due_on=day(10))

    assert deadlines.remind_due(session, at(day(0))) == 0
    assert deadlines.remind_due(session, at(day(2), 23)) == 0  # eight days before, late evening
    assert deadlines.remind_due(session, at(day(3))) == 1
    assert deadlines.remind_due(session, at(day(3))) == 0
    assert deadlines.remind_due(session, at(day(4))) == 0

    smtp = deliver()
    assert [rcpts for _sender, rcpts in smtp.envelopes] == [[manager.email]]
    message = smtp.messages[0]
    assert message["Subject"] == fi(
        "Reminder: acknowledge the receipt of the initiative “%(title)s” by %(date)s",
        title=initiative.title,
        date=_medium(day(10)),
    )
    text = smtp.text_of(message)
    address = f"{settings.base_url.rstrip('/')}/initiatives/{initiative.id}"
    assert f"{address}?lang=fi" in smtp.links(message)  # the reader's language for the login
    assert fi("It is due on %(date)s.", date=long_date(day(10))) in text
    assert message.get_body(preferencelist=("html",)) is not None


def test_a_company_initiative_reminds_every_active_member_of_management(session, deliver):
    first = make_staff(session, StaffKind.management)
    second = make_staff(session, StaffKind.management)
    make_staff(session, StaffKind.management, is_active=False)
    make_manager(session, make_house(session))
    make_initiative(session, make_person(session), None, State.submitted, receipt_due_on=day(7))
    assert deadlines.remind_due(session, at(day(0))) == 2
    smtp = deliver()
    assert sorted(r for _s, rcpts in smtp.envelopes for r in rcpts) == sorted(
        [first.email, second.email]
    )


def test_a_house_without_a_manager_falls_to_management(session, deliver):
    boss = make_staff(session, StaffKind.management)
    house = make_house(session)
    make_initiative(
        session, make_resident(session, house), house, State.submitted, receipt_due_on=day(1)
    )
    assert deadlines.remind_due(session, at(day(0))) == 1
    assert deliver().to(boss.email)


def test_the_answer_reminder_goes_to_the_assignee_else_to_the_recipient(session, deliver):
    house = make_house(session)
    manager = make_manager(session, house)
    adviser = make_staff(session, StaffKind.housing_adviser)
    filer = make_resident(session, house)
    assigned = make_initiative(
        session, filer, house, State.in_preparation, answer_due_on=day(7), assignee_id=adviser.id
    )
    unassigned = make_initiative(session, filer, house, State.received, answer_due_on=day(5))
    far = make_initiative(session, filer, house, State.received, answer_due_on=day(8))

    assert deadlines.remind_due(session, at(day(0))) == 2
    smtp = deliver()
    [to_adviser] = smtp.to(adviser.email)
    assert f"/initiatives/{assigned.id}" in smtp.text_of(to_adviser)
    assert fi("You receive this reminder because the initiative is assigned to you.") in (
        smtp.text_of(to_adviser)
    )
    [to_manager] = smtp.to(manager.email)
    assert to_manager["Subject"] == fi(
        "Reminder: answer the initiative “%(title)s” by %(date)s",
        title=unassigned.title,
        date=_medium(day(5)),
    )
    assert f"/initiatives/{far.id}" not in smtp.text_of(to_manager)


def test_a_missed_day_is_caught_up_and_a_passed_deadline_says_so(session, deliver):
    house = make_house(session)
    manager = make_manager(session, house)
    filer = make_resident(session, house)
    soon = make_initiative(session, filer, house, State.submitted, receipt_due_on=day(3))
    late = make_initiative(session, filer, house, State.submitted, receipt_due_on=day(-2))
    # The job did not run seven days before either deadline; today it catches up.
    assert deadlines.remind_due(session, at(day(0))) == 2
    smtp = deliver()
    texts = {m["Subject"]: smtp.text_of(m) for m in smtp.to(manager.email)}
    by_title = {
        initiative.title: next(t for s, t in texts.items() if initiative.title in s)
        for initiative in (soon, late)
    }
    assert fi("It is due on %(date)s.", date=long_date(day(3))) in by_title[soon.title]
    assert (
        fi("The deadline has passed: it was due on %(date)s.", date=long_date(day(-2)))
        in (by_title[late.title])
    )


def test_a_moved_deadline_is_reminded_of_again(session):
    house = make_house(session)
    make_manager(session, house)
    initiative = make_initiative(
        session, make_resident(session, house), house, State.received, answer_due_on=day(7)
    )
    assert deadlines.remind_due(session, at(day(0))) == 1
    initiative.answer_due_on = day(20)
    session.add(initiative)
    assert deadlines.remind_due(session, at(day(1))) == 0
    assert deadlines.remind_due(session, at(day(13))) == 1
    assert deadlines.remind_due(session, at(day(14))) == 0


def test_no_reminder_once_the_awaited_step_is_taken(session):
    house = make_house(session)
    make_manager(session, house)
    filer = make_resident(session, house)
    # Received: the receipt deadline no longer applies, and the answer is far off.
    make_initiative(
        session, filer, house, State.received, receipt_due_on=day(1), answer_due_on=day(50)
    )
    make_initiative(session, filer, house, State.answered, answer_due_on=day(1))
    make_initiative(session, filer, house, State.withdrawn, receipt_due_on=day(1))
    make_initiative(session, filer, house, State.draft)
    assert deadlines.remind_due(session, at(day(0))) == 0


def test_overdue_initiatives_are_flagged_once_to_management_in_one_digest(session, deliver):
    first = make_staff(session, StaffKind.management)
    second = make_staff(session, StaffKind.management, language=Language.sv)
    house = make_house(session)
    manager = make_manager(session, house)
    filer = make_resident(session, house)
    receipt_late = make_initiative(session, filer, house, State.submitted, receipt_due_on=day(-1))
    answer_late = make_initiative(session, filer, None, State.received, answer_due_on=day(-3))
    due_today = make_initiative(session, filer, house, State.in_preparation, answer_due_on=day(0))

    assert deadlines.flag_overdue(session, at(day(0))) == 2  # one digest each
    assert deadlines.flag_overdue(session, at(day(0))) == 0
    assert deadlines.flag_overdue(session, at(day(1))) == 2  # due_today is now late
    assert deadlines.flag_overdue(session, at(day(2))) == 0  # nothing new
    assert deadlines.flag_overdue(session, at(day(9))) == 0

    smtp = deliver()
    assert smtp.to(manager.email) == [] and smtp.to(filer.email) == []
    for person in (first, second):
        digest, following = smtp.to(person.email)
        listed = smtp.text_of(digest)
        assert receipt_late.title in listed and answer_late.title in listed
        assert due_today.title not in listed
        assert f"/initiatives/{receipt_late.id}" in listed
        later = smtp.text_of(following)
        assert due_today.title in later
        assert receipt_late.title not in later and answer_late.title not in later
    assert fi("Receipt was due on %(date)s", date=long_date(day(-1))) in smtp.text_of(
        smtp.to(first.email)[0]
    )
    assert '<html lang="sv">' in str(
        smtp.to(second.email)[0].get_body(preferencelist=("html",)).get_content()
    )


def test_a_moved_deadline_is_flagged_again_when_it_passes(session):
    boss = make_staff(session, StaffKind.management)
    initiative = make_initiative(
        session, make_person(session), None, State.received, answer_due_on=day(-1)
    )
    assert deadlines.flag_overdue(session, at(day(0))) == 1
    initiative.answer_due_on = day(5)
    session.add(initiative)
    assert deadlines.flag_overdue(session, at(day(3))) == 0
    assert deadlines.flag_overdue(session, at(day(6))) == 1
    digests = session.exec(select(Delivery).where(Delivery.recipient == boss.email)).all()
    assert len(digests) == 2 and all(initiative.title in d.body_text for d in digests)


def test_missed_runs_are_caught_up_in_one_digest(session):
    boss = make_staff(session, StaffKind.management)
    filer = make_person(session)
    one = make_initiative(session, filer, None, State.submitted, receipt_due_on=day(1))
    two = make_initiative(session, filer, None, State.received, answer_due_on=day(3))
    assert deadlines.flag_overdue(session, at(day(0))) == 0
    # No run for a week; both became overdue meanwhile.
    assert deadlines.flag_overdue(session, at(day(7))) == 1
    [digest] = session.exec(select(Delivery).where(Delivery.recipient == boss.email)).all()
    assert one.title in digest.body_text and two.title in digest.body_text


def test_a_new_member_of_management_gets_the_current_backlog(session):
    make_staff(session, StaffKind.management)
    initiative = make_initiative(
        session, make_person(session), None, State.submitted, receipt_due_on=day(-4)
    )
    assert deadlines.flag_overdue(session, at(day(0))) == 1
    newcomer = make_staff(session, StaffKind.management)
    assert deadlines.flag_overdue(session, at(day(1))) == 1
    [digest] = session.exec(select(Delivery).where(Delivery.recipient == newcomer.email)).all()
    assert initiative.title in digest.body_text


def review_world(session):
    house = make_house(session)
    make_manager(session, house)
    filer = make_resident(session, house)
    chair = make_resident(session, house)
    member = make_resident(session, house)
    make_committee(session, house, [(chair, Position.chair), (member, Position.member)])
    other = make_house(session)
    other_chair = make_resident(session, other)
    make_committee(session, other, [(other_chair, Position.chair)])
    return house, filer, chair, member, other_chair


def test_the_review_reminder_asks_the_filer_and_the_chair_on_the_day(session, deliver):
    house, filer, chair, member, other_chair = review_world(session)
    initiative = make_initiative(session, filer, house, State.implemented, review_on=day(2))
    assert deadlines.remind_reviews(session, at(day(1))) == 0
    assert deadlines.remind_reviews(session, at(day(2))) == 2
    assert deadlines.remind_reviews(session, at(day(2))) == 0
    assert deadlines.remind_reviews(session, at(day(30))) == 0
    smtp = deliver()
    assert sorted(r for _s, rcpts in smtp.envelopes for r in rcpts) == sorted(
        [filer.email, chair.email]
    )
    [message] = smtp.to(chair.email)
    assert message["Subject"] == fi(
        "Time to review the initiative “%(title)s”", title=initiative.title
    )
    text = smtp.text_of(message)
    assert (
        fi(
            "Please evaluate its outcome in the portal: how well did the implementation work? "
            "Your rating helps in preparing future matters."
        )
        in text
    )
    assert f"/initiatives/{initiative.id}" in text
    assert long_date(day(2)) in text


def test_a_missed_review_day_is_caught_up_and_who_has_evaluated_is_not_asked(session):
    house, filer, chair, _member, _other = review_world(session)
    initiative = make_initiative(session, filer, house, State.evaluated, review_on=day(-3))
    session.add(InitiativeEvaluation(initiative_id=initiative.id, person_id=filer.id, rating=4))
    session.flush()
    assert deadlines.remind_reviews(session, at(day(0))) == 1
    [delivery] = session.exec(select(Delivery)).all()
    assert delivery.recipient == chair.email


def test_a_review_before_implementation_asks_how_the_matter_stands(session):
    house, filer, _chair, _member, _other = review_world(session)
    make_initiative(session, filer, house, State.answered, review_on=day(0))
    make_initiative(session, filer, house, State.withdrawn, review_on=day(0))
    assert deadlines.remind_reviews(session, at(day(0))) == 2  # the answered one: filer, chair
    delivery = session.exec(select(Delivery).where(Delivery.recipient == filer.email)).one()
    assert (
        fi(
            "It has not been marked implemented yet: please check in the portal how the matter "
            "stands."
        )
        in delivery.body_text
    )


def test_reminders_are_in_the_recipients_language(session, deliver):
    house = make_house(session)
    manager = make_manager(session, house)
    manager.language = Language.sv
    session.add(manager)
    make_initiative(
        session, make_resident(session, house), house, State.submitted, receipt_due_on=day(7)
    )
    assert deadlines.remind_due(session, at(day(0))) == 1
    smtp = deliver()
    [message] = smtp.to(manager.email)
    assert smtp.text_of(message).startswith(f"Hej {manager.name},")
    html = message.get_body(preferencelist=("html",))
    assert html is not None and '<html lang="sv">' in str(html.get_content())
    assert long_date(day(7), "sv") in smtp.text_of(message)


def test_run_daily_does_all_three(session):
    boss = make_staff(session, StaffKind.management)
    filer = make_person(session)
    make_initiative(session, filer, None, State.submitted, receipt_due_on=day(3))
    make_initiative(session, filer, None, State.received, answer_due_on=day(-1))
    make_initiative(session, filer, None, State.implemented, review_on=day(0))
    run = deadlines.run_daily(session, at(day(0)))
    # Both awaiting ones are reminded (the late one too), one digest, one review mail.
    assert (run.reminders, run.overdue, run.reviews) == (2, 1, 1)
    again = deadlines.run_daily(session, at(day(0)))
    assert (again.reminders, again.overdue, again.reviews) == (0, 0, 0)
    assert len(session.exec(select(Delivery).where(Delivery.recipient == boss.email)).all()) == 3
