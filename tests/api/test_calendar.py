"""The calendar API: the caller's events by date range, one event, templates for management."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlmodel import select

from app.deps import today
from app.models.calendar import Audience, CalendarEvent, EventTemplate
from app.models.people import StaffKind
from app.models.types import utcnow
from tests.support import api_headers, make_house, make_resident, make_staff

EN = {"Accept-Language": "en"}


def event(session, title, audience, house=None, days=3, **fields):
    start = utcnow().replace(microsecond=0) + timedelta(days=days)
    values = {
        "title_fi": title,
        "starts_at": start,
        "ends_at": start + timedelta(hours=1),
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
    home, other = make_house(session), make_house(session)
    w = SimpleNamespace(
        resident=make_resident(session, home),
        management=make_staff(session, StaffKind.management),
    )
    w.residents = event(session, "Asukasilta", Audience.all_residents, days=3, title_en="Evening")
    w.own = event(session, "Oma kokous", Audience.house_residents, home, days=40)
    w.other = event(session, "Naapurin kokous", Audience.house_residents, other, days=5)
    w.chairs = event(session, "Puheenjohtajat", Audience.all_chairs, days=6)
    session.commit()
    return w


def test_events_are_listed_by_range_and_visibility(client, session, world):
    headers = api_headers(session, world.resident)
    response = client.get("/api/v1/calendar/events", headers=headers)
    assert response.status_code == 200
    assert [e["title"] for e in response.json()] == ["Asukasilta", "Oma kokous"]
    first = (today() + timedelta(days=10)).isoformat()
    last = (today() + timedelta(days=60)).isoformat()
    ranged = client.get(f"/api/v1/calendar/events?from={first}&to={last}", headers=headers)
    assert [e["title"] for e in ranged.json()] == ["Oma kokous"]
    body = ranged.json()[0]
    assert body["audience"] == "house_residents" and body["cancelled"] is False
    assert datetime.fromisoformat(body["starts_at"]).astimezone(UTC) == world.own.starts_at


def test_the_title_follows_the_callers_language(client, session, world):
    headers = {**api_headers(session, world.resident), **EN}
    found = client.get(f"/api/v1/calendar/events/{world.residents.id}", headers=headers)
    assert found.status_code == 200 and found.json()["title"] == "Evening"


def test_an_invisible_event_is_not_found(client, session, world):
    headers = api_headers(session, world.resident)
    for hidden in (world.other, world.chairs):
        assert (
            client.get(f"/api/v1/calendar/events/{hidden.id}", headers=headers).status_code == 404
        )
    assert client.get("/api/v1/calendar/events/999999", headers=headers).status_code == 404
    assert client.get("/api/v1/calendar/events").status_code == 401


def test_a_backwards_range_is_refused_with_the_field(client, session, world):
    headers = {**api_headers(session, world.resident), **EN}
    response = client.get("/api/v1/calendar/events?from=2030-05-01&to=2030-04-01", headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "to"
    bad = client.get("/api/v1/calendar/events?from=soon", headers=headers)
    assert bad.status_code == 422


def test_cancelled_events_only_when_asked(client, session, world):
    world.residents.cancelled_at = utcnow()
    session.add(world.residents)
    session.commit()
    headers = api_headers(session, world.resident)
    plain = client.get("/api/v1/calendar/events", headers=headers).json()
    assert "Asukasilta" not in [e["title"] for e in plain]
    both = client.get("/api/v1/calendar/events?cancelled=true", headers=headers).json()
    assert {"title": "Asukasilta", "cancelled": True}.items() <= both[0].items()


TEMPLATE = {
    "title_fi": "Pihatalkoot",
    "months": "5,9",
    "day": 12,
    "start_time": "17:00",
    "duration_minutes": 180,
    "audience": "house_residents",
    "participation": "implementation",
}


def test_management_lists_and_creates_templates(client, session, world):
    headers = api_headers(session, world.management)
    created = client.post("/api/v1/calendar/templates", headers=headers, json=TEMPLATE)
    assert created.status_code == 201
    body = created.json()
    assert body["months"] == "5,9" and body["active"] is True and body["version"] == 1
    rows = session.exec(select(CalendarEvent).where(CalendarEvent.template_id == body["id"])).all()
    assert len(rows) == 4  # generated at once: two months in two houses
    listed = client.get("/api/v1/calendar/templates", headers=headers).json()
    assert [t["title_fi"] for t in listed] == ["Pihatalkoot"]


def test_template_errors_come_field_by_field(client, session, world):
    headers = {**api_headers(session, world.management), **EN}
    bad = {**TEMPLATE, "months": "13", "reminder_days": 30, "invitation_days": 7}
    response = client.post("/api/v1/calendar/templates", headers=headers, json=bad)
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["detail"]}
    assert fields == {"months", "reminder_days"}
    assert session.exec(select(EventTemplate)).all() == []


def test_templates_are_for_management_with_the_write_scope(client, session, world):
    resident = api_headers(session, world.resident)
    assert client.get("/api/v1/calendar/templates", headers=resident).status_code == 403
    assert (
        client.post("/api/v1/calendar/templates", headers=resident, json=TEMPLATE).status_code
        == 403
    )
    read_only = api_headers(session, world.management, scopes=["read"])
    assert client.get("/api/v1/calendar/templates", headers=read_only).status_code == 200
    refused = client.post("/api/v1/calendar/templates", headers=read_only, json=TEMPLATE)
    assert refused.status_code == 403
