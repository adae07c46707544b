"""Haso-yte API: anyone logged in reads; management and administrators write with a write scope."""

from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import select

from app.models.committees import Position
from app.models.people import StaffKind
from app.models.yte import YteMember, YteTerm
from tests.support import (
    api_headers,
    make_committee,
    make_house,
    make_manager,
    make_resident,
    make_staff,
    make_yte_term,
)


@pytest.fixture()
def world(session) -> dict[str, Any]:
    """A current term with house A's chair; house B's chair is sitting but not on it."""
    house_a = make_house(session, name="Ankkurikatu")
    house_b = make_house(session, name="Bastioni")
    chair_a = make_resident(session, house_a)
    make_committee(session, house_a, [(chair_a, Position.chair)])
    chair_b = make_resident(session, house_b)
    make_committee(session, house_b, [(chair_b, Position.chair)])
    term = make_yte_term(session, [(chair_a, house_a)])
    people = {
        "chair_a": chair_a,
        "chair_b": chair_b,
        "resident": make_resident(session, house_b),
        "manager": make_manager(session, house_a),
        "management": make_staff(session, StaffKind.management),
        "admin": make_staff(session, StaffKind.admin),
    }
    session.commit()
    return {"people": people, "term": term, "house_a": house_a, "house_b": house_b}


WRITERS = ["management", "admin"]
READERS_ONLY = ["chair_a", "chair_b", "resident", "manager"]


@pytest.mark.parametrize("role", WRITERS + READERS_ONLY)
def test_anyone_logged_in_reads_the_current_term(client, session, world, role):
    headers = api_headers(session, world["people"][role], scopes=["read"])
    response = client.get("/api/v1/yte", headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == world["term"].id
    assert body["members"] == [
        {
            "person_id": world["people"]["chair_a"].id,
            "name": world["people"]["chair_a"].name,
            "house_id": world["house_a"].id,
            "house_name": "Ankkurikatu",
            "is_chair": False,
        }
    ]


def test_between_terms_the_current_term_is_404(client, session, world):
    term = world["term"]
    term.starts_on = date.today() + timedelta(days=10)
    term.ends_on = date.today() + timedelta(days=700)
    session.add(term)
    session.commit()
    headers = api_headers(session, world["people"]["resident"])
    assert client.get("/api/v1/yte", headers=headers).status_code == 404
    listed = client.get("/api/v1/yte/terms", headers=headers).json()
    assert [t["id"] for t in listed] == [term.id]


def test_anonymous_gets_401(client, world):
    term_id = world["term"].id
    assert client.get("/api/v1/yte").status_code == 401
    assert client.get("/api/v1/yte/terms").status_code == 401
    assert client.post("/api/v1/yte/terms", json={}).status_code == 401
    assert client.post(f"/api/v1/yte/terms/{term_id}/members", json={}).status_code == 401


def test_token_without_read_scope_cannot_read(client, session, world):
    headers = api_headers(session, world["people"]["resident"], scopes=["import"])
    assert client.get("/api/v1/yte", headers=headers).status_code == 403


def test_terms_are_listed_newest_first(client, session, world):
    old = YteTerm(starts_on=date(2020, 1, 15), ends_on=date(2022, 1, 14))
    session.add(old)
    session.commit()
    headers = api_headers(session, world["people"]["chair_b"])
    listed = client.get("/api/v1/yte/terms", headers=headers).json()
    assert [t["id"] for t in listed] == [world["term"].id, old.id]
    assert listed[1]["members"] == []


@pytest.mark.parametrize("role", WRITERS)
def test_overseers_create_a_term(client, session, world, role):
    headers = api_headers(session, world["people"][role], scopes=["read", "write"])
    response = client.post(
        "/api/v1/yte/terms",
        json={"starts_on": "2040-01-15", "ends_on": "2042-01-14"},
        headers=headers,
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["starts_on"], body["ends_on"], body["members"]) == (
        "2040-01-15",
        "2042-01-14",
        [],
    )
    assert session.get(YteTerm, body["id"]) is not None


def test_overlapping_term_is_422_at_the_field(client, session, world):
    headers = api_headers(session, world["people"]["admin"])
    start = date.today()
    response = client.post(
        "/api/v1/yte/terms",
        json={"starts_on": start.isoformat(), "ends_on": (start + timedelta(days=30)).isoformat()},
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "starts_on"


@pytest.mark.parametrize("role", READERS_ONLY)
def test_others_cannot_write(client, session, world, role):
    headers = api_headers(session, world["people"][role])
    created = client.post(
        "/api/v1/yte/terms",
        json={"starts_on": "2040-01-15", "ends_on": "2042-01-14"},
        headers=headers,
    )
    assert created.status_code == 403
    chair_b, house_b = world["people"]["chair_b"], world["house_b"]
    seat = client.post(
        f"/api/v1/yte/terms/{world['term'].id}/members",
        json={"person_id": chair_b.id, "house_id": house_b.id},
        headers=headers,
    )
    assert seat.status_code == 403
    assert len(list(session.exec(select(YteTerm)))) == 1
    assert len(list(session.exec(select(YteMember)))) == 1


def test_read_only_token_of_an_overseer_cannot_write(client, session, world):
    headers = api_headers(session, world["people"]["management"], scopes=["read"])
    response = client.post(
        "/api/v1/yte/terms",
        json={"starts_on": "2040-01-15", "ends_on": "2042-01-14"},
        headers=headers,
    )
    assert response.status_code == 403
    chair_b, house_b = world["people"]["chair_b"], world["house_b"]
    seat = client.post(
        f"/api/v1/yte/terms/{world['term'].id}/members",
        json={"person_id": chair_b.id, "house_id": house_b.id},
        headers=headers,
    )
    assert seat.status_code == 403
    assert len(list(session.exec(select(YteMember)))) == 1


def test_add_a_sitting_chair(client, session, world):
    headers = api_headers(session, world["people"]["management"], scopes=["write"])
    chair_b, house_b = world["people"]["chair_b"], world["house_b"]
    response = client.post(
        f"/api/v1/yte/terms/{world['term'].id}/members",
        json={"person_id": chair_b.id, "house_id": house_b.id},
        headers=headers,
    )
    assert response.status_code == 201
    assert response.json() == {
        "person_id": chair_b.id,
        "name": chair_b.name,
        "house_id": house_b.id,
        "house_name": "Bastioni",
        "is_chair": False,
    }
    assert session.exec(select(YteMember).where(YteMember.person_id == chair_b.id)).one()


def test_adding_a_non_chair_is_422_and_unknown_term_404(client, session, world):
    headers = api_headers(session, world["people"]["admin"])
    resident, house_b = world["people"]["resident"], world["house_b"]
    response = client.post(
        f"/api/v1/yte/terms/{world['term'].id}/members",
        json={"person_id": resident.id, "house_id": house_b.id},
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "person_id"
    missing = client.post(
        "/api/v1/yte/terms/999999/members",
        json={"person_id": resident.id, "house_id": house_b.id},
        headers=headers,
    )
    assert missing.status_code == 404
