"""Followers are told of every change: a front-page line and a mail, once, to who may see it."""

from datetime import date, timedelta

from sqlmodel import select

from app import i18n
from app.jinja import fmt_date
from app.models.committees import Position
from app.models.initiatives import (
    AnswerInput,
    InitiativeCreate,
    Notification,
    Outcome,
    Scope,
    State,
)
from app.models.mail import Delivery
from app.models.people import Language, StaffKind
from app.models.types import utcnow
from app.services.access.roles import load_principal
from app.services.initiatives import following, notifications, transitions
from app.services.initiatives import records as initiatives_service
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


def principal(session, person):
    return load_principal(session, person, date.today())


def world(session):
    """A house with its manager, a committee (chair and member) and some residents."""
    house = make_house(session)
    manager = make_manager(session, house)
    chair = make_resident(session, house)
    member = make_resident(session, house)
    make_committee(session, house, [(chair, Position.chair), (member, Position.member)])
    resident = make_resident(session, house)
    return house, manager, chair, member, resident


def deliver(session, connection):
    session.commit()
    mail_service.send_pending(connection)


def test_a_state_change_reaches_followers_but_not_the_actor_or_who_can_no_longer_see(
    session, connection, smtp
):
    house, manager, chair, member, resident = world(session)
    moved_out = make_resident(session, house, ends_on=date.today() - timedelta(days=1))
    inactive = make_resident(session, house, make_person(session, is_active=False))
    outsider = make_resident(session, make_house(session))
    initiative = make_initiative(session, chair, house, State.submitted)
    for person in (chair, member, resident, manager, moved_out, inactive, outsider):
        following.follow(session, initiative, person.id)

    event = transitions.transition(
        session, initiative, "receive", principal(session, manager), utcnow()
    )

    told = {
        n.person_id
        for n in session.exec(select(Notification).where(Notification.event_id == event.id))
    }
    assert told == {chair.id, member.id, resident.id}
    deliver(session, connection)
    assert sorted(r for _f, rcpts in smtp.envelopes for r in rcpts) == sorted(
        [chair.email, member.email, resident.email]
    )
    message = smtp.to(resident.email)[0]
    text = smtp.text_of(message)
    assert fi("Received") in text
    with i18n.use_language("fi"):
        due = fmt_date(initiative.answer_due_on, "long")
    assert due in text
    assert f"/initiatives/{initiative.id}" in text
    assert message.get_body(preferencelist=("html",)) is not None


def test_notifying_the_same_event_again_tells_nobody_twice(session):
    house, manager, chair, _member, resident = world(session)
    initiative = make_initiative(session, chair, house, State.submitted)
    following.follow(session, initiative, resident.id)
    event = transitions.transition(
        session, initiative, "receive", principal(session, manager), utcnow()
    )
    rows_before = len(session.exec(select(Notification)).all())
    mails_before = len(session.exec(select(Delivery)).all())
    assert notifications.initiative_changed(session, initiative, event, manager.id) == 0
    assert len(session.exec(select(Notification)).all()) == rows_before
    assert len(session.exec(select(Delivery)).all()) == mails_before
    assert len(notifications.unread(session, resident.id)) == 1


def test_each_event_is_its_own_notification(session):
    house, manager, chair, _member, resident = world(session)
    initiative = make_initiative(session, chair, house, State.submitted)
    following.follow(session, initiative, resident.id)
    boss = principal(session, manager)
    transitions.transition(session, initiative, "receive", boss, utcnow())
    transitions.transition(session, initiative, "assign", boss, utcnow(), assignee_id=manager.id)
    rows = notifications.unread(session, resident.id)
    assert len(rows) == 2 and len({r.event_id for r in rows}) == 2
    keys = set(
        session.exec(select(Delivery.message_key).where(Delivery.recipient == resident.email))
    )
    assert len(keys) == 2
    notifications.mark_read(session, resident, initiative.id)
    assert notifications.unread(session, resident.id) == []


def test_the_answer_mail_names_the_outcome_and_gives_the_answer(session, connection, smtp):
    house, manager, chair, _member, resident = world(session)
    initiative = make_initiative(session, chair, house, State.in_preparation, title="Pihavalot")
    following.follow(session, initiative, resident.id)
    answer = AnswerInput(outcome=Outcome.partly_accepted, answer="Valot uusitaan syksyllä.")
    transitions.transition(
        session, initiative, "answer", principal(session, manager), utcnow(), answer=answer
    )
    deliver(session, connection)
    message = smtp.to(resident.email)[0]
    outcome = fi("Partly accepted")
    assert message["Subject"] == fi(
        "Initiative “%(title)s” answered: %(outcome)s", title="Pihavalot", outcome=outcome
    )
    text = smtp.text_of(message)
    assert outcome in text and "Valot uusitaan syksyllä." in text
    assert fi("Answered") in text


def test_the_committee_is_told_a_resident_suggested_something(session, connection, smtp):
    house, _manager, chair, member, resident = world(session)
    data = InitiativeCreate(scope=Scope.house, house_id=house.id, title="Pyöräkatos")
    initiative = initiatives_service.create(session, data, principal(session, resident), utcnow())
    assert initiative.state == State.suggested
    deliver(session, connection)
    assert smtp.to(resident.email) == []  # the suggester acted
    for person in (chair, member):
        [message] = smtp.to(person.email)
        assert message["Subject"] == fi(
            "New suggestion to the resident committee: “%(title)s”", title="Pyöräkatos"
        )
        assert fi(
            "A resident of %(house)s has suggested an initiative to the resident committee: "
            "“%(title)s”.",
            house=house.name,
            title="Pyöräkatos",
        ) in smtp.text_of(message)


def test_the_mail_is_in_the_followers_language_and_escaped_in_html(session, connection, smtp):
    house, manager, chair, _member, _resident = world(session)
    swede = make_resident(session, house, make_person(session, language=Language.sv))
    initiative = make_initiative(session, chair, house, State.submitted, title="Valot <b>nyt</b>")
    following.follow(session, initiative, swede.id)
    following.follow(session, initiative, chair.id)
    transitions.transition(session, initiative, "receive", principal(session, manager), utcnow())
    deliver(session, connection)
    [message] = smtp.to(swede.email)
    assert smtp.text_of(message).startswith(f"Hej {swede.name},")
    html = message.get_body(preferencelist=("html",))
    assert html is not None
    content = str(html.get_content())
    assert '<html lang="sv">' in content
    assert "Valot &lt;b&gt;nyt&lt;/b&gt;" in content
    assert "Valot <b>nyt</b>" in smtp.text_of(message)
    [chairs] = smtp.to(chair.email)
    assert '<html lang="fi">' in str(chairs.get_body(preferencelist=("html",)).get_content())


def test_the_mail_speaks_to_the_filer_the_recipient_and_a_follower_each_in_their_role(
    session, connection, smtp
):
    house = make_house(session)
    manager = make_manager(session, house)
    manager.language = Language.en
    filer = make_resident(session, house, make_person(session, language=Language.en))
    member = make_resident(session, house, make_person(session, language=Language.en))
    make_committee(session, house, [(filer, Position.chair), (member, Position.member)])
    admin = make_staff(session, StaffKind.admin)
    initiative = make_initiative(session, filer, house, State.submitted)
    for person in (filer, member, manager):
        following.follow(session, initiative, person.id)
    # An administrator acknowledges it for the manager, so the manager is told too.
    transitions.transition(session, initiative, "receive", principal(session, admin), utcnow())
    deliver(session, connection)

    title = initiative.title
    expected = {
        filer.email: f"Your initiative “{title}” is now: Received.",
        manager.email: f"The initiative “{title}” addressed to you is now: Received.",
        member.email: f"The initiative “{title}” that you follow is now: Received.",
    }
    for email, sentence in expected.items():
        [message] = smtp.to(email)
        assert sentence in smtp.text_of(message)
        html = message.get_body(preferencelist=("html",)).get_content()
        assert sentence in html
        others = set(expected.values()) - {sentence}
        assert not any(other in smtp.text_of(message) for other in others)
