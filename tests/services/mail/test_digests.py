"""Notifications by choice: at once, in a daily or weekly digest, or not at all; digests are sent
once, carry every held item, and are written in the person's language."""

import threading
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from app import i18n
from app.jinja import fmt_date
from app.models.audit import AuditEntry
from app.models.committees import Position
from app.models.initiatives import Notification, State
from app.models.mail import Delivery
from app.models.newsletters import DigestItem, Frequency, MailPreference, Topic
from app.models.people import Language, Person
from app.models.types import utcnow
from app.services.access.roles import load_principal
from app.services.initiatives import following, transitions
from app.services.mail import delivery as mail_service
from app.services.mail import digest_mail, digests, preferences
from tests.support import (
    fi,
    make_committee,
    make_house,
    make_initiative,
    make_manager,
    make_person,
    make_resident,
)

HELSINKI = ZoneInfo("Europe/Helsinki")
MONDAY = date(2031, 6, 2)


def at(day: date, hour: int = 6) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=HELSINKI)


class World:
    """A house with its manager and chair, a follower, and an initiative they all follow."""

    def __init__(self, session, follower=None):
        self.session = session
        self.house = make_house(session)
        self.manager = make_manager(session, self.house)
        self.chair = make_resident(session, self.house)
        make_committee(session, self.house, [(self.chair, Position.chair)])
        self.follower = follower or make_resident(session, self.house)
        self.initiative = make_initiative(
            session, self.chair, self.house, State.submitted, title="Pihavalot"
        )
        for person in (self.chair, self.follower):
            following.follow(session, self.initiative, person.id)
        self.boss = load_principal(session, self.manager, date.today())

    def receive(self):
        return transitions.transition(self.session, self.initiative, "receive", self.boss, utcnow())

    def assign(self):
        return transitions.transition(
            self.session,
            self.initiative,
            "assign",
            self.boss,
            utcnow(),
            assignee_id=self.manager.id,
        )

    def choose(self, choice: Frequency) -> None:
        preferences.choose(self.session, self.follower.id, Topic.initiative_changes, choice)


def deliver(session, connection) -> None:
    session.commit()
    mail_service.send_pending(connection)


def held(session, person) -> list[DigestItem]:
    return list(
        session.exec(
            select(DigestItem).where(DigestItem.person_id == person.id).order_by(col(DigestItem.id))
        )
    )


def mails_to(session, person) -> list[Delivery]:
    return list(session.exec(select(Delivery).where(Delivery.recipient == person.email)))


def test_at_once_a_mail_comes_at_once(session, connection, smtp):
    world = World(session)
    world.receive()
    assert held(session, world.follower) == []
    deliver(session, connection)
    [message] = smtp.to(world.follower.email)
    assert "Pihavalot" in message["Subject"]
    assert f"/initiatives/{world.initiative.id}" in smtp.text_of(message)
    assert digest_mail.send_digests(session, Frequency.daily, at(MONDAY)) == 0


def test_a_daily_digest_carries_every_held_item_in_one_mail_once(session, connection, smtp):
    world = World(session)
    world.choose(Frequency.daily)
    received, assigned = world.receive(), world.assign()
    # The front-page lines stay as they are; the mails wait.
    assert {
        n.event_id
        for n in session.exec(
            select(Notification).where(Notification.person_id == world.follower.id)
        )
    } == {received.id, assigned.id}
    items = held(session, world.follower)
    assert [i.topic for i in items] == [Topic.initiative_changes] * 2
    assert all(i.digest_key is None for i in items)
    deliver(session, connection)
    assert smtp.to(world.follower.email) == []
    assert len(smtp.to(world.chair.email)) == 2  # the others still get theirs at once

    assert digest_mail.send_digests(session, Frequency.weekly, at(MONDAY)) == 0
    assert digest_mail.send_digests(session, Frequency.daily, at(MONDAY)) == 1
    deliver(session, connection)
    [digest] = smtp.to(world.follower.email)
    with i18n.use_language("fi"):
        long_date = fmt_date(MONDAY, "long")
    assert digest["Subject"] == fi(
        "Daily summary from the resident portal, %(date)s", date=long_date
    )
    text = smtp.text_of(digest)
    assert text.count(f"/initiatives/{world.initiative.id}") == 2
    for item in items:
        assert item.subject in text
    assert fi("Received") in text and fi(preferences.TOPIC_LABELS[Topic.initiative_changes]) in text
    assert fi("Hello %(name)s,", name=world.follower.name) in text
    # The items' own greetings are left out: the digest greets once.
    assert text.count(fi("Hello %(name)s,", name=world.follower.name)) == 1
    assert "/account/notifications" in text
    html = digest.get_body(preferencelist=("html",))
    assert html is not None and 'href="http://' in str(html.get_content())
    key = f"digest:daily:{MONDAY.isoformat()}"
    assert {i.digest_key for i in held(session, world.follower)} == {key}

    # A rerun, the same day or after a restart, sends nothing more.
    assert digest_mail.send_digests(session, Frequency.daily, at(MONDAY, 9)) == 0
    assert digest_mail.send_digests(session, Frequency.daily, at(MONDAY + timedelta(days=1))) == 0
    deliver(session, connection)
    assert len(smtp.to(world.follower.email)) == 1
    assert [d.message_key for d in mails_to(session, world.follower)] == [key]


def test_a_weekly_digest_waits_for_the_weekly_run(session, connection, smtp):
    world = World(session)
    world.choose(Frequency.weekly)
    world.receive()
    world.assign()
    assert digest_mail.send_digests(session, Frequency.daily, at(MONDAY)) == 0
    deliver(session, connection)
    assert smtp.to(world.follower.email) == []
    assert digest_mail.send_digests(session, Frequency.weekly, at(MONDAY)) == 1
    assert digest_mail.send_digests(session, Frequency.weekly, at(MONDAY)) == 0
    deliver(session, connection)
    [digest] = smtp.to(world.follower.email)
    with i18n.use_language("fi"):
        long_date = fmt_date(MONDAY, "long")
    assert digest["Subject"] == fi(
        "Weekly summary from the resident portal, %(date)s", date=long_date
    )
    assert smtp.text_of(digest).count(f"/initiatives/{world.initiative.id}") == 2


def test_off_means_nothing_but_the_front_page_line(session, connection, smtp):
    world = World(session)
    world.choose(Frequency.off)
    event = world.receive()
    assert held(session, world.follower) == []
    assert digest_mail.send_digests(session, Frequency.daily, at(MONDAY)) == 0
    deliver(session, connection)
    assert smtp.to(world.follower.email) == []
    assert mails_to(session, world.follower) == []
    assert session.exec(
        select(Notification).where(
            Notification.person_id == world.follower.id, Notification.event_id == event.id
        )
    ).one()


def test_an_item_raised_after_a_digest_goes_into_the_next_one(session, connection, smtp):
    world = World(session)
    world.choose(Frequency.daily)
    world.receive()
    first_subject = held(session, world.follower)[0].subject
    assert digest_mail.send_digests(session, Frequency.daily, at(MONDAY)) == 1
    world.assign()
    [late] = [i for i in held(session, world.follower) if i.digest_key is None]
    # Today's digest has gone: the new item waits for tomorrow's.
    assert digest_mail.send_digests(session, Frequency.daily, at(MONDAY, 12)) == 0
    assert session.get(DigestItem, late.id).digest_key is None
    tuesday = MONDAY + timedelta(days=1)
    assert digest_mail.send_digests(session, Frequency.daily, at(tuesday)) == 1
    deliver(session, connection)
    first, second = smtp.to(world.follower.email)
    assert first_subject in smtp.text_of(first) and late.subject not in smtp.text_of(first)
    assert late.subject in smtp.text_of(second) and first_subject not in smtp.text_of(second)
    assert session.get(DigestItem, late.id).digest_key == f"digest:daily:{tuesday.isoformat()}"


def test_switching_the_choice_moves_held_items_to_the_digest_now_chosen(session, connection, smtp):
    world = World(session)
    world.choose(Frequency.weekly)
    world.receive()
    # Weekly to daily: the next daily digest takes them.
    world.choose(Frequency.daily)
    assert digest_mail.send_digests(session, Frequency.weekly, at(MONDAY)) == 0
    assert digest_mail.send_digests(session, Frequency.daily, at(MONDAY)) == 1

    # Daily to at once: what was held comes in the next daily digest.
    world.assign()
    world.choose(Frequency.immediate)
    tuesday = MONDAY + timedelta(days=1)
    assert digest_mail.send_digests(session, Frequency.weekly, at(tuesday)) == 0
    assert digest_mail.send_digests(session, Frequency.daily, at(tuesday)) == 1
    assert [d.message_key for d in mails_to(session, world.follower)] == [
        f"digest:daily:{MONDAY.isoformat()}",
        f"digest:daily:{tuesday.isoformat()}",
    ]
    deliver(session, connection)
    assert len(smtp.to(world.follower.email)) == 2


def test_items_on_a_topic_switched_off_are_dropped(session, connection, smtp):
    world = World(session)
    world.choose(Frequency.daily)
    world.receive()
    world.choose(Frequency.off)
    assert digest_mail.send_digests(session, Frequency.daily, at(MONDAY)) == 0
    assert held(session, world.follower) == []
    deliver(session, connection)
    assert smtp.to(world.follower.email) == []


def test_a_digest_someone_else_built_is_not_built_again_and_its_items_wait(session):
    world = World(session)
    world.choose(Frequency.daily)
    world.receive()
    key = digest_mail.digest_key(Frequency.daily, MONDAY)
    # Another scheduler queued this person's digest for the day a moment ago.
    session.add(
        Delivery(message_key=key, recipient=world.follower.email, subject="x", body_text="x")
    )
    session.flush()
    assert digest_mail.send_digests(session, Frequency.daily, at(MONDAY)) == 0
    assert [i.digest_key for i in held(session, world.follower)] == [None]
    # Items another run has claimed are not sent again.
    for item in held(session, world.follower):
        item.digest_key = "digest:daily:2031-06-01"
        session.add(item)
    session.flush()
    tuesday = MONDAY + timedelta(days=1)
    assert digest_mail.send_digests(session, Frequency.daily, at(tuesday)) == 0


def test_the_digest_is_written_in_the_persons_language(session, connection, smtp):
    swede = make_person(session, language=Language.sv)
    house_world = World(session, follower=None)
    make_resident(session, house_world.house, swede)
    following.follow(session, house_world.initiative, swede.id)
    preferences.choose(session, swede.id, Topic.initiative_changes, Frequency.daily)
    house_world.receive()
    assert digest_mail.send_digests(session, Frequency.daily, at(MONDAY)) == 1
    deliver(session, connection)
    [digest] = smtp.to(swede.email)
    with i18n.use_language("sv"):
        expected = i18n.gettext(
            "Daily summary from the resident portal, %(date)s", date=fmt_date(MONDAY, "long")
        )
        received = i18n.gettext("Received")
        greeting = i18n.gettext("Hello %(name)s,", name=swede.name)
    assert digest["Subject"] == expected
    assert fmt_date(MONDAY, "long") not in expected  # not the Finnish date
    text = smtp.text_of(digest)
    assert received in text and greeting in text


def test_items_are_grouped_by_topic(session, connection, smtp):
    world = World(session)
    world.choose(Frequency.weekly)
    preferences.choose(session, world.follower.id, Topic.event_reminders, Frequency.weekly)
    world.receive()
    # A reminder held by the calendar, through the same door as every notification.
    session.add(
        DigestItem(
            person_id=world.follower.id,
            topic=Topic.event_reminders,
            key="event:1:reminder",
            subject="Syysseminaari alkaa pian",
            body_text="Seminaari on torstaina.",
            url="http://127.0.0.1:8000/calendar/events/1",
        )
    )
    session.flush()
    assert digest_mail.send_digests(session, Frequency.weekly, at(MONDAY)) == 1
    deliver(session, connection)
    text = smtp.text_of(smtp.to(world.follower.email)[0])
    changes = text.index(fi(preferences.TOPIC_LABELS[Topic.initiative_changes]))
    reminders = text.index(fi(preferences.TOPIC_LABELS[Topic.event_reminders]))
    assert changes < text.index("Pihavalot") < reminders < text.index("Syysseminaari alkaa pian")
    assert "http://127.0.0.1:8000/calendar/events/1" in text


def test_the_same_notification_is_held_once(session):
    world = World(session)
    world.choose(Frequency.daily)
    for _ in range(2):
        assert (
            digests.deliver(
                session,
                world.follower,
                Topic.initiative_changes,
                "initiative:test",
                "initiative_changed",
                url="http://x/initiatives/1",
                initiative=world.initiative,
                event=None,
                house=world.house,
                assignee=None,
                suggestion=False,
                state_label="Submitted",
                outcome_label=None,
            )
            == Frequency.daily
        )
    assert len(held(session, world.follower)) == 1


def test_only_daily_and_weekly_digests_exist(session):
    with pytest.raises(ValueError):
        digest_mail.send_digests(session, Frequency.immediate, at(MONDAY))


def test_the_digest_jobs_are_registered_and_run(session, connection, smtp, monkeypatch):
    from app import scheduler
    from app.jobs import digests as digest_jobs

    daily = scheduler.build().get_job("digest_daily")
    weekly = scheduler.build().get_job("digest_weekly")
    assert daily.func is digest_jobs.digest_daily and weekly.func is digest_jobs.digest_weekly
    assert "hour='6'" in str(daily.trigger) and "minute='0'" in str(daily.trigger)
    assert "day_of_week='mon'" in str(weekly.trigger) and "hour='6'" in str(weekly.trigger)
    assert str(daily.trigger.timezone) == "Europe/Helsinki"

    world = World(session)
    world.choose(Frequency.daily)
    world.receive()
    monkeypatch.setattr(digest_jobs, "utcnow", lambda: at(MONDAY))
    assert digest_jobs.digest_weekly.__wrapped__(session) == 0
    assert digest_jobs.digest_daily.__wrapped__(session) == 1
    assert digest_jobs.digest_daily.__wrapped__(session) == 0
    deliver(session, connection)
    assert len(smtp.to(world.follower.email)) == 1


def test_two_schedulers_at_once_send_one_digest_and_lose_no_item(engine, monkeypatch):
    """Both runs read the waiting items before either claims them; only one digest leaves."""
    with Session(engine, expire_on_commit=False) as setup:
        person = make_person(setup, name="Kaksi Ajoa", email="two-runs@example.com")
        preferences.choose(setup, person.id, Topic.initiative_changes, Frequency.daily)
        for n in range(3):
            setup.add(
                DigestItem(
                    person_id=person.id,
                    topic=Topic.initiative_changes,
                    key=f"race:{n}",
                    subject=f"Muutos {n}",
                    body_text=f"Teksti {n}",
                )
            )
        setup.commit()
    barrier = threading.Barrier(2, timeout=10)
    real_already_sent = digest_mail._already_sent

    def meet_then_check(session, key, person):
        barrier.wait()  # both runs have read the same waiting items
        return real_already_sent(session, key, person)

    monkeypatch.setattr(digest_mail, "_already_sent", meet_then_check)
    outcomes: list[object] = []

    def run() -> None:
        with Session(engine, expire_on_commit=False) as session:
            try:
                outcomes.append(digest_mail.send_digests(session, Frequency.daily, at(MONDAY)))
                session.commit()
            except OperationalError as exc:  # SQLite: the second writer is turned away
                session.rollback()
                outcomes.append(exc)

    try:
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        if engine.dialect.name == "postgresql":
            assert sorted(outcomes) == [0, 1]  # the second waited for the first, then found none
        else:
            # SQLite has one writer: the second run is refused and rolled back whole.
            assert sorted(o for o in outcomes if isinstance(o, int)) == [1]
            assert len(outcomes) == 2
        with Session(engine) as check:
            [digest] = check.exec(select(Delivery).where(Delivery.person_id == person.id)).all()
            assert all(f"Muutos {n}" in digest.body_text for n in range(3))
            keys = check.exec(
                select(DigestItem.digest_key).where(DigestItem.person_id == person.id)
            ).all()
            assert keys == [digest.message_key] * 3
    finally:
        with Session(engine) as cleanup:
            cleanup.execute(delete(Delivery).where(col(Delivery.person_id) == person.id))
            cleanup.execute(delete(AuditEntry).where(col(AuditEntry.actor_id) == person.id))
            cleanup.execute(delete(DigestItem).where(col(DigestItem.person_id) == person.id))
            cleanup.execute(
                delete(MailPreference).where(col(MailPreference.person_id) == person.id)
            )
            cleanup.execute(delete(Person).where(col(Person.id) == person.id))
            cleanup.commit()
