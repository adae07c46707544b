"""The annual calendar's service: templates, who sees which event, adjusting, feeds, policies."""

from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace

import icalendar
import pytest
from sqlmodel import select

from app import i18n, policies
from app.errors import Conflict, NotFound, ValidationFailed
from app.i18n import use_language
from app.models.audit import AuditEntry
from app.models.calendar import Audience, CalendarEvent, CalendarFeed, EventKind
from app.models.calendar_schemas import EventAdjust, EventCreate, TemplateInput, TemplateUpdate
from app.models.committees import Position
from app.models.people import StaffKind
from app.models.types import HELSINKI, utcnow
from app.security import token_hash
from app.services.access.roles import load_principal
from app.services.calendar import events as calendar_service
from app.services.calendar import feeds as calendar_feeds
from app.services.calendar import labels as calendar_labels
from app.services.calendar import registrations as registrations_service
from app.services.mail import delivery as mail_service
from tests.support import (
    fi,
    make_committee,
    make_house,
    make_manager,
    make_resident,
    make_staff,
    make_yte_term,
)


def principal(session, person):
    return load_principal(session, person, date.today())


def event(session, title, audience, house=None, days=10, **fields):
    start = utcnow().replace(microsecond=0) + timedelta(days=days)
    values = {
        "title_fi": title,
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "audience": audience,
        "house_id": house.id if house else None,
    }
    values.update(fields)
    found = CalendarEvent(**values)
    session.add(found)
    session.flush()
    return found


@pytest.fixture()
def world(session):
    home, other = make_house(session, name="Kotitalo"), make_house(session, name="Naapuri")
    resident = make_resident(session, home)
    chair = make_resident(session, home)
    make_committee(session, home, [(chair, Position.chair)])
    w = SimpleNamespace(
        home=home,
        other=other,
        resident=principal(session, resident),
        chair=principal(session, chair),
        manager=principal(session, make_manager(session, other)),
        management=principal(session, make_staff(session, StaffKind.management)),
        adviser=principal(session, make_staff(session, StaffKind.housing_adviser)),
    )
    w.events = {
        "residents": event(session, "Kaikille asukkaille", Audience.all_residents, days=5),
        "chairs": event(session, "Puheenjohtajille", Audience.all_chairs, days=6),
        "own house": event(session, "Oman talon kokous", Audience.house_residents, home, days=7),
        "other house": event(session, "Naapurin kokous", Audience.house_residents, other, days=8),
        "committee": event(session, "Toimikunta", Audience.house_committee, home, days=9),
        "yte": event(session, "Foorumi", Audience.yte, days=10),
        "management": event(session, "Johto", Audience.management, days=11),
    }
    return w


def titles(rows):
    return {e.title_fi for e in rows}


def template_input(**fields):
    values = {
        "title_fi": "Pihatalkoot",
        "months": "5,9",
        "day": 15,
        "start_time": time(17, 0),
        "duration_minutes": 180,
        "audience": Audience.house_residents,
        "invitation_days": 21,
        "reminder_days": 2,
    }
    values.update(fields)
    return TemplateInput(**values)


# ---- who sees what -------------------------------------------------------------------------


def test_a_resident_sees_all_residents_and_own_house_events(session, world):
    seen = titles(calendar_service.upcoming(session, world.resident))
    assert seen == {"Kaikille asukkaille", "Oman talon kokous"}


def test_a_chair_sees_the_chairs_and_committee_events_too(session, world):
    seen = titles(calendar_service.upcoming(session, world.chair))
    assert seen == {"Kaikille asukkaille", "Oman talon kokous", "Puheenjohtajille", "Toimikunta"}


def test_a_property_manager_sees_the_house_events_of_their_houses(session, world):
    assert titles(calendar_service.upcoming(session, world.manager)) == {"Naapurin kokous"}
    assert calendar_service.upcoming(session, world.adviser) == []


def test_management_sees_every_event(session, world):
    assert len(calendar_service.upcoming(session, world.management)) == len(world.events)


def test_cancelled_events_are_left_out_unless_asked(session, world):
    calendar_service.cancel_event(session, world.events["residents"], world.management)
    assert "Kaikille asukkaille" not in titles(calendar_service.upcoming(session, world.resident))
    first, last = date.today(), date.today() + timedelta(days=30)
    with_cancelled = calendar_service.range_events(session, world.resident, first, last, True)
    assert "Kaikille asukkaille" in titles(with_cancelled)


def test_get_visible_hides_other_audiences(session, world):
    own = world.events["own house"]
    assert calendar_service.get_visible(session, world.resident, own.id) is own
    for key in ("chairs", "other house", "management"):
        with pytest.raises(NotFound):
            calendar_service.get_visible(session, world.resident, world.events[key].id)
    with pytest.raises(NotFound):
        calendar_service.get_visible(session, world.resident, 999999)


def test_the_month_is_a_helsinki_month(session, world):
    # 31 January 23.30 Helsinki is still January, though UTC says 21.30: and 1 March 00.30 is
    # already March although it is February in UTC.
    late = datetime(2031, 1, 31, 21, 30, tzinfo=UTC)
    early = datetime(2031, 2, 28, 22, 30, tzinfo=UTC)
    event(
        session,
        "Tammikuun ilta",
        Audience.all_residents,
        starts_at=late,
        ends_at=late + timedelta(minutes=20),
    )
    event(
        session,
        "Maaliskuun aamu",
        Audience.all_residents,
        starts_at=early,
        ends_at=early + timedelta(hours=1),
    )
    january = titles(calendar_service.month_events(session, world.resident, 2031, 1))
    february = titles(calendar_service.month_events(session, world.resident, 2031, 2))
    march = titles(calendar_service.month_events(session, world.resident, 2031, 3))
    assert january == {"Tammikuun ilta"} and february == set() and march == {"Maaliskuun aamu"}


def test_the_filter_by_kind_of_participation(session, world):
    world.events["residents"].participation = "planning"
    session.add(world.events["residents"])
    session.flush()
    planning = calendar_service.upcoming(session, world.resident, participation="planning")
    assert titles(planning) == {"Kaikille asukkaille"}


def test_titles_in_the_viewers_language_fall_back_to_finnish(session, world):
    shown = world.events["residents"]
    shown.title_sv = "För alla boende"
    assert calendar_labels.title(shown, "sv") == "För alla boende"
    assert calendar_labels.title(shown, "en") == "Kaikille asukkaille"
    with i18n.use_language("sv"):
        assert calendar_labels.title(shown) == "För alla boende"


# ---- templates -----------------------------------------------------------------------------


def test_a_new_template_generates_its_events_at_once_and_is_audited(session, world):
    template = calendar_service.create_template(
        session, template_input(months="12, 1"), world.management, today=date(2030, 6, 1)
    )
    assert template.months == "1,12"
    rows = session.exec(select(CalendarEvent).where(CalendarEvent.template_id == template.id)).all()
    # One per house and month: two houses, December 2030 and January 2031.
    assert len(rows) == 4 and {e.house_id for e in rows} == {world.home.id, world.other.id}
    entry = session.exec(
        select(AuditEntry).where(
            AuditEntry.entity == "event_template", AuditEntry.action == "create"
        )
    ).one()
    assert entry.actor_id == world.management.id


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"months": "0,13"}, "months"),
        ({"months": "5,5"}, "months"),
        ({"months": "kesä"}, "months"),
        ({"day": 30}, "day"),
        ({"day": None}, "day"),
        ({"weekday": 7, "day": None}, "weekday"),
        ({"weekday": 1, "week": 6}, "week"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"reminder_days": 30}, "reminder_days"),
        ({"audience": Audience.all_chairs, "house_id": 1}, "house_id"),
        ({"house_id": 999999}, "house_id"),
        ({"registration": True, "capacity": 0}, "capacity"),
        ({"link": "javascript:alert(1)"}, "link"),
        ({"title_fi": "   "}, "title_fi"),
    ],
)
def test_template_input_is_checked_field_by_field(session, world, fields, field):
    with pytest.raises(ValidationFailed) as caught:
        calendar_service.create_template(session, template_input(**fields), world.management)
    assert field in caught.value.errors


def test_the_reminder_error_speaks_the_users_language(session, world):
    with pytest.raises(ValidationFailed) as caught:
        calendar_service.create_template(
            session, template_input(invitation_days=7, reminder_days=10), world.management
        )
    expected = fi(
        "The reminder must go out no earlier than the invitation: at most %(days)s days before.",
        days=7,
    )
    assert caught.value.errors["reminder_days"] == expected


def test_a_weekday_rule_clears_the_day(session, world):
    template = calendar_service.create_template(
        session, template_input(weekday=2, week=5, day=12), world.management
    )
    assert (template.day, template.weekday, template.week) == (None, 2, 5)
    with use_language("en"):
        assert calendar_labels.rule_text(template) == "Months 5, 9: last wednesday"


def test_editing_a_template_needs_the_current_version(session, world):
    template = calendar_service.create_template(session, template_input(), world.management)
    data = TemplateUpdate(**template_input(title_fi="Syystalkoot").model_dump(), version=1)
    calendar_service.update_template(session, template, data, world.management)
    assert template.version == 2 and template.title_fi == "Syystalkoot"
    with pytest.raises(Conflict):
        calendar_service.update_template(session, template, data, world.management)


def test_deactivating_a_template_cancels_its_future_events_and_reactivating_revives(session, world):
    template = calendar_service.create_template(session, template_input(), world.management)
    rows = session.exec(select(CalendarEvent).where(CalendarEvent.template_id == template.id)).all()
    by_hand = rows[0]
    calendar_service.cancel_event(session, by_hand, world.management)
    data = TemplateUpdate(**template_input(active=False).model_dump(), version=1)
    calendar_service.update_template(session, template, data, world.management)
    assert rows and all(e.cancelled_at is not None for e in rows)
    again = TemplateUpdate(**template_input(place="Piha").model_dump(), version=2)
    calendar_service.update_template(session, template, again, world.management)
    # The template's own cancellations are undone; the one cancelled by hand stays cancelled.
    assert by_hand.cancelled_at is not None and by_hand.place == ""
    assert all(e.cancelled_at is None and e.place == "Piha" for e in rows[1:])
    count = len(session.exec(select(CalendarEvent)).all())
    assert count == len(world.events) + len(rows)


def test_an_edit_that_changes_nothing_leaves_the_events_versions(session, world):
    template = calendar_service.create_template(session, template_input(), world.management)
    data = TemplateUpdate(**template_input().model_dump(), version=1)
    calendar_service.update_template(session, template, data, world.management)
    rows = session.exec(select(CalendarEvent).where(CalendarEvent.template_id == template.id)).all()
    assert {e.version for e in rows} == {1}


# ---- one-off events, adjusting, cancelling -------------------------------------------------


def event_input(**fields):
    values = {
        "title_fi": "Koulutus",
        "starts_at": datetime.combine(date.today() + timedelta(days=20), time(18, 0)),
        "audience": Audience.all_chairs,
        "kind": EventKind.event,
    }
    values.update(fields)
    return EventCreate(**values)


def test_a_one_off_event_is_added_in_helsinki_time(session, world):
    created = calendar_service.create_event(session, event_input(), world.management)
    local = created.starts_at.astimezone(HELSINKI)
    assert local.time() == time(18, 0) and created.ends_at - created.starts_at == timedelta(hours=2)
    assert created.occurrence_key is None and created.created_by_id == world.management.id


def test_a_one_off_house_event_needs_its_house_and_a_future_time(session, world):
    past = datetime.combine(date.today() - timedelta(days=1), time(18, 0))
    with pytest.raises(ValidationFailed) as caught:
        calendar_service.create_event(
            session,
            event_input(audience=Audience.house_residents, starts_at=past),
            world.management,
        )
    assert set(caught.value.errors) == {"house_id", "starts_at"}


def test_adjusting_sets_the_mark_and_refuses_the_past_and_stale_versions(session, world):
    shown = world.events["chairs"]
    data = EventAdjust(
        starts_at=shown.starts_at + timedelta(days=1),
        duration_minutes=90,
        place="Uusi paikka",
        link="https://meet.example/1",
        version=1,
    )
    calendar_service.adjust_event(session, shown, data, world.management)
    assert shown.adjusted_at is not None and shown.place == "Uusi paikka" and shown.version == 2
    assert shown.ends_at - shown.starts_at == timedelta(minutes=90)
    with pytest.raises(Conflict):
        calendar_service.adjust_event(session, shown, data, world.management)
    past = data.model_copy(update={"starts_at": utcnow() - timedelta(hours=1), "version": 2})
    with pytest.raises(ValidationFailed) as caught:
        calendar_service.adjust_event(session, shown, past, world.management)
    assert "starts_at" in caught.value.errors
    updates = session.exec(
        select(AuditEntry).where(
            AuditEntry.entity == "calendar_event", AuditEntry.action == "update"
        )
    ).all()
    assert len(updates) == 1 and updates[0].after["place"] == "Uusi paikka"


def test_a_past_event_keeps_its_time_when_only_the_text_changes(session, world):
    past = event(session, "Mennyt", Audience.all_residents, days=-3)
    data = EventAdjust(
        starts_at=past.starts_at,
        duration_minutes=120,
        description_fi="Muistio liitteenä",
        version=1,
    )
    calendar_service.adjust_event(session, past, data, world.management)
    assert past.description_fi == "Muistio liitteenä"


def test_cancelling_is_audited_and_bumps_the_version(session, world):
    shown = world.events["yte"]
    calendar_service.cancel_event(session, shown, world.management)
    assert shown.cancelled_at is not None and shown.version == 2
    with pytest.raises(ValidationFailed):
        data = EventAdjust(starts_at=shown.starts_at, version=2)
        calendar_service.adjust_event(session, shown, data, world.management)
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "cancel")).one()


# ---- feeds ---------------------------------------------------------------------------------


def test_a_feed_token_is_stored_hashed_renewed_and_revoked(session, world):
    token, feed = calendar_feeds.create_feed(session, world.resident)
    assert feed.token_hash == token_hash(token) and token not in feed.token_hash
    found = calendar_feeds.principal_for_token(session, token)
    assert found is not None and found.id == world.resident.id and feed.last_used_at is None
    # The use is noted apart from the reading (after the answer, in a transaction of its own).
    calendar_feeds.note_feed_use(session.connection(), token, utcnow())
    session.refresh(feed)
    assert feed.last_used_at is not None
    renewed, _ = calendar_feeds.create_feed(session, world.resident)
    assert calendar_feeds.principal_for_token(session, token) is None
    assert calendar_feeds.principal_for_token(session, renewed) is not None
    assert calendar_feeds.revoke_feed(session, world.resident)
    assert calendar_feeds.principal_for_token(session, renewed) is None
    assert not calendar_feeds.revoke_feed(session, world.resident)
    assert len(session.exec(select(CalendarFeed)).all()) == 2


def test_the_feed_has_the_persons_events_and_cancellations(session, world):
    calendar_service.cancel_event(session, world.events["own house"], world.management)
    event(session, "Kauan sitten", Audience.all_residents, days=-90)
    event(session, "Vähän aikaa sitten", Audience.all_residents, days=-30)
    rows = calendar_feeds.feed_events(session, world.resident)
    body = calendar_feeds.calendar_file(rows, "fi", name="Vuosikello")
    parsed = icalendar.Calendar.from_ical(body)
    events = {str(e["SUMMARY"]): e for e in parsed.walk("VEVENT")}
    assert set(events) == {"Kaikille asukkaille", "Oman talon kokous", "Vähän aikaa sitten"}
    assert str(events["Oman talon kokous"]["STATUS"]) == "CANCELLED"
    assert int(events["Oman talon kokous"]["SEQUENCE"]) == 2
    assert str(events["Kaikille asukkaille"]["STATUS"]) == "CONFIRMED"
    start = events["Kaikille asukkaille"]["DTSTART"].dt
    assert start == world.events["residents"].starts_at


# ---- policies ------------------------------------------------------------------------------


def test_calendar_policies(session, world):
    assert not policies.can_view_calendar(None)
    assert policies.can_view_calendar(world.adviser)
    assert policies.can_manage_calendar(world.management)
    assert not policies.can_manage_calendar(world.chair)
    assert not policies.can_manage_calendar(None)
    own, other = world.events["own house"], world.events["other house"]
    assert policies.can_view_event(world.resident, own)
    assert not policies.can_view_event(world.resident, other)
    assert not policies.can_view_event(world.resident, world.events["chairs"])
    assert policies.can_view_event(world.chair, world.events["chairs"])
    assert policies.can_view_event(world.manager, other)
    assert policies.can_view_event(world.management, world.events["management"])
    assert not policies.can_view_event(None, world.events["residents"])


def test_yte_members_see_the_forum(session, world):
    member = make_resident(session, world.other)
    make_committee(session, world.other, [(member, Position.chair)])
    make_yte_term(session, [(member, world.other)])
    seen = titles(calendar_service.upcoming(session, principal(session, member)))
    assert "Foorumi" in seen and "Johto" not in seen


def test_cancelling_tells_the_registered_by_mail(session, connection, smtp, world):
    shown = world.events["residents"]
    shown.registration = True
    session.add(shown)
    registrations_service.register(session, shown, world.resident, 1)
    calendar_service.cancel_event(session, shown, world.management)
    session.commit()
    mail_service.send_pending(connection)
    [_confirmation, mail] = smtp.to(world.resident.person.email)
    assert shown.title_fi in str(mail["Subject"])


def test_moving_an_event_rearms_the_reminder(session, world):
    shown = world.events["chairs"]
    shown.reminders_sent_at = utcnow()
    session.add(shown)
    data = EventAdjust(starts_at=shown.starts_at + timedelta(days=2), version=1)
    calendar_service.adjust_event(session, shown, data, world.management)
    assert shown.reminders_sent_at is None
