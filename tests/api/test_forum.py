"""The forum API, per role and per token scope."""

from datetime import datetime, time, timedelta
from types import SimpleNamespace

import pytest
from sqlmodel import select

from app.deps import today
from app.models.committees import Position
from app.models.forum import AgendaItem, ItemKind
from app.models.initiatives import State
from app.models.mail import Delivery
from app.models.people import StaffKind
from app.models.types import utcnow
from app.services.initiatives import following
from tests.support import (
    api_headers,
    make_chair,
    make_committee,
    make_forum_session,
    make_house,
    make_initiative,
    make_resident,
    make_staff,
    make_yte_term,
)

EN = {"Accept-Language": "en"}


@pytest.fixture()
def world(session):
    house = make_house(session)
    yte = make_resident(session, house)
    make_committee(session, house, [(yte, Position.chair)])
    make_yte_term(session, [(yte, house)])
    w = SimpleNamespace(
        management=make_staff(session, StaffKind.management),
        admin=make_staff(session, StaffKind.admin),
        yte=yte,
        chair=make_chair(session, make_house(session)),
        resident=make_resident(session, house),
    )
    w.initiative = make_initiative(session, yte, state=State.received, title="Pihavalot")
    following.follow(session, w.initiative, yte.id)
    w.published = make_forum_session(session, days_ahead=-1, agenda_published_at=utcnow())
    w.item = AgendaItem(
        session_id=w.published.id,
        position=1,
        kind=ItemKind.initiative,
        initiative_id=w.initiative.id,
        title="Pihavalot",
        discussion="Keskusteltiin.",
        recorded_at=utcnow(),
    )
    session.add(w.item)
    w.draft = make_forum_session(session, days_ahead=30, title="Syksyn foorumi")
    session.commit()
    return w


def headers(session, person, scopes=None):
    return api_headers(session, person, scopes) | EN


def test_chairs_read_published_sessions_without_draft_minutes(client, session, world):
    auth = headers(session, world.chair)
    listed = client.get("/api/v1/forum/sessions", headers=auth)
    assert [s["id"] for s in listed.json()] == [world.published.id]
    assert client.get(f"/api/v1/forum/sessions/{world.draft.id}", headers=auth).status_code == 404
    detail = client.get(f"/api/v1/forum/sessions/{world.published.id}", headers=auth).json()
    assert detail["items"][0]["title"] == "Pihavalot"
    assert detail["items"][0]["discussion"] is None
    yte = headers(session, world.yte)
    ids = [s["id"] for s in client.get("/api/v1/forum/sessions", headers=yte).json()]
    assert ids == [world.draft.id, world.published.id]
    items = client.get(f"/api/v1/forum/sessions/{world.published.id}/items", headers=yte).json()
    assert items[0]["discussion"] == "Keskusteltiin."
    resident = headers(session, world.resident)
    assert client.get("/api/v1/forum/sessions", headers=resident).status_code == 403
    assert client.get("/api/v1/forum/sessions").status_code == 401


def test_management_schedules_and_changes_a_session(client, session, world):
    auth = headers(session, world.management)
    day = today() + timedelta(days=40)
    body = {
        "title": "Kevään foorumi",
        "starts_at": datetime.combine(day, time(14, 0)).isoformat(),
        "place": "Sturenkatu 4",
        "remote_link": "https://meet.example.com/k",
    }
    created = client.post("/api/v1/forum/sessions", json=body, headers=auth)
    assert created.status_code == 201
    data = created.json()
    assert data["duration_minutes"] == 120 and data["agenda_published_at"] is None
    url = f"/api/v1/forum/sessions/{data['id']}"
    bad = client.patch(url, json={"remote_link": "ftp://x", "version": 1}, headers=auth)
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["field"] == "remote_link"
    ok = client.patch(url, json={"place": "Kerhohuone", "version": 1}, headers=auth)
    assert ok.status_code == 200
    assert ok.json()["place"] == "Kerhohuone"
    assert ok.json()["remote_link"] == "https://meet.example.com/k"  # not given, not changed
    assert client.patch(url, json={"place": "X", "version": 1}, headers=auth).status_code == 409
    read_only = headers(session, world.management, scopes=["read"])
    assert client.post("/api/v1/forum/sessions", json=body, headers=read_only).status_code == 403
    chair = headers(session, world.chair)
    assert client.post("/api/v1/forum/sessions", json=body, headers=chair).status_code == 403


def test_items_from_the_queue_and_free_items(client, session, world):
    waiting = make_initiative(session, world.yte, state=State.submitted, title="Pyörät")
    session.commit()
    auth = headers(session, world.management)
    url = f"/api/v1/forum/sessions/{world.draft.id}/items"
    added = client.post(url, json={"initiative_id": waiting.id}, headers=auth)
    assert added.status_code == 201
    assert added.json()["title"] == "Pyörät" and added.json()["kind"] == "initiative"
    twice = client.post(url, json={"initiative_id": waiting.id}, headers=auth)
    assert twice.status_code == 422
    untitled = client.post(url, json={"kind": "theme"}, headers=auth)
    assert untitled.status_code == 422 and untitled.json()["detail"][0]["field"] == "title"
    free = client.post(
        url, json={"kind": "budget", "title": "Budjetti", "planned_minutes": 30}, headers=auth
    )
    assert free.status_code == 201 and free.json()["position"] == 2
    too_long = client.post(url, json={"title": "X", "planned_minutes": 481}, headers=auth)
    assert too_long.status_code == 422


def test_published_minutes_answer_the_initiative_and_stale_versions_conflict(
    client, session, world
):
    auth = headers(session, world.management)
    url = f"/api/v1/forum/items/{world.item.id}/minutes"
    body = {"decision": "Uusitaan.", "outcome": "accepted", "version": 1}
    response = client.put(url, json=body, headers=auth)
    assert response.status_code == 200
    data = response.json()
    assert data["initiative_answered"] is False and data["initiative_note"] == ""
    assert data["item"]["decision"] == "Uusitaan." and data["item"]["version"] == 2
    session.refresh(world.initiative)
    assert world.initiative.state != State.answered  # not before the minutes are published
    assert not session.exec(select(Delivery).where(Delivery.person_id == world.yte.id)).first()
    assert client.put(url, json=body, headers=auth).status_code == 409
    changed = client.put(url, json=body | {"outcome": "rejected", "version": 2}, headers=auth)
    assert changed.status_code == 200 and changed.json()["initiative_note"] == ""
    publish = f"/api/v1/forum/sessions/{world.item.session_id}/publish-minutes"
    published = client.post(publish, headers=auth)
    assert published.status_code == 200
    assert published.json()["answered_initiative_ids"] == [world.initiative.id]
    session.refresh(world.initiative)
    assert world.initiative.state == State.answered
    assert world.initiative.outcome == "rejected" and world.initiative.answer == "Uusitaan."
    # Its follower is told, once the minutes are out.
    assert session.exec(select(Delivery).where(Delivery.person_id == world.yte.id)).first()
    assert client.post(publish, headers=auth).status_code == 422  # already published


def test_publishing_keeps_the_notice_unless_an_admin_overrides(client, session, world):
    late = make_forum_session(session, days_ahead=4)
    session.add(AgendaItem(session_id=late.id, position=1, title="Budjetti"))
    session.commit()
    url = f"/api/v1/forum/sessions/{late.id}/publish"
    management = headers(session, world.management)
    refused = client.post(url, json={"override": True}, headers=management)
    assert refused.status_code == 422
    assert "at least 7 days" in refused.json()["detail"][0]["reason"]
    admin = headers(session, world.admin)
    assert client.post(url, json={}, headers=admin).status_code == 422
    published = client.post(url, json={"override": True}, headers=admin)
    assert published.status_code == 200 and published.json()["agenda_published_at"]
    chair = headers(session, world.chair)
    assert client.get(f"/api/v1/forum/sessions/{late.id}", headers=chair).status_code == 200


def test_published_minutes_and_outcome_less_decisions_are_refused(client, session, world):
    auth = headers(session, world.management)
    url = f"/api/v1/forum/items/{world.item.id}/minutes"
    no_outcome = client.put(url, json={"decision": "Uusitaan.", "version": 1}, headers=auth)
    assert no_outcome.status_code == 422
    assert no_outcome.json()["detail"] == [
        {"field": "outcome", "reason": "Choose the outcome of the initiative."}
    ]
    world.published.minutes_published_at = utcnow()
    session.add(world.published)
    session.commit()
    body = {"decision": "Uusitaan.", "outcome": "accepted", "version": 1}
    refused = client.put(url, json=body, headers=auth)
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["reason"] == (
        "The minutes are published; they can no longer change."
    )
    session.refresh(world.initiative)
    assert world.initiative.state == State.received


def test_a_session_is_not_moved_to_the_past_or_years_ahead(client, session, world):
    auth = headers(session, world.management)
    url = f"/api/v1/forum/sessions/{world.draft.id}"
    past = datetime.combine(today() - timedelta(days=1), time(14, 0)).isoformat()
    refused = client.patch(url, json={"starts_at": past, "version": 1}, headers=auth)
    assert refused.status_code == 422
    far = {"starts_at": "9999-12-31T23:00:00", "duration_minutes": 720, "version": 1}
    assert client.patch(url, json=far, headers=auth).status_code == 422
    assert client.get("/api/v1/forum/sessions", headers=auth).status_code == 200
