"""Forum pages: building and publishing the agenda, minutes, visibility, print, calendar."""

import re
from datetime import timedelta
from types import SimpleNamespace

import icalendar
import pytest
from sqlmodel import select

from app.deps import today
from app.models.audit import AuditEntry
from app.models.committees import Position
from app.models.forum import AgendaItem, ForumSession, ItemKind
from app.models.initiatives import State
from app.models.people import StaffKind
from app.models.types import utcnow
from app.services.forum import minutes as minutes_service
from tests.support import (
    fi,
    make_chair,
    make_committee,
    make_forum_session,
    make_house,
    make_initiative,
    make_resident,
    make_staff,
    make_yte_term,
)


@pytest.fixture()
def world(session):
    house = make_house(session, name="Koivukuja")
    yte = make_resident(session, house)
    make_committee(session, house, [(yte, Position.chair)])
    make_yte_term(session, [(yte, house)])
    people = SimpleNamespace(
        management=make_staff(session, StaffKind.management),
        admin=make_staff(session, StaffKind.admin),
        yte=yte,
        chair=make_chair(session, make_house(session)),
        resident=make_resident(session, house),
    )
    session.commit()
    return people


def as_user(client, session, person):
    client.cookies.clear()
    client.login_as(session, person)


def item_on(session, forum_session, title="Pihavalot", **fields):
    values = {"session_id": forum_session.id, "position": 1, "title": title}
    values.update(fields)
    item = AgendaItem(**values)
    session.add(item)
    session.commit()
    return item


def test_management_sees_the_queue_and_adds_an_initiative_with_one_click(client, session, world):
    initiative = make_initiative(session, world.yte, state=State.submitted, title="Pyörävarasto")
    forum_session = make_forum_session(session, days_ahead=20)
    session.commit()
    as_user(client, session, world.management)
    index = client.get("/forum")
    assert fi("New session") in index.text and "Pyörävarasto" in index.text
    url = f"/forum/sessions/{forum_session.id}"
    page = client.get(url)
    assert page.text.count("<h1") == 1
    assert fi("Add to the agenda") in page.text
    response = client.submit(f"{url}/items/from-initiative", {"initiative_id": initiative.id})
    assert response.status_code == 303
    item = session.exec(select(AgendaItem)).one()
    assert (item.kind, item.initiative_id, item.title) == (
        ItemKind.initiative,
        initiative.id,
        "Pyörävarasto",
    )
    page = client.get(url)
    assert f'href="/initiatives/{initiative.id}"' in page.text
    assert fi("No company initiatives are waiting.") in page.text
    again = client.submit(f"{url}/items/from-initiative", {"initiative_id": initiative.id})
    assert again.status_code == 422


def test_free_items_are_added_checked_and_moved(client, session, world):
    forum_session = make_forum_session(session, days_ahead=20)
    session.commit()
    as_user(client, session, world.management)
    url = f"/forum/sessions/{forum_session.id}"
    bad = client.submit(f"{url}/items", {"kind": "theme", "title": "", "planned_minutes": "999"})
    assert bad.status_code == 422
    assert 'href="#field-title"' in bad.text and 'id="error-planned_minutes"' in bad.text
    for title in ("Budjetti", "Kyselyt"):
        form = {"kind": "budget", "title": title, "planned_minutes": "20"}
        assert client.submit(f"{url}/items", form).status_code == 303
    last = session.exec(select(AgendaItem).where(AgendaItem.title == "Kyselyt")).one()
    assert client.submit(f"/forum/items/{last.id}/move", {"direction": "up"}).status_code == 303
    page = client.get(url).text
    assert page.index("Kyselyt") < page.index("Budjetti")
    edit = client.submit(
        f"/forum/items/{last.id}/edit",
        {"kind": "theme", "title": "Kyselyt 2028", "planned_minutes": "25", "version": "1"},
    )
    assert edit.status_code == 303
    stale = client.submit(
        f"/forum/items/{last.id}/edit",
        {"kind": "theme", "title": "Vanha", "planned_minutes": "25", "version": "1"},
    )
    assert stale.status_code == 409 and 'value="Vanha"' in stale.text
    assert client.submit(f"/forum/items/{last.id}/remove").status_code == 303
    assert session.get(AgendaItem, last.id) is None


def test_a_session_is_scheduled_with_its_fields_checked(client, session, world):
    as_user(client, session, world.management)
    day = (today() + timedelta(days=40)).isoformat()
    form = {
        "title": "Kevään foorumi",
        "starts_on": day,
        "starts_time": "14:00",
        "duration_minutes": "120",
        "place": "Sturenkatu 4",
        "remote_link": "javascript:alert(1)",
        "participation": "planning",
    }
    bad = client.submit("/forum/sessions/new", form)
    assert bad.status_code == 422 and 'id="error-remote_link"' in bad.text
    form["remote_link"] = "https://meet.example.com/kevat"
    response = client.submit("/forum/sessions/new", form)
    assert response.status_code == 303
    created = session.exec(select(ForumSession)).one()
    assert response.headers["location"] == f"/forum/sessions/{created.id}"
    assert created.starts_at.hour == 11 or created.starts_at.hour == 12  # 14:00 Helsinki
    form.update(place="Kerhohuone", version=str(created.version))
    assert client.submit(f"/forum/sessions/{created.id}/edit", form).status_code == 303
    assert created.place == "Kerhohuone"
    stale = client.submit(f"/forum/sessions/{created.id}/edit", form)
    assert stale.status_code == 409


def test_publishing_on_time_mails_the_participants(client, session, world, smtp):
    forum_session = make_forum_session(session, days_ahead=10)
    item_on(session, forum_session, "Talousarvio")
    as_user(client, session, world.management)
    # First the confirmation: whom it reaches; nothing is published or sent yet.
    asked = client.submit(f"/forum/sessions/{forum_session.id}/publish")
    assert asked.status_code == 200
    assert fi("Nothing has been sent yet. Check whom it reaches, then confirm.") in asked.text
    assert 'name="confirmed" value="2"' in asked.text  # management and the Haso-yte member
    assert world.yte.name in asked.text
    assert forum_session.agenda_published_at is None
    assert smtp.to(world.yte.email) == []
    response = client.submit(f"/forum/sessions/{forum_session.id}/publish", {"confirmed": "2"})
    assert response.status_code == 303
    assert forum_session.agenda_published_at is not None
    for person in (world.management, world.yte):
        assert "Talousarvio" in smtp.text_of(smtp.to(person.email)[0])
    for person in (world.admin, world.chair, world.resident):
        assert smtp.to(person.email) == []


def test_late_publication_is_refused_to_management_and_overridden_by_an_admin(
    client, session, world
):
    forum_session = make_forum_session(session, days_ahead=3)
    item_on(session, forum_session)
    url = f"/forum/sessions/{forum_session.id}"
    as_user(client, session, world.management)
    notice = "The notice period has passed. Only an administrator can publish the agenda now."
    assert fi(notice) in client.get(url).text
    refused = client.submit(f"{url}/publish")
    assert refused.status_code == 422
    assert forum_session.agenda_published_at is None
    as_user(client, session, world.admin)
    assert 'id="field-override"' in client.get(url).text
    unticked = client.submit(f"{url}/publish")
    assert unticked.status_code == 422 and 'id="error-override"' in unticked.text
    confirm = client.submit(f"{url}/publish", {"override": "on"})
    assert confirm.status_code == 200 and 'name="override" value="on"' in confirm.text
    published = client.submit(f"{url}/publish", {"override": "on", "confirmed": "2"})
    assert published.status_code == 303
    assert forum_session.late_publication_by_id == world.admin.id
    audited = session.exec(
        select(AuditEntry).where(AuditEntry.action == minutes_service.LATE_PUBLICATION)
    ).one()
    assert audited.actor_id == world.admin.id


def test_chairs_see_nothing_before_publication_and_residents_never(client, session, world):
    draft = make_forum_session(session, days_ahead=30, title="Syksyn foorumi")
    item_on(session, draft)
    url = f"/forum/sessions/{draft.id}"
    as_user(client, session, world.chair)
    assert client.get(url).status_code == 404
    assert client.get(f"{url}/print").status_code == 404
    assert client.get(f"{url}/calendar.ics").status_code == 404
    assert "Syksyn foorumi" not in client.get("/forum").text
    as_user(client, session, world.yte)
    assert client.get(url).status_code == 200
    as_user(client, session, world.resident)
    assert client.get(url).status_code == 403
    assert client.get("/forum").status_code == 403
    draft.agenda_published_at = utcnow()
    session.add(draft)
    session.commit()
    as_user(client, session, world.chair)
    assert client.get(url).status_code == 200
    assert "Syksyn foorumi" in client.get("/forum").text
    assert fi("Add an item") not in client.get(url).text


def test_published_minutes_answer_the_initiative_or_say_why_not(client, session, world):
    answerable = make_initiative(session, world.yte, state=State.received, title="Valot")
    withdrawn = make_initiative(session, world.yte, state=State.withdrawn, title="Aidat")
    held = make_forum_session(session, days_ahead=-1, agenda_published_at=utcnow())
    first = item_on(session, held, "Valot", kind=ItemKind.initiative, initiative_id=answerable.id)
    second = item_on(
        session, held, "Aidat", position=2, kind=ItemKind.initiative, initiative_id=withdrawn.id
    )
    as_user(client, session, world.management)
    form = {"decision": "Uusitaan.", "outcome": "accepted", "version": "1", "discussion": "Ok"}
    response = client.submit(f"/forum/items/{first.id}/minutes", form)
    assert response.status_code == 303
    assert answerable.state == State.received  # a draft until the minutes are published
    stale = client.submit(f"/forum/items/{first.id}/minutes", form | {"discussion": "Minun"})
    assert stale.status_code == 409 and "Minun" in stale.text
    note = client.submit(f"/forum/items/{second.id}/minutes", form)
    assert note.status_code == 200
    assert fi("The decision will not change the initiative") in note.text
    assert session.get(AgendaItem, second.id).decision == "Uusitaan."
    # Minutes are hidden from the chairs until published.
    page = f"/forum/sessions/{held.id}"
    as_user(client, session, world.chair)
    assert "Uusitaan." not in client.get(page).text
    assert "Uusitaan." not in client.get(f"{page}/print").text
    as_user(client, session, world.management)
    published = client.submit(f"{page}/publish-minutes")
    assert published.status_code == 200
    assert fi("Initiatives that were not changed") in published.text and "Aidat" in published.text
    session.expire_all()
    assert answerable.state == State.answered and answerable.answer == "Uusitaan."
    assert withdrawn.state == State.withdrawn
    as_user(client, session, world.chair)
    assert "Uusitaan." in client.get(page).text
    assert "Uusitaan." in client.get(f"{page}/print").text


def test_print_page_and_calendar_file(client, session, world):
    forum_session = make_forum_session(
        session,
        days_ahead=20,
        title="Foorumi; kevät",
        place="Sturenkatu 4, Helsinki",
        remote_link="https://meet.example.com/f",
        agenda_published_at=utcnow(),
    )
    item_on(session, forum_session, "Talousarvio 2028", presenter="Talousjohtaja")
    as_user(client, session, world.chair)
    printed = client.get(f"/forum/sessions/{forum_session.id}/print")
    assert printed.status_code == 200
    assert len(re.findall(r"<h1[ >]", printed.text)) == 1
    assert "Talousarvio 2028" in printed.text and "Talousjohtaja" in printed.text
    response = client.get(f"/forum/sessions/{forum_session.id}/calendar.ics")
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert b"\r\n" in response.content
    [event] = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Foorumi; kevät"
    assert str(event["LOCATION"]) == "Sturenkatu 4, Helsinki"
    assert "https://meet.example.com/f" in str(event["DESCRIPTION"])
    assert "1. Talousarvio 2028" in str(event["DESCRIPTION"])
    assert str(event["URL"]).endswith(f"/forum/sessions/{forum_session.id}")
    assert event.decoded("DTSTART") == forum_session.starts_at.replace(microsecond=0)
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=120)


def session_form(day, **fields):
    form = {
        "title": "Foorumi",
        "starts_on": day,
        "starts_time": "14:00",
        "duration_minutes": "720",
        "place": "Sturenkatu 4",
        "participation": "planning",
    }
    form.update(fields)
    return form


def test_a_session_far_ahead_is_refused_and_the_forum_still_opens(client, session, world):
    as_user(client, session, world.management)
    refused = client.submit("/forum/sessions/new", session_form("9999-12-31", starts_time="23:00"))
    assert refused.status_code == 422 and 'id="error-starts_on"' in refused.text
    assert fi("A session can be scheduled at most %(years)s years ahead.", years=5) in refused.text
    assert session.exec(select(ForumSession)).all() == []
    ancient = client.submit("/forum/sessions/new", session_form("0001-01-01", starts_time="00:00"))
    assert ancient.status_code == 422 and 'id="error-starts_on"' in ancient.text
    assert client.get("/forum").status_code == 200
    as_user(client, session, world.chair)
    assert client.get("/forum").status_code == 200


def test_a_published_session_is_moved_inside_the_notice_by_an_admin_ticking_the_box(
    client, session, world
):
    forum_session = make_forum_session(session, days_ahead=20, agenda_published_at=utcnow())
    item_on(session, forum_session)
    url = f"/forum/sessions/{forum_session.id}/edit"
    soon = (today() + timedelta(days=2)).isoformat()
    as_user(client, session, world.management)
    assert 'id="field-override"' not in client.get(url).text
    refused = client.submit(url, session_form(soon, version="1"))
    assert refused.status_code == 422 and 'id="error-starts_on"' in refused.text
    as_user(client, session, world.admin)
    assert 'id="field-override"' in client.get(url).text
    unticked = client.submit(url, session_form(soon, version="1"))
    assert unticked.status_code == 422 and 'id="error-override"' in unticked.text
    moved = client.submit(url, session_form(soon, version="1", override="on"))
    assert moved.status_code == 303
    session.refresh(forum_session)
    assert forum_session.starts_at.date() <= today() + timedelta(days=3)
    page = client.get(f"/forum/sessions/{forum_session.id}").text
    assert fi("Publish the changed agenda") in page


def test_published_minutes_are_not_offered_for_editing(client, session, world):
    initiative = make_initiative(session, world.yte, state=State.received, title="Valot")
    held = make_forum_session(
        session, days_ahead=-1, agenda_published_at=utcnow(), minutes_published_at=utcnow()
    )
    item = item_on(
        session,
        held,
        "Valot",
        kind=ItemKind.initiative,
        initiative_id=initiative.id,
        recorded_at=utcnow(),
    )
    as_user(client, session, world.management)
    assert f"/forum/items/{item.id}/minutes" not in client.get(f"/forum/sessions/{held.id}").text
    message = fi("The minutes are published; they can no longer change.")
    assert message in client.get(f"/forum/items/{item.id}/minutes").text
    form = {"decision": "Hylätään.", "outcome": "rejected", "version": "1"}
    refused = client.submit(f"/forum/items/{item.id}/minutes", form)
    assert refused.status_code == 422 and message in refused.text
    session.refresh(initiative)
    assert initiative.state == State.received


def test_the_calendar_file_carries_the_version_as_its_sequence(client, session, world):
    forum_session = make_forum_session(session, days_ahead=20, agenda_published_at=utcnow())
    item_on(session, forum_session)
    as_user(client, session, world.management)
    ics_url = f"/forum/sessions/{forum_session.id}/calendar.ics"
    [event] = icalendar.Calendar.from_ical(client.get(ics_url).content).walk("VEVENT")
    assert event["SEQUENCE"] == 1
    day = (today() + timedelta(days=25)).isoformat()
    edit = f"/forum/sessions/{forum_session.id}/edit"
    assert client.submit(edit, session_form(day, version="1")).status_code == 303
    [event] = icalendar.Calendar.from_ical(client.get(ics_url).content).walk("VEVENT")
    assert event["SEQUENCE"] == 2


def test_a_session_too_near_to_publish_its_agenda_in_time_is_warned_of_at_once(
    client, session, world
):
    as_user(client, session, world.management)
    near = (today() + timedelta(days=3)).isoformat()
    warned = client.submit("/forum/sessions/new", session_form(near))
    assert warned.status_code == 422
    assert 'id="error-late_ok"' in warned.text and 'id="field-late_ok"' in warned.text
    assert session.exec(select(ForumSession)).all() == []
    scheduled = client.submit("/forum/sessions/new", session_form(near) | {"late_ok": "on"})
    assert scheduled.status_code == 303
    assert len(session.exec(select(ForumSession)).all()) == 1


def test_the_error_summary_names_each_field_by_its_label(client, session, world):
    as_user(client, session, world.management)
    day = (today() + timedelta(days=40)).isoformat()
    refused = client.submit("/forum/sessions/new", session_form(day, place=""))
    assert refused.status_code == 422
    named = fi("%(field)s: %(message)s") % {
        "field": fi("Place"),
        "message": fi("This field is required."),
    }
    assert f'<a href="#field-place">{named}</a>' in refused.text
