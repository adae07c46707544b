"""Event mail: invitations on their day to the audience, reminders to the registered, each once,
by each person's choice; cancellations; the jobs' registration."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from app import scheduler
from app.jobs import event_mail as event_jobs
from app.models.calendar import Audience, EventKind, RegistrationStatus
from app.models.mail import Delivery
from app.models.newsletters import DigestItem, Frequency, Topic
from app.models.people import Language
from app.services.access.roles import load_principal
from app.services.calendar import event_mail
from app.services.calendar import registrations as registrations_service
from app.services.mail import delivery as mail_service
from app.services.mail import preferences
from tests.support import make_house, make_person, make_resident
from tests.support_calendar import make_event

HELSINKI = ZoneInfo("Europe/Helsinki")
DAY = date(2031, 10, 15)  # the event's day
STARTS = datetime.combine(DAY, time(18), tzinfo=HELSINKI)


def at(day: date, hour: int = 7) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=HELSINKI)


def deliveries(session, key_part: str) -> list[Delivery]:
    return list(
        session.exec(select(Delivery).where(Delivery.message_key.contains(key_part)))  # type: ignore[attr-defined]
    )


@pytest.fixture()
def house_event(session):
    house = make_house(session)
    people = [make_resident(session, house) for _ in range(2)]
    outsider = make_resident(session, make_house(session))
    event = make_event(
        session,
        starts_at=STARTS,
        audience=Audience.house_residents,
        house_id=house.id,
        invitation_days=21,
        reminder_days=2,
    )
    return event, people, outsider


def test_invitations_go_on_their_day_and_not_before(session, house_event):
    event, people, outsider = house_event
    invitation_day = DAY - timedelta(days=21)
    early = event_mail.send_invitations(session, now=at(invitation_day - timedelta(days=1)))
    assert (early.events, early.notified) == (0, 0)
    assert event.invitation_sent_at is None
    run = event_mail.send_invitations(session, now=at(invitation_day, 6))
    assert (run.events, run.notified) == (1, 2)
    assert event.invitation_sent_at == at(invitation_day, 6)
    sent_to = {d.recipient for d in deliveries(session, f"event:{event.id}:invitation")}
    assert sent_to == {p.email for p in people}
    assert outsider.email not in sent_to


def test_run_twice_invites_once(session, connection, smtp, house_event):
    event, people, _outsider = house_event
    now = at(DAY - timedelta(days=10))
    assert event_mail.send_invitations(session, now=now).events == 1
    assert event_mail.send_invitations(session, now=now).events == 0
    event.invitation_sent_at = None  # as if the mark had been lost, but not the deliveries
    session.add(event)
    assert event_mail.send_invitations(session, now=now).events == 1
    session.commit()
    mail_service.send_pending(connection)
    mail_service.send_pending(connection)
    for person in people:
        assert len(smtp.to(person.email)) == 1
    assert len(smtp.messages) == 2


def test_each_persons_choice_is_honoured(session, house_event):
    event, (immediate, daily), _outsider = house_event
    off = make_resident(session, make_house(session))
    event.audience = Audience.all_residents
    event.house_id = None
    session.add(event)
    preferences.choose(session, daily.id, Topic.event_reminders, Frequency.daily)
    preferences.choose(session, off.id, Topic.event_reminders, Frequency.off)
    event_mail.send_invitations(session, now=at(DAY - timedelta(days=21)))
    mailed = {d.recipient for d in deliveries(session, f"event:{event.id}:invitation")}
    assert immediate.email in mailed
    assert daily.email not in mailed and off.email not in mailed
    held = session.exec(select(DigestItem).where(DigestItem.key == f"event:{event.id}:invitation"))
    assert [item.person_id for item in held] == [daily.id]


def test_moved_begun_and_cancelled_events_are_not_invited(session, house_event):
    event, _people, _outsider = house_event
    event_mail.send_invitations(session, now=at(DAY - timedelta(days=21)))
    # Moved a week later after its invitation: no second invitation.
    event.starts_at += timedelta(days=7)
    event.ends_at += timedelta(days=7)
    session.add(event)
    assert event_mail.send_invitations(session, now=at(DAY - timedelta(days=10))).events == 0
    # Begun before its invitation went (the job was down): never invited late.
    begun = make_event(session, starts_at=at(DAY - timedelta(days=11), 18))
    assert event_mail.send_invitations(session, now=at(DAY - timedelta(days=10))).events == 0
    assert begun.invitation_sent_at is None
    cancelled = make_event(session, starts_at=STARTS, cancelled_at=at(DAY - timedelta(days=30)))
    assert event_mail.send_invitations(session, now=at(DAY - timedelta(days=5))).events == 0
    assert cancelled.invitation_sent_at is None
    meeting = make_event(session, starts_at=STARTS, kind=EventKind.resident_meeting)
    assert event_mail.send_invitations(session, now=at(DAY - timedelta(days=5))).events == 0
    assert meeting.invitation_sent_at is None
    assert len(deliveries(session, f"event:{event.id}:invitation")) == 2


def test_reminders_only_to_the_registered_in_their_language(session, connection, smtp):
    house = make_house(session)
    registered = make_resident(session, house, make_person(session, language=Language.sv))
    waiting = make_resident(session, house)
    cancelled = make_resident(session, house)
    fi_speaker = make_resident(session, house)
    event = make_event(session, starts_at=STARTS, capacity=2, reminder_days=2)
    today = date.today()
    before = STARTS - timedelta(days=30)
    for person, count in ((registered, 1), (fi_speaker, 1), (waiting, 1), (cancelled, 1)):
        registrations_service.register(
            session, event, load_principal(session, person, today), count, now=before
        )
    registrations_service.cancel(session, event, load_principal(session, cancelled, today), before)
    assert registrations_service.registration_of(session, event.id, waiting.id).status == (
        RegistrationStatus.waiting
    )
    session.commit()
    assert mail_service.send_pending(connection) == 4  # each registration's confirmation
    smtp.messages.clear()

    assert event_mail.send_reminders(session, now=at(DAY - timedelta(days=3))).events == 0
    run = event_mail.send_reminders(session, now=at(DAY - timedelta(days=2), 9))
    assert (run.events, run.notified) == (1, 2)
    assert event_mail.send_reminders(session, now=at(DAY - timedelta(days=1))).events == 0
    keys = {d.message_key for d in deliveries(session, f"event:{event.id}:reminder")}
    assert keys == {f"event:{event.id}:reminder:v{event.version}"}

    session.commit()
    mail_service.send_pending(connection)
    assert smtp.to(waiting.email) == [] and smtp.to(cancelled.email) == []
    [swedish] = smtp.to(registered.email)
    [finnish] = smtp.to(fi_speaker.email)
    assert event.title_sv in str(swedish["Subject"])
    assert smtp.text_of(swedish).startswith("Hej ")
    assert event.title_fi in str(finnish["Subject"])
    assert smtp.text_of(finnish).startswith("Hei ")
    text = smtp.text_of(finnish)
    assert f"/calendar/events/{event.id}/calendar.ics" in text
    assert "18.00" in text  # 18:00 Helsinki time, whatever UTC says


def test_cancelled_event_sends_no_reminder_but_tells_registrants(session, connection, smtp):
    house = make_house(session)
    people = [make_resident(session, house) for _ in range(3)]
    event = make_event(session, starts_at=STARTS, capacity=1)
    before = STARTS - timedelta(days=30)
    today = date.today()
    for person in people:
        registrations_service.register(
            session, event, load_principal(session, person, today), 1, now=before
        )
    registrations_service.cancel(session, event, load_principal(session, people[2], today), before)
    session.commit()
    assert mail_service.send_pending(connection) == 3  # each registration's confirmation
    smtp.messages.clear()
    event.cancelled_at = before
    session.add(event)
    assert event_mail.send_reminders(session, now=at(DAY - timedelta(days=1))).events == 0
    assert event_mail.notify_cancelled(session, event) == 2
    assert event_mail.notify_cancelled(session, event) == 0  # never twice
    session.commit()
    mail_service.send_pending(connection)
    assert len(smtp.to(people[0].email)) == 1 and len(smtp.to(people[1].email)) == 1
    assert smtp.to(people[2].email) == []


def test_jobs_are_registered_and_run(session):
    registered = {job_id: (func, trigger, args) for job_id, func, trigger, args in scheduler.JOBS}
    assert registered["event_invitations"] == (
        event_jobs.send_invitations,
        "cron",
        {"hour": 6, "minute": 45},
    )
    func, trigger, args = registered["event_reminders"]
    assert func is event_jobs.send_reminders and trigger == "cron" and "hour" not in args
    assert event_jobs.send_invitations.__wrapped__(session) == 0
    assert event_jobs.send_reminders.__wrapped__(session) == 0
