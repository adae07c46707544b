"""People API: administrators list, add and change people; a person reads their own details."""

from typing import Any

import pytest
from sqlmodel import select

from app.models.audit import AuditEntry
from app.models.committees import Position
from app.models.people import StaffKind
from app.services.bodies import people as people_service
from tests.support import (
    api_headers,
    make_committee,
    make_house,
    make_manager,
    make_person,
    make_resident,
    make_staff,
)


@pytest.fixture()
def world(session) -> dict[str, Any]:
    """An administrator, the other roles of one house, and a resident of the same house."""
    house = make_house(session)
    chair = make_resident(session, house)
    make_committee(session, house, [(chair, Position.chair)])
    target = make_resident(
        session, house, make_person(session, name="Tuula Tavoite", email="tuula@example.com")
    )
    people = {
        "admin": make_staff(session, StaffKind.admin),
        "management": make_staff(session, StaffKind.management),
        "manager": make_manager(session, house),
        "chair": chair,
        "neighbour": make_resident(session, house),
    }
    session.commit()
    return {"people": people, "target": target}


OTHERS = ["management", "manager", "chair", "neighbour"]


def test_admin_lists_and_searches_people(client, session, world):
    headers = api_headers(session, world["people"]["admin"])
    response = client.get("/api/v1/people", params={"q": "TUULA"}, headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert [p["email"] for p in body] == ["tuula@example.com"]
    assert set(body[0]) == {
        "id",
        "name",
        "language",
        "email",
        "phone",
        "birth_date",
        "notice_channel",
    }
    assert response.headers["x-total-count"] == "1"


def test_people_list_pages(client, session, world):
    for n in range(5):
        make_person(session, name=f"Sivu {n}", email=f"sivu{n}@example.com")
    session.commit()
    headers = api_headers(session, world["people"]["admin"])
    page = client.get(
        "/api/v1/people", params={"q": "sivu", "limit": 2, "offset": 2}, headers=headers
    )
    assert [p["name"] for p in page.json()] == ["Sivu 2", "Sivu 3"]
    assert page.headers["x-total-count"] == "5"
    assert client.get("/api/v1/people", params={"limit": 0}, headers=headers).status_code == 422


@pytest.mark.parametrize("role", OTHERS)
def test_others_cannot_list_people(client, session, world, role):
    headers = api_headers(session, world["people"][role])
    assert client.get("/api/v1/people", headers=headers).status_code == 403


def test_anonymous_gets_401_everywhere(client, world):
    target_id = world["target"].id
    assert client.get("/api/v1/people").status_code == 401
    assert client.get(f"/api/v1/people/{target_id}").status_code == 401
    assert client.post("/api/v1/people", json={}).status_code == 401
    assert client.patch(f"/api/v1/people/{target_id}", json={"version": 1}).status_code == 401


def test_person_reads_themself(client, session, world):
    target = world["target"]
    headers = api_headers(session, target, scopes=["read"])
    response = client.get(f"/api/v1/people/{target.id}", headers=headers)
    assert response.status_code == 200
    assert response.json()["email"] == "tuula@example.com"


def test_admin_reads_anyone_and_gets_404_for_nobody(client, session, world):
    headers = api_headers(session, world["people"]["admin"])
    response = client.get(f"/api/v1/people/{world['target'].id}", headers=headers)
    assert response.json()["name"] == "Tuula Tavoite"
    assert client.get("/api/v1/people/999999", headers=headers).status_code == 404


@pytest.mark.parametrize("role", OTHERS)
def test_others_of_the_same_house_cannot_read_a_person(client, session, world, role):
    headers = api_headers(session, world["people"][role])
    response = client.get(f"/api/v1/people/{world['target'].id}", headers=headers)
    assert response.status_code == 403
    assert "tuula@example.com" not in response.text
    # an id that does not exist answers the same, so ids cannot be probed
    assert client.get("/api/v1/people/999999", headers=headers).status_code == 403


def test_token_without_read_scope_cannot_read_even_oneself(client, session, world):
    target = world["target"]
    headers = api_headers(session, target, scopes=["import"])
    assert client.get(f"/api/v1/people/{target.id}", headers=headers).status_code == 403


def test_admin_creates_a_person(client, session, world):
    admin = world["people"]["admin"]
    headers = api_headers(session, admin)
    response = client.post(
        "/api/v1/people",
        json={"name": "Uolevi Uusi", "email": "Uolevi@Example.com", "language": "sv"},
        headers=headers,
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["email"], body["language"], body["phone"]) == ("uolevi@example.com", "sv", None)
    entry = session.exec(
        select(AuditEntry).where(
            AuditEntry.entity == "person", AuditEntry.entity_id == str(body["id"])
        )
    ).one()
    assert (entry.action, entry.actor_id) == ("create", admin.id)


def test_duplicate_email_is_422_at_the_field(client, session, world):
    headers = api_headers(session, world["people"]["admin"])
    response = client.post(
        "/api/v1/people", json={"name": "Toinen", "email": "TUULA@example.com"}, headers=headers
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "email"


def test_invalid_input_names_the_fields(client, session, world):
    headers = api_headers(session, world["people"]["admin"])
    response = client.post(
        "/api/v1/people", json={"name": "", "email": "ei-osoite"}, headers=headers
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["detail"]} == {"name", "email"}


def test_read_only_token_cannot_write(client, session, world):
    admin = world["people"]["admin"]
    target = world["target"]
    headers = api_headers(session, admin, scopes=["read"])
    assert client.get("/api/v1/people", headers=headers).status_code == 200
    created = client.post(
        "/api/v1/people", json={"name": "Ei", "email": "ei@example.com"}, headers=headers
    )
    assert created.status_code == 403
    patched = client.patch(
        f"/api/v1/people/{target.id}", json={"name": "Ei", "version": 1}, headers=headers
    )
    assert patched.status_code == 403
    assert people_service.by_email(session, "ei@example.com") is None
    session.refresh(target)
    assert target.name == "Tuula Tavoite"


def test_write_token_of_a_non_admin_cannot_write(client, session, world):
    headers = api_headers(session, world["people"]["management"], scopes=["read", "write"])
    response = client.post(
        "/api/v1/people", json={"name": "Ei", "email": "ei@example.com"}, headers=headers
    )
    assert response.status_code == 403
    target = world["target"]
    own = api_headers(session, target, scopes=["read", "write"])
    response = client.patch(
        f"/api/v1/people/{target.id}", json={"name": "Itse", "version": 1}, headers=own
    )
    assert response.status_code == 403


def test_patch_changes_only_what_is_given_and_checks_the_version(client, session, world):
    target = world["target"]
    headers = api_headers(session, world["people"]["admin"], scopes=["read", "write"])
    response = client.patch(
        f"/api/v1/people/{target.id}", json={"phone": "040 1", "version": 1}, headers=headers
    )
    assert response.status_code == 200
    assert (response.json()["phone"], response.json()["name"]) == ("040 1", "Tuula Tavoite")
    stale = client.patch(
        f"/api/v1/people/{target.id}", json={"name": "Myöhässä", "version": 1}, headers=headers
    )
    assert stale.status_code == 409
    cleared = client.patch(
        f"/api/v1/people/{target.id}", json={"phone": None, "version": 2}, headers=headers
    )
    assert cleared.status_code == 200 and cleared.json()["phone"] is None
    session.refresh(target)
    assert (target.name, target.version) == ("Tuula Tavoite", 3)


def test_patch_without_version_is_422(client, session, world):
    headers = api_headers(session, world["people"]["admin"])
    response = client.patch(
        f"/api/v1/people/{world['target'].id}", json={"name": "X"}, headers=headers
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "version"


def test_patch_to_a_taken_email_is_422_and_unknown_id_404(client, session, world):
    headers = api_headers(session, world["people"]["admin"])
    other = world["people"]["chair"]
    response = client.patch(
        f"/api/v1/people/{world['target'].id}",
        json={"email": other.email, "version": 1},
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "email"
    missing = client.patch("/api/v1/people/999999", json={"version": 1}, headers=headers)
    assert missing.status_code == 404
