"""The cooperation forum: the queue, the agenda's order, the notice, mails, minutes."""

from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import update
from sqlmodel import col, select

from app import i18n, policies
from app.deps import today
from app.errors import Conflict, ValidationFailed
from app.models.audit import AuditEntry
from app.models.committees import Position
from app.models.forum import AgendaItem, ForumSession, ItemKind
from app.models.forum_schemas import (
    ItemInput,
    ItemUpdate,
    MinutesInput,
    SessionCreate,
    SessionUpdate,
)
from app.models.initiatives import EventKind, InitiativeEvent, Notification, Outcome, State
from app.models.mail import Delivery
from app.models.participation import Participation
from app.models.people import StaffKind
from app.models.types import utcnow
from app.services.access.roles import load_principal
from app.services.forum import agenda as forum_agenda
from app.services.forum import minutes as minutes_service
from app.services.forum import sessions as forum_service
from app.services.initiatives import following
from app.services.mail import delivery as mail_service
from tests.support import (
    fi,
    make_chair,
    make_committee,
    make_forum_session,
    make_house,
    make_initiative,
    make_manager,
    make_resident,
    make_staff,
    make_yte_term,
)


@pytest.fixture(autouse=True)
def english():
    """Messages and dates in English, whatever catalogues exist."""
    with i18n.use_language("en"):
        yield


@pytest.fixture()
def world(session):
    house = make_house(session, name="Koivukuja")
    other = make_house(session, name="Vaahterakuja")
    yte = make_resident(session, house)
    make_committee(session, house, [(yte, Position.chair)])
    make_yte_term(session, [(yte, house)])
    people = SimpleNamespace(
        management=make_staff(session, StaffKind.management),
        admin=make_staff(session, StaffKind.admin),
        yte=yte,
        chair=make_chair(session, other),
        resident=make_resident(session, other),
        manager=make_manager(session, other),
    )
    session.commit()
    return people


def principal(session, person):
    return load_principal(session, person, today())


def add(session, forum_session, user, title, **fields):
    data = ItemInput(kind=ItemKind.theme, title=title, **fields)
    return forum_agenda.add_item(session, forum_session, data, principal(session, user))


def titles(session, forum_session):
    return [i.title for i in forum_service.items(session, forum_session.id)]


# ---- the queue and the agenda ---------------------------------------------------------------


def test_queue_leaves_out_initiatives_already_on_an_open_agenda(session, world):
    waiting = make_initiative(session, world.yte, state=State.submitted)
    received = make_initiative(session, world.yte, state=State.received)
    make_initiative(session, world.yte, state=State.draft)
    make_initiative(session, world.yte, state=State.answered)
    make_initiative(session, world.yte, house=make_house(session), state=State.submitted)
    first = make_forum_session(session, days_ahead=20)
    assert [i.id for i in forum_service.queue(session)] == [waiting.id, received.id]

    boss = principal(session, world.management)
    item = forum_agenda.add_initiative(session, first, waiting.id, boss)
    assert item.kind == ItemKind.initiative
    assert item.title == waiting.title
    assert item.participation == waiting.participation
    assert [i.id for i in forum_service.queue(session)] == [received.id]
    # Not twice, not on another open agenda either.
    second = make_forum_session(session, days_ahead=40)
    with pytest.raises(ValidationFailed) as caught:
        forum_agenda.add_initiative(session, second, waiting.id, boss)
    assert "initiative_id" in caught.value.errors
    # Once the first session is minuted, a still-waiting initiative is suggested again.
    first.minutes_published_at = utcnow()
    session.add(first)
    session.flush()
    assert [i.id for i in forum_service.queue(session)] == [waiting.id, received.id]


def test_house_initiatives_are_not_forum_matters(session, world):
    house_level = make_initiative(
        session, world.yte, house=make_house(session), state=State.received
    )
    forum_session = make_forum_session(session)
    with pytest.raises(ValidationFailed) as caught:
        forum_agenda.add_initiative(
            session, forum_session, house_level.id, principal(session, world.management)
        )
    assert caught.value.errors == {"initiative_id": "There is no such company initiative."}


def test_items_move_up_and_down_and_removal_closes_the_gap(session, world):
    forum_session = make_forum_session(session)
    boss = principal(session, world.management)
    first = add(session, forum_session, world.management, "Budget")
    second = add(session, forum_session, world.management, "Procurement")
    third = add(session, forum_session, world.management, "Surveys")
    forum_agenda.move_item(session, forum_session, third, "up", boss)
    assert titles(session, forum_session) == ["Budget", "Surveys", "Procurement"]
    forum_agenda.move_item(session, forum_session, first, "up", boss)  # already first
    assert titles(session, forum_session) == ["Budget", "Surveys", "Procurement"]
    forum_agenda.move_item(session, forum_session, first, "down", boss)
    assert titles(session, forum_session) == ["Surveys", "Budget", "Procurement"]
    forum_agenda.remove_item(session, forum_session, first, boss)
    assert titles(session, forum_session) == ["Surveys", "Procurement"]
    assert [i.position for i in forum_service.items(session, forum_session.id)] == [1, 2]
    assert session.get(AgendaItem, second.id).position == 2
    with pytest.raises(ValidationFailed):
        forum_agenda.move_item(session, forum_session, second, "sideways", boss)


def test_an_item_edit_on_a_stale_version_conflicts(session, world):
    forum_session = make_forum_session(session)
    item = add(session, forum_session, world.management, "Budget", planned_minutes=30)
    boss = principal(session, world.management)
    data = ItemUpdate(
        kind=ItemKind.budget,
        title="Budget 2028",
        planned_minutes=45,
        participation=Participation.decision,
        version=item.version,
    )
    forum_agenda.update_item(session, forum_session, item, data, boss)
    assert (item.title, item.planned_minutes, item.version) == ("Budget 2028", 45, 2)
    with pytest.raises(Conflict):
        forum_agenda.update_item(session, forum_session, item, data, boss)


def test_a_session_needs_a_future_time_and_a_web_link(session, world):
    data = SessionCreate(
        title="Spring forum",
        starts_at=(utcnow() - timedelta(days=1)).replace(tzinfo=None),
        place="Haso",
        remote_link="meet.example.com/x",
    )
    with pytest.raises(ValidationFailed) as caught:
        forum_service.create_session(session, data, principal(session, world.management))
    assert set(caught.value.errors) == {"starts_on", "remote_link"}


# ---- publishing the agenda ------------------------------------------------------------------


def test_publishing_later_than_seven_days_before_is_refused(session, world):
    forum_session = make_forum_session(session, days_ahead=5)
    add(session, forum_session, world.management, "Budget")
    with pytest.raises(ValidationFailed) as caught:
        minutes_service.publish_agenda(
            session, forum_session, principal(session, world.management), override=True
        )
    assert "at least 7 days before the session" in caught.value.errors[""]
    assert forum_session.agenda_published_at is None
    assert session.exec(select(Delivery)).all() == []


def test_an_administrator_overrides_the_notice_and_the_audit_log_says_so(session, world):
    forum_session = make_forum_session(session, days_ahead=5)
    add(session, forum_session, world.management, "Budget")
    admin = principal(session, world.admin)
    with pytest.raises(ValidationFailed) as caught:
        minutes_service.publish_agenda(session, forum_session, admin)
    assert "override" in caught.value.errors
    queued = minutes_service.publish_agenda(session, forum_session, admin, override=True)
    assert queued == 2  # management and Haso-yte
    assert forum_session.agenda_published_at is not None
    assert forum_session.late_publication_by_id == world.admin.id
    entry = session.exec(
        select(AuditEntry).where(
            AuditEntry.entity == "forum_session",
            AuditEntry.entity_id == str(forum_session.id),
            AuditEntry.action == minutes_service.LATE_PUBLICATION,
        )
    ).one()
    assert entry.actor_id == world.admin.id


def test_the_agenda_is_mailed_to_management_and_haso_yte_only(session, connection, world, smtp):
    initiative = make_initiative(session, world.yte, state=State.received, title="Pihavalot")
    forum_session = make_forum_session(
        session, days_ahead=10, remote_link="https://meet.example.com/f"
    )
    boss = principal(session, world.management)
    forum_agenda.add_initiative(session, forum_session, initiative.id, boss)
    add(session, forum_session, world.management, "Talousarvio 2028", presenter="CFO")
    assert minutes_service.publish_agenda(session, forum_session, boss) == 2
    session.commit()
    mail_service.send_pending(connection)
    assert len(smtp.messages) == 2
    for person in (world.management, world.yte):
        [message] = smtp.to(person.email)
        text = smtp.text_of(message)
        assert "1. Pihavalot" in text and "2. Talousarvio 2028" in text
        assert f"/initiatives/{initiative.id}" in text
        assert f"/forum/sessions/{forum_session.id}/calendar.ics" in text
        assert "https://meet.example.com/f" in text
        subject = fi("Agenda: %(title)s on %(date)s", title="Yhteistyöfoorumi", date="")
        assert str(message["Subject"]).startswith(subject.strip())
    for person in (world.admin, world.chair, world.resident, world.manager):
        assert smtp.to(person.email) == []


def test_publishing_again_needs_a_change_and_then_mails_the_update(
    session, connection, world, smtp
):
    forum_session = make_forum_session(session, days_ahead=10)
    boss = principal(session, world.management)
    add(session, forum_session, world.management, "Budget")
    minutes_service.publish_agenda(session, forum_session, boss)
    with pytest.raises(ValidationFailed) as caught:
        minutes_service.publish_agenda(session, forum_session, boss)
    assert "has not changed" in caught.value.errors[""]
    forum_session.agenda_published_at -= timedelta(seconds=5)  # the change comes later
    add(session, forum_session, world.management, "Surveys")
    assert minutes_service.publish_agenda(session, forum_session, boss) == 2
    session.commit()
    mail_service.send_pending(connection)
    mail_service.send_pending(connection)
    subjects = [str(m["Subject"]) for m in smtp.to(world.yte.email)]
    assert len(subjects) == 2
    assert subjects[1].startswith(
        fi("Updated agenda: %(title)s on %(date)s", title="", date="").split(":")[0]
    )
    assert "Surveys" in smtp.text_of(smtp.to(world.yte.email)[1])


def test_a_removed_item_marks_the_agenda_changed_and_the_update_says_what_changed(
    session, connection, world, smtp
):
    forum_session = make_forum_session(session, days_ahead=10)
    boss = principal(session, world.management)
    add(session, forum_session, world.management, "Budget")
    gone = add(session, forum_session, world.management, "Parking")
    add(session, forum_session, world.management, "Surveys")
    minutes_service.publish_agenda(session, forum_session, boss)
    assert forum_agenda.changes_since_publication(session, forum_session) == []
    forum_session.agenda_published_at -= timedelta(seconds=5)
    forum_agenda.remove_item(session, forum_session, gone, boss)
    assert forum_service.changed_since_publication(forum_session)
    changes = forum_agenda.changes_since_publication(session, forum_session)
    assert changes == [forum_agenda.AgendaChange("removed", "Parking")]
    removed = fi("Removed: %(title)s", title="Parking")
    minutes_service.publish_agenda(session, forum_session, boss)
    assert not forum_service.changed_since_publication(forum_session)
    session.commit()
    mail_service.send_pending(connection)
    mail_service.send_pending(connection)
    update = smtp.to(world.yte.email)[-1]
    assert removed in smtp.text_of(update)
    assert fi("What changed:") in smtp.text_of(update)


def test_an_empty_agenda_is_not_published(session, world):
    forum_session = make_forum_session(session, days_ahead=10)
    with pytest.raises(ValidationFailed):
        minutes_service.publish_agenda(session, forum_session, principal(session, world.management))


# ---- who sees what --------------------------------------------------------------------------


def test_chairs_see_a_session_once_published_and_its_minutes_once_those_are(session, world):
    draft = make_forum_session(session, days_ahead=30)
    published = make_forum_session(session, days_ahead=10, agenda_published_at=utcnow())
    held = make_forum_session(session, days_ahead=-30, agenda_published_at=utcnow())
    now = utcnow()

    def seen(person):
        lists = forum_service.visible_sessions(session, principal(session, person), now)
        return [s.id for s in lists.upcoming], [s.id for s in lists.past]

    assert seen(world.management) == ([published.id, draft.id], [held.id])
    assert seen(world.yte) == ([published.id, draft.id], [held.id])
    assert seen(world.chair) == ([published.id], [held.id])
    chair = principal(session, world.chair)
    assert not policies.can_view_forum_minutes(chair, held)
    assert policies.can_view_forum_minutes(principal(session, world.yte), held)
    held.minutes_published_at = now
    assert policies.can_view_forum_minutes(chair, held)
    assert not policies.can_view_forum_minutes(principal(session, world.resident), held)
    assert not policies.can_view_forum_minutes(chair, draft)


# ---- minutes --------------------------------------------------------------------------------


def held_session_with(session, world, initiative):
    forum_session = make_forum_session(session, days_ahead=-1, agenda_published_at=utcnow())
    item = AgendaItem(
        session_id=forum_session.id,
        position=1,
        kind=ItemKind.initiative,
        initiative_id=initiative.id,
        title=initiative.title,
    )
    session.add(item)
    session.flush()
    return forum_session, item


def minutes(item, **fields):
    values = {"discussion": "Discussed.", "version": item.version}
    values.update(fields)
    return MinutesInput(**values)


def test_a_decision_answers_the_initiative_when_the_minutes_are_published_not_before(
    session, world
):
    initiative = make_initiative(session, world.yte, state=State.submitted)
    follower = make_chair(session, make_house(session))
    following.follow(session, initiative, world.yte.id)
    following.follow(session, initiative, follower.id)
    forum_session, item = held_session_with(session, world, initiative)
    boss = principal(session, world.management)
    data = minutes(
        item,
        decision="The lights are renewed in May.",
        outcome=Outcome.accepted,
        follow_up="Order the lights",
        follow_up_owner_id=world.management.id,
        follow_up_due=today() + timedelta(days=30),
    )
    result = minutes_service.record(session, forum_session, item, data, boss)
    # A draft: the initiative is as it was and nobody has been told anything.
    assert not result.answered and result.note == ""
    assert initiative.state == State.submitted and initiative.answer == ""
    for person in (world.yte, follower):
        told = session.exec(select(Notification).where(Notification.person_id == person.id))
        assert told.all() == []
    assert session.exec(select(Delivery)).all() == []

    published = minutes_service.publish_minutes(session, forum_session, boss)
    assert published.answered == [initiative] and published.notes == []
    assert initiative.state == State.answered
    assert initiative.outcome == Outcome.accepted
    assert initiative.answer == "The lights are renewed in May."
    assert initiative.answered_by_id == world.management.id
    actions = session.exec(
        select(InitiativeEvent.action).where(
            InitiativeEvent.initiative_id == initiative.id, InitiativeEvent.kind == EventKind.state
        )
    ).all()
    assert actions == ["receive", "answer"]
    for person in (world.yte, follower):
        told = session.exec(
            select(Notification).where(
                Notification.person_id == person.id, Notification.initiative_id == initiative.id
            )
        ).all()
        assert len(told) == 2
        mails = session.exec(select(Delivery).where(Delivery.person_id == person.id)).all()
        assert any("The lights are renewed in May." in d.body_text for d in mails)
    # The follow-up owner is told what to do and by when.
    (task,) = session.exec(
        select(Delivery).where(Delivery.message_key.endswith(f":follow-up:{item.id}"))
    ).all()
    assert task.person_id == world.management.id
    assert "Order the lights" in task.body_text
    assert item.recorded_at is not None and item.follow_up_owner_id == world.management.id


def test_minutes_of_a_withdrawn_initiative_are_kept_but_the_initiative_is_not_changed(
    session, world
):
    initiative = make_initiative(session, world.yte, state=State.withdrawn)
    forum_session, item = held_session_with(session, world, initiative)
    data = minutes(item, decision="Not needed any more.", outcome=Outcome.rejected)
    boss = principal(session, world.management)
    result = minutes_service.record(session, forum_session, item, data, boss)
    assert not result.answered
    assert "will not change" in result.note and "Withdrawn" in result.note
    published = minutes_service.publish_minutes(session, forum_session, boss)
    assert published.answered == []
    assert len(published.notes) == 1 and "Withdrawn" in published.notes[0]
    assert initiative.state == State.withdrawn and initiative.answer == ""
    saved = session.get(AgendaItem, item.id)
    assert saved.decision == "Not needed any more." and saved.outcome == Outcome.rejected


def test_saving_a_decision_again_before_publication_is_only_a_draft(session, world):
    initiative = make_initiative(session, world.yte, state=State.received)
    forum_session, item = held_session_with(session, world, initiative)
    boss = principal(session, world.management)
    minutes_service.record(
        session, forum_session, item, minutes(item, decision="Yes.", outcome=Outcome.accepted), boss
    )
    changed = minutes_service.record(
        session, forum_session, item, minutes(item, decision="No.", outcome=Outcome.rejected), boss
    )
    assert changed.note == ""
    minutes_service.publish_minutes(session, forum_session, boss)
    assert initiative.answer == "No." and initiative.outcome == Outcome.rejected


def test_minutes_on_a_stale_version_conflict(session, world):
    initiative = make_initiative(session, world.yte, state=State.received)
    forum_session, item = held_session_with(session, world, initiative)
    boss = principal(session, world.management)
    stale = item.version
    minutes_service.record(session, forum_session, item, minutes(item), boss)
    with pytest.raises(Conflict):
        minutes_service.record(
            session, forum_session, item, minutes(item, version=stale, discussion="Mine"), boss
        )
    assert session.get(AgendaItem, item.id).discussion == "Discussed."


def test_minutes_rules_are_tied_to_their_fields(session, world):
    initiative = make_initiative(session, world.yte, state=State.received)
    forum_session, item = held_session_with(session, world, initiative)
    boss = principal(session, world.management)
    bad = minutes(
        item, outcome=Outcome.accepted, follow_up_owner_id=world.chair.id, follow_up_due=today()
    )
    with pytest.raises(ValidationFailed) as caught:
        minutes_service.record(session, forum_session, item, bad, boss)
    assert set(caught.value.errors) == {"decision", "follow_up", "follow_up_owner_id"}
    coming = make_forum_session(session, days_ahead=3)
    with pytest.raises(ValidationFailed) as caught:
        minutes_service.record(session, coming, item, minutes(item), boss)
    assert "once the session has begun" in caught.value.errors[""]
    assert initiative.state == State.received


def test_minutes_are_published_once_every_item_is_recorded(session, world):
    initiative = make_initiative(session, world.yte, state=State.received)
    forum_session, item = held_session_with(session, world, initiative)
    boss = principal(session, world.management)
    with pytest.raises(ValidationFailed) as caught:
        minutes_service.publish_minutes(session, forum_session, boss)
    assert initiative.title in caught.value.errors[""]
    minutes_service.record(session, forum_session, item, minutes(item), boss)
    minutes_service.publish_minutes(session, forum_session, boss)
    assert forum_session.minutes_published_at is not None
    with pytest.raises(ValidationFailed):  # the agenda is closed now
        add(session, forum_session, world.management, "Late addition")
    assert session.exec(select(ForumSession)).all() == [forum_session]


def test_published_minutes_can_no_longer_change(session, world):
    initiative = make_initiative(session, world.yte, state=State.received)
    forum_session, item = held_session_with(session, world, initiative)
    boss = principal(session, world.management)
    minutes_service.record(session, forum_session, item, minutes(item), boss)
    minutes_service.publish_minutes(session, forum_session, boss)
    late = minutes(item, decision="Rejected after all.", outcome=Outcome.rejected)
    with pytest.raises(ValidationFailed) as caught:
        minutes_service.record(session, forum_session, item, late, boss)
    assert caught.value.errors == {"": "The minutes are published; they can no longer change."}
    assert session.get(AgendaItem, item.id).decision == ""
    assert initiative.state == State.received and initiative.answer == ""


def test_a_decision_on_an_initiative_needs_the_outcome(session, world):
    initiative = make_initiative(session, world.yte, state=State.received)
    forum_session, item = held_session_with(session, world, initiative)
    boss = principal(session, world.management)
    with pytest.raises(ValidationFailed) as caught:
        minutes_service.record(session, forum_session, item, minutes(item, decision="Yes."), boss)
    assert caught.value.errors == {"outcome": "Choose the outcome of the initiative."}
    assert item.recorded_at is None
    # Only discussed: no decision, no outcome, the initiative waits.
    minutes_service.record(session, forum_session, item, minutes(item), boss)
    assert initiative.state == State.received
    # A free item's decision needs no outcome.
    free = add(session, forum_session, world.management, "Budget")
    free_minutes = minutes(free, decision="Approved.")
    minutes_service.record(session, forum_session, free, free_minutes, boss)
    assert free.decision == "Approved."


# ---- changing a session ---------------------------------------------------------------------


def move(session, forum_session, user, days_ahead, **fields):
    data = SessionUpdate(
        starts_at=utcnow() + timedelta(days=days_ahead), version=forum_session.version, **fields
    )
    return forum_service.update_session(session, forum_session, data, principal(session, user))


def test_a_session_is_not_moved_to_the_past_or_years_ahead(session, world):
    forum_session = make_forum_session(session, days_ahead=30)
    starts_at = forum_session.starts_at
    for days in (-1, 6 * 366):
        with pytest.raises(ValidationFailed) as caught:
            move(session, forum_session, world.management, days)
        assert set(caught.value.errors) == {"starts_on"}
    assert forum_session.starts_at == starts_at and forum_session.version == 1
    far = SessionCreate(
        title="Far", starts_at=datetime(9999, 12, 31, 23), place="Haso", duration_minutes=720
    )
    with pytest.raises(ValidationFailed) as caught:
        forum_service.create_session(session, far, principal(session, world.management))
    assert caught.value.errors == {"starts_on": "A session can be scheduled at most 5 years ahead."}


def test_a_published_session_is_moved_inside_the_notice_only_by_an_admin(session, world):
    forum_session = make_forum_session(session, days_ahead=20)
    add(session, forum_session, world.management, "Budget")
    minutes_service.publish_agenda(session, forum_session, principal(session, world.management))
    with pytest.raises(ValidationFailed) as caught:
        move(session, forum_session, world.management, 3)
    assert "7 days' notice" in caught.value.errors["starts_on"]
    with pytest.raises(ValidationFailed) as caught:
        move(session, forum_session, world.admin, 3)
    assert "override" in caught.value.errors
    assert local_day(forum_session.starts_at) == local_day(utcnow() + timedelta(days=20))
    move(session, forum_session, world.admin, 3, override=True)
    entry = session.exec(
        select(AuditEntry).where(
            AuditEntry.entity == "forum_session", AuditEntry.action == forum_service.LATE_NOTICE
        )
    ).one()
    assert entry.actor_id == world.admin.id
    # Moved: the agenda is to be published again (late now, so by an administrator).
    assert forum_service.changed_since_publication(forum_session)
    admin = principal(session, world.admin)
    assert minutes_service.publish_agenda(session, forum_session, admin, override=True) == 2
    # Other changes of a published session inside the notice stay possible.
    data = SessionUpdate(place="Kerhohuone", version=forum_session.version)
    forum_service.update_session(session, forum_session, data, principal(session, world.management))
    assert forum_session.place == "Kerhohuone"


def local_day(moment):
    return forum_service.local_date(moment)


def test_a_moved_published_session_mails_the_updated_agenda(session, connection, world, smtp):
    forum_session = make_forum_session(session, days_ahead=30)
    boss = principal(session, world.management)
    add(session, forum_session, world.management, "Budget")
    minutes_service.publish_agenda(session, forum_session, boss)
    move(session, forum_session, world.management, 20)
    assert minutes_service.publish_agenda(session, forum_session, boss) == 2
    session.commit()
    mail_service.send_pending(connection)
    subjects = [str(m["Subject"]) for m in smtp.to(world.yte.email)]
    assert len(subjects) == 2
    assert subjects[1].startswith(
        fi("Updated agenda: %(title)s on %(date)s", title="", date="").split(":")[0]
    )


# ---- versions: agenda changes and publication -----------------------------------------------


def test_every_agenda_change_bumps_the_session_version(session, world):
    forum_session = make_forum_session(session, days_ahead=20)
    boss = principal(session, world.management)
    first = add(session, forum_session, world.management, "Budget")
    second = add(session, forum_session, world.management, "Surveys")
    assert forum_session.version == 3
    data = ItemUpdate(kind=ItemKind.theme, title="Surveys 2028", version=second.version)
    forum_agenda.update_item(session, forum_session, second, data, boss)
    forum_agenda.move_item(session, forum_session, second, "up", boss)
    forum_agenda.remove_item(session, forum_session, first, boss)
    assert forum_service.get(session, forum_session.id).version == 6


def test_an_agenda_change_racing_a_publication_conflicts(session, world):
    forum_session = make_forum_session(session, days_ahead=20)
    item = add(session, forum_session, world.management, "Budget")
    # A publication commits elsewhere after this request read the session.
    session.execute(
        update(ForumSession)
        .where(col(ForumSession.id) == forum_session.id)
        .values(version=ForumSession.version + 1)
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(Conflict):
        add(session, forum_session, world.management, "Surveys")
    boss = principal(session, world.management)
    with pytest.raises(Conflict):
        forum_agenda.remove_item(session, forum_session, item, boss)
    assert titles(session, forum_session) == ["Budget"]


def test_a_change_read_after_publication_counts_whatever_the_clock(session, world):
    forum_session = make_forum_session(session, days_ahead=20)
    boss = principal(session, world.management)
    add(session, forum_session, world.management, "Budget")
    minutes_service.publish_agenda(session, forum_session, boss)
    # Another server's clock is a second behind the one that published.
    behind = forum_session.agenda_published_at - timedelta(seconds=1)
    forum_agenda.add_item(
        session, forum_session, ItemInput(kind=ItemKind.theme, title="Surveys"), boss, now=behind
    )
    assert forum_service.changed_since_publication(forum_session)


def test_an_initiative_put_on_two_agendas_at_once_is_refused(session, world, monkeypatch):
    initiative = make_initiative(session, world.yte, state=State.received)
    first = make_forum_session(session, days_ahead=20)
    second = make_forum_session(session, days_ahead=40)
    boss = principal(session, world.management)
    forum_agenda.add_initiative(session, first, initiative.id, boss)
    # The second manager's queue was read before the first one's item was there.
    stale = list(forum_service.initiative_lists.forum_queue(session))
    monkeypatch.setattr(forum_service, "queue", lambda _session: stale)
    version = second.version
    with pytest.raises(ValidationFailed) as caught:
        forum_agenda.add_initiative(session, second, initiative.id, boss)
    assert "at the same moment" in caught.value.errors["initiative_id"]
    assert titles(session, second) == []
    assert forum_service.get(session, second.id).version == version
