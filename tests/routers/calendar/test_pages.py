"""Calendar pages per role: month and list views, event pages, forms, feeds, ICS files."""

import re
from datetime import datetime, time, timedelta
from types import SimpleNamespace

import icalendar
import pytest
from sqlmodel import select

from app.deps import today
from app.models.calendar import Audience, CalendarEvent, CalendarFeed, EventTemplate
from app.models.committees import Position
from app.models.people import StaffKind
from app.models.types import HELSINKI
from tests.support import fi, make_committee, make_house, make_resident, make_staff


def at(days: int, hour: int = 18) -> datetime:
    """A Helsinki time some days from today, in UTC."""
    day = today() + timedelta(days=days)
    return datetime.combine(day, time(hour, 0), tzinfo=HELSINKI)


def event(session, title, audience, house=None, days=3, **fields):
    values = {
        "title_fi": title,
        "starts_at": at(days),
        "ends_at": at(days) + timedelta(hours=2),
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
    home = make_house(session, name="Kotitalo")
    other = make_house(session, name="Naapuritalo")
    chair = make_resident(session, home)
    make_committee(session, home, [(chair, Position.chair)])
    w = SimpleNamespace(
        home=home,
        other=other,
        resident=make_resident(session, home),
        chair=chair,
        management=make_staff(session, StaffKind.management),
    )
    w.all_residents = event(session, "Turvallisuusilta", Audience.all_residents, days=2)
    w.own_house = event(session, "Kotitalon asukaskokous", Audience.house_residents, home, days=3)
    w.other_house = event(session, "Naapurin asukaskokous", Audience.house_residents, other, days=4)
    w.chairs = event(session, "Budjetti-info", Audience.all_chairs, days=5)
    session.commit()
    return w


def as_user(client, session, person):
    client.cookies.clear()
    client.login_as(session, person)


def month_of(moment: datetime) -> str:
    return moment.astimezone(HELSINKI).strftime("%Y-%m")


TITLES = ("Turvallisuusilta", "Kotitalon asukaskokous", "Naapurin asukaskokous", "Budjetti-info")


def shown(page: str) -> set[str]:
    return {t for t in TITLES if t in page}


def test_a_resident_sees_all_residents_and_own_house_events_only(client, session, world):
    as_user(client, session, world.resident)
    listing = client.get("/calendar?view=list")
    assert listing.status_code == 200 and listing.text.count("<h1") == 1
    assert shown(listing.text) == {"Turvallisuusilta", "Kotitalon asukaskokous"}
    assert fi("Residents of %(house)s", house="Kotitalo") in listing.text
    assert 'href="/calendar"' in client.get("/").text  # the nav link
    assert client.get(f"/calendar/events/{world.own_house.id}").status_code == 200
    assert client.get(f"/calendar/events/{world.other_house.id}").status_code == 404
    assert client.get(f"/calendar/events/{world.chairs.id}").status_code == 404
    assert client.get(f"/calendar/events/{world.chairs.id}/calendar.ics").status_code == 404
    assert client.get("/calendar/templates").status_code == 403
    assert client.get("/calendar/events/new").status_code == 403


def test_a_chair_sees_the_chairs_events_too(client, session, world):
    as_user(client, session, world.chair)
    page = client.get("/calendar?view=list").text
    assert shown(page) == {"Turvallisuusilta", "Kotitalon asukaskokous", "Budjetti-info"}


def test_management_sees_everything_and_the_management_links(client, session, world):
    as_user(client, session, world.management)
    page = client.get("/calendar?view=list").text
    assert shown(page) == set(TITLES)
    assert 'href="/calendar/templates"' in page and 'href="/calendar/events/new"' in page


def test_the_month_grid_works_without_script_and_links_to_other_months(client, session, world):
    as_user(client, session, world.management)
    month = month_of(world.chairs.starts_at)
    page = client.get(f"/calendar?month={month}").text
    assert "<table" in page and '<th scope="col">' in page
    assert f'href="/calendar/events/{world.chairs.id}"' in page
    assert "<script" not in page.split("<main", 1)[-1]
    year, number = (int(p) for p in month.split("-"))
    following = f"{year + number // 12:04d}-{number % 12 + 1:02d}"
    assert f"/calendar?month={following}" in page
    later = client.get(f"/calendar?month={year + 1:04d}-{number:02d}").text
    assert f'href="/calendar/events/{world.chairs.id}"' not in later
    assert client.get("/calendar?month=2027-13").status_code == 200  # falls back to this month


def test_the_filter_by_kind_of_participation(client, session, world):
    world.own_house.participation = "decision"
    session.add(world.own_house)
    session.commit()
    as_user(client, session, world.resident)
    page = client.get("/calendar?view=list&participation=decision").text
    assert shown(page) == {"Kotitalon asukaskokous"}
    assert '<option value="decision" selected>' in page


def test_the_event_page_shows_the_facts_and_its_calendar_file(client, session, world):
    world.all_residents.place = "Kerhohuone"
    world.all_residents.link = "https://meet.example/ilta"
    world.all_residents.participation = "information"
    session.add(world.all_residents)
    session.commit()
    as_user(client, session, world.resident)
    page = client.get(f"/calendar/events/{world.all_residents.id}").text
    assert "Kerhohuone" in page and "https://meet.example/ilta" in page
    assert fi("All residents") in page
    assert f"/calendar/events/{world.all_residents.id}/calendar.ics" in page
    assert fi("Adjust the event") not in page
    ics = client.get(f"/calendar/events/{world.all_residents.id}/calendar.ics")
    assert ics.headers["content-type"].startswith("text/calendar")
    [parsed] = icalendar.Calendar.from_ical(ics.content).walk("VEVENT")
    assert str(parsed["SUMMARY"]) == "Turvallisuusilta" and int(parsed["SEQUENCE"]) == 1
    assert parsed["DTSTART"].dt == world.all_residents.starts_at


def test_management_adjusts_an_event_with_errors_tied_to_fields(client, session, world):
    as_user(client, session, world.management)
    url = f"/calendar/events/{world.chairs.id}/edit"
    form = client.get(url)
    assert form.status_code == 200 and 'name="version" value="1"' in form.text
    yesterday = (today() - timedelta(days=1)).isoformat()
    bad = client.submit(
        url,
        {
            "starts_on": yesterday,
            "starts_time": "18:00",
            "duration_minutes": "0",
            "link": "ftp://x",
            "version": "1",
        },
    )
    assert bad.status_code == 422
    assert 'href="#field-starts_on"' in bad.text and 'id="error-duration_minutes"' in bad.text
    assert 'aria-describedby="error-link' in bad.text
    day = (today() + timedelta(days=9)).isoformat()
    good = {
        "starts_on": day,
        "starts_time": "17:15",
        "duration_minutes": "90",
        "place": "Sturenkatu 4",
        "version": "1",
    }
    assert client.submit(url, good).status_code == 303
    session.refresh(world.chairs)
    local = world.chairs.starts_at.astimezone(HELSINKI)
    assert (local.date().isoformat(), local.time()) == (day, time(17, 15))
    assert world.chairs.adjusted_at is not None and world.chairs.place == "Sturenkatu 4"
    stale = client.submit(url, {**good, "place": "Vanha"})
    assert stale.status_code == 409 and 'value="Vanha"' in stale.text


def test_management_cancels_an_event_and_residents_see_it_cancelled(client, session, world):
    as_user(client, session, world.management)
    assert client.submit(f"/calendar/events/{world.all_residents.id}/cancel").status_code == 303
    as_user(client, session, world.resident)
    page = client.get(f"/calendar/events/{world.all_residents.id}").text
    assert fi("This event has been cancelled.") in page
    assert "Turvallisuusilta" not in client.get("/calendar?view=list").text
    ics = client.get(f"/calendar/events/{world.all_residents.id}/calendar.ics").content
    [parsed] = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert str(parsed["STATUS"]) == "CANCELLED" and int(parsed["SEQUENCE"]) == 2


def test_management_adds_a_one_off_event(client, session, world):
    as_user(client, session, world.management)
    assert client.get("/calendar/events/new").status_code == 200
    day = (today() + timedelta(days=12)).isoformat()
    form = {
        "title_fi": "Kerhotilan avajaiset",
        "starts_on": day,
        "starts_time": "18:00",
        "duration_minutes": "120",
        "audience": "house_residents",
        "participation": "implementation",
        "invitation_days": "14",
        "reminder_days": "20",
    }
    bad = client.submit("/calendar/events/new", form)
    assert bad.status_code == 422
    assert 'id="error-house_id"' in bad.text and 'id="error-reminder_days"' in bad.text
    assert 'value="Kerhotilan avajaiset"' in bad.text
    created = client.submit(
        "/calendar/events/new", {**form, "house_id": str(world.home.id), "reminder_days": "2"}
    )
    assert created.status_code == 303
    found = session.exec(
        select(CalendarEvent).where(CalendarEvent.title_fi == "Kerhotilan avajaiset")
    ).one()
    assert created.headers["location"] == f"/calendar/events/{found.id}"
    as_user(client, session, world.resident)
    assert "Kerhotilan avajaiset" in client.get("/calendar?view=list").text


def test_management_creates_and_edits_a_template(client, session, world):
    as_user(client, session, world.management)
    assert client.get("/calendar/templates/new").status_code == 200
    form = {
        "title_fi": "Pihatalkoot",
        "months": "5,13",
        "weekday": "",
        "day": "31",
        "start_time": "17:00",
        "duration_minutes": "180",
        "audience": "house_residents",
        "participation": "implementation",
        "invitation_days": "21",
        "reminder_days": "2",
        "active": "on",
    }
    bad = client.submit("/calendar/templates/new", form)
    assert bad.status_code == 422
    assert 'id="error-months"' in bad.text and 'id="error-day"' in bad.text
    assert (
        client.submit("/calendar/templates/new", {**form, "months": "5,9", "day": "12"}).status_code
        == 303
    )
    template = session.exec(
        select(EventTemplate).where(EventTemplate.title_fi == "Pihatalkoot")
    ).one()
    events = session.exec(
        select(CalendarEvent).where(CalendarEvent.template_id == template.id)
    ).all()
    assert len(events) == 4  # two months, two houses, generated at once
    listing = client.get("/calendar/templates").text
    assert "Pihatalkoot" in listing and f"/calendar/templates/{template.id}/edit" in listing
    edit = client.get(f"/calendar/templates/{template.id}/edit")
    assert edit.status_code == 200 and 'name="active" value="on"' in edit.text
    # Unticking "in use" deactivates it: its future events are cancelled.
    changed = {**form, "months": "5,9", "day": "12", "version": "1"}
    del changed["active"]
    assert client.submit(f"/calendar/templates/{template.id}/edit", changed).status_code == 303
    session.refresh(template)
    assert template.active is False
    for row in events:
        session.refresh(row)
        assert row.cancelled_at is not None
    stale = client.submit(f"/calendar/templates/{template.id}/edit", changed)
    assert stale.status_code == 409


def test_the_personal_feed_is_created_shown_once_renewed_and_revoked(client, session, world):
    as_user(client, session, world.resident)
    page = client.get("/calendar/feed")
    assert page.status_code == 200 and fi("Create a feed address") in page.text
    created = client.submit("/calendar/feed")
    assert created.status_code == 200
    url = re.search(r'value="(http[^"]+/calendar/feed/([^"/]+)\.ics)"', created.text)
    assert url is not None
    token = url.group(2)
    assert token not in client.get("/calendar/feed").text  # shown once only
    client.cookies.clear()  # the feed needs no login
    feed = client.get(f"/calendar/feed/{token}.ics")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    parsed = icalendar.Calendar.from_ical(feed.content)
    summaries = {str(e["SUMMARY"]) for e in parsed.walk("VEVENT")}
    assert summaries == {"Turvallisuusilta", "Kotitalon asukaskokous"}
    stored = session.exec(select(CalendarFeed)).one()
    session.refresh(stored)
    assert stored.last_used_at is not None
    as_user(client, session, world.resident)
    renewed = client.submit("/calendar/feed")
    new_token = re.search(r"/calendar/feed/([^\"/]+)\.ics", renewed.text).group(1)  # type: ignore[union-attr]
    assert client.get(f"/calendar/feed/{token}.ics").status_code == 404
    assert client.get(f"/calendar/feed/{new_token}.ics").status_code == 200
    assert client.submit("/calendar/feed/revoke").status_code == 303
    assert client.get(f"/calendar/feed/{new_token}.ics").status_code == 404
    assert client.get("/calendar/feed/not-a-token.ics").status_code == 404


def test_the_feed_follows_todays_roles(client, session, world):
    as_user(client, session, world.chair)
    token = re.search(r"/calendar/feed/([^\"/]+)\.ics", client.submit("/calendar/feed").text)
    assert token is not None
    body = client.get(f"/calendar/feed/{token.group(1)}.ics").content
    assert "Budjetti-info" in {
        str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(body).walk("VEVENT")
    }
    past = event(session, "Viime kuun ilta", Audience.all_residents, days=-40)
    old = event(session, "Puolen vuoden takaa", Audience.all_residents, days=-180)
    session.commit()
    body = client.get(f"/calendar/feed/{token.group(1)}.ics").content
    summaries = {str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}
    assert past.title_fi in summaries and old.title_fi not in summaries


def test_anonymous_visitors_go_to_the_login_page(client, session, world):
    response = client.get("/calendar")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
