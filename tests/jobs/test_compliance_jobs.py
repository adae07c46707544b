"""The daily compliance reminders: each at its moment, to whoever must act, once."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from app import scheduler
from app.jobs import compliance as compliance_jobs
from app.models.committees import Position
from app.models.mail import Delivery
from app.models.meetings import ResidentMeeting
from app.models.newsletters import Newsletter, NewsletterKind, NewsletterStatus
from app.models.people import StaffKind
from app.services.compliance import reminders as reminders_service
from app.services.mail import delivery as mail_service
from tests.support import make_committee, make_house, make_manager, make_resident, make_staff

HELSINKI = ZoneInfo("Europe/Helsinki")


def keys(session, prefix: str) -> list[tuple[str, str]]:
    rows = session.exec(
        select(Delivery).where(Delivery.message_key.startswith(prefix))  # type: ignore[attr-defined]
    )
    return sorted((d.message_key, d.recipient) for d in rows)


def sent(session, kind: NewsletterKind, day: date) -> None:
    moment = datetime.combine(day, time(10), tzinfo=HELSINKI)
    session.add(
        Newsletter(kind=kind, title="Uutiset", status=NewsletterStatus.sent, sent_at=moment)
    )
    session.flush()


def test_a_house_without_a_meeting_is_reminded_from_september_once_a_year(session):
    quiet = make_house(session)
    met = make_house(session)
    orphan = make_house(session)  # no manager: management hears of it
    manager = make_manager(session, quiet, met)
    boss = make_staff(session, StaffKind.management)
    session.add(
        ResidentMeeting(
            house_id=met.id,
            starts_at=datetime(2031, 11, 5, 18, tzinfo=HELSINKI),  # planned counts
            place="Kerho",
            invitation_on=date(2031, 10, 20),
        )
    )
    session.flush()
    assert reminders_service.remind_meetings(session, date(2031, 8, 31)) == 0
    assert reminders_service.remind_meetings(session, date(2031, 9, 1)) == 2
    assert reminders_service.remind_meetings(session, date(2031, 9, 2)) == 0
    assert keys(session, "compliance:meeting:") == sorted(
        [
            (f"compliance:meeting:2031:{quiet.id}", manager.email),
            (f"compliance:meeting:2031:{orphan.id}", boss.email),
        ]
    )
    # A new year starts a new count.
    assert reminders_service.remind_meetings(session, date(2032, 9, 1)) == 3


def test_a_term_ending_within_sixty_days_reminds_the_chair_and_manager_once(session):
    today = date.today()
    house = make_house(session)
    manager = make_manager(session, house)
    chair = make_resident(session, house)
    ending = make_committee(session, house, [(chair, Position.chair)], today - timedelta(days=300))
    later_house = make_house(session)
    make_committee(session, later_house, [], today - timedelta(days=200))  # ends in 165 days
    ending.term_end = today + timedelta(days=61)
    session.add(ending)
    session.flush()
    assert reminders_service.remind_terms(session, today) == 0
    assert reminders_service.remind_terms(session, today + timedelta(days=1)) == 2
    assert reminders_service.remind_terms(session, today + timedelta(days=2)) == 0
    assert keys(session, "compliance:term:") == sorted(
        [
            (f"compliance:term:{ending.id}", chair.email),
            (f"compliance:term:{ending.id}", manager.email),
        ]
    )


def test_a_recorded_next_term_silences_the_reminder(session):
    today = date.today()
    house = make_house(session)
    make_manager(session, house)
    current = make_committee(session, house, [], today - timedelta(days=340))  # ends in 25 days
    following = make_committee(session, house, [], current.term_end + timedelta(days=1))
    assert following.term_start > current.term_end
    assert reminders_service.remind_terms(session, today) == 0


def test_the_chairs_newsletter_from_the_twentieth_once_a_month(session):
    boss = make_staff(session, StaffKind.management)
    assert reminders_service.remind_chairs_newsletter(session, date(2031, 4, 19)) == 0
    assert reminders_service.remind_chairs_newsletter(session, date(2031, 4, 20)) == 1
    assert reminders_service.remind_chairs_newsletter(session, date(2031, 4, 28)) == 0
    sent(session, NewsletterKind.chairs, date(2031, 5, 3))
    assert reminders_service.remind_chairs_newsletter(session, date(2031, 5, 20)) == 0
    assert reminders_service.remind_chairs_newsletter(session, date(2031, 6, 21)) == 1
    assert keys(session, "compliance:chairs-newsletter:") == [
        ("compliance:chairs-newsletter:2031-04", boss.email),
        ("compliance:chairs-newsletter:2031-06", boss.email),
    ]


def test_residents_newsletters_behind_once_a_quarter(session):
    boss = make_staff(session, StaffKind.management)
    assert reminders_service.remind_residents_newsletter(session, date(2031, 3, 31)) == 0
    assert reminders_service.remind_residents_newsletter(session, date(2031, 4, 1)) == 1
    assert reminders_service.remind_residents_newsletter(session, date(2031, 5, 1)) == 0
    sent(session, NewsletterKind.residents, date(2031, 5, 2))
    assert reminders_service.remind_residents_newsletter(session, date(2031, 7, 1)) == 1  # 1 of 2
    sent(session, NewsletterKind.residents, date(2031, 7, 2))
    assert reminders_service.remind_residents_newsletter(session, date(2031, 10, 1)) == 1  # 2 of 3
    assert keys(session, "compliance:residents-newsletter:") == [
        ("compliance:residents-newsletter:2031-q2", boss.email),
        ("compliance:residents-newsletter:2031-q3", boss.email),
        ("compliance:residents-newsletter:2031-q4", boss.email),
    ]


def test_the_job_uses_the_clock_and_its_mail_arrives_once(session, connection, smtp, monkeypatch):
    house = make_house(session, name="Koivukuja")
    manager = make_manager(session, house)
    boss = make_staff(session, StaffKind.management)
    job = compliance_jobs.send_reminders.__wrapped__
    monkeypatch.setattr(
        compliance_jobs, "utcnow", lambda: datetime(2031, 9, 22, 8, tzinfo=HELSINKI)
    )
    first = job(session)
    assert (first.meetings, first.chairs_newsletter, first.residents_newsletter) == (1, 1, 1)
    again = job(session)
    assert (again.meetings, again.chairs_newsletter, again.residents_newsletter) == (0, 0, 0)
    session.commit()
    mail_service.send_pending(connection)
    [to_manager] = smtp.to(manager.email)
    assert "Koivukuja" in str(to_manager["Subject"])
    assert f"/houses/{house.id}/meetings/new" in smtp.text_of(to_manager)
    assert len(smtp.to(boss.email)) == 2
    registered = {job_id: (func, trigger, args) for job_id, func, trigger, args in scheduler.JOBS}
    assert registered["compliance_reminders"] == (
        compliance_jobs.send_reminders,
        "cron",
        {"hour": 8, "minute": 0},
    )
