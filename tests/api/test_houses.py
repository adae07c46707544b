"""The houses API: search, one house, residents, adding and changing; per role, scope, house."""

from datetime import date

import pytest
from sqlmodel import select

from app.models.audit import AuditEntry
from app.models.committees import Position
from app.models.houses import House, Tenure
from app.models.people import StaffKind
from tests.support import (
    api_headers,
    fi,
    make_committee,
    make_house,
    make_manager,
    make_person,
    make_resident,
    make_staff,
)


def chair_of(session, house):
    person = make_resident(session, house)
    make_committee(session, house, [(person, Position.chair)])
    return person


def new_house(**fields):
    body = {
        "code": "API-1",
        "name": "Rajapintatalo",
        "street_address": "Rajatie 3",
        "postal_code": "00560",
        "district": "Arabianranta",
        "apartments": 18,
        "floor_area": "1234.5",
        "year_built": 2019,
    }
    body.update(fields)
    return body


# anonymous


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/houses"),
        ("get", "/api/v1/houses/{id}"),
        ("get", "/api/v1/houses/{id}/residents"),
        ("post", "/api/v1/houses"),
        ("patch", "/api/v1/houses/{id}"),
    ],
)
def test_without_a_token_every_route_answers_401(client, session, method, path):
    house = make_house(session)
    kwargs = {"json": {"version": 1, "name": "X"}} if method != "get" else {}
    response = client.request(method, path.format(id=house.id), **kwargs)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


# reading


def test_list_searches_and_pages(client, session):
    a = make_house(session, name="Api Aalto", district="Haaga")
    b = make_house(session, name="Api Bertta", district="Haaga")
    make_house(session, name="Api Cecilia", district="Kontula")
    headers = api_headers(session, make_resident(session, a))
    response = client.get("/api/v1/houses", params={"q": "api "}, headers=headers)
    assert response.status_code == 200
    assert [h["name"] for h in response.json()] == ["Api Aalto", "Api Bertta", "Api Cecilia"]
    by_district = client.get(
        "/api/v1/houses", params={"q": "api", "district": "haaga"}, headers=headers
    ).json()
    assert [h["id"] for h in by_district] == [a.id, b.id]
    second = client.get(
        "/api/v1/houses", params={"q": "api", "limit": 1, "offset": 1}, headers=headers
    ).json()
    assert [h["name"] for h in second] == ["Api Bertta"]
    assert set(second[0]) >= {"id", "code", "street_address", "floor_area", "property_manager_id"}
    bad = client.get("/api/v1/houses", params={"limit": 0}, headers=headers)
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "limit"


def test_get_one_house_and_unknown_is_404(client, session):
    house = make_house(session, name="Yksi Talo")
    headers = api_headers(session, make_person(session))
    response = client.get(f"/api/v1/houses/{house.id}", headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["name"], body["version"]) == (house.id, "Yksi Talo", 1)
    assert client.get("/api/v1/houses/999999", headers=headers).status_code == 404


def test_a_token_without_read_scope_may_not_read(client, session):
    house = make_house(session)
    headers = api_headers(session, make_staff(session, StaffKind.admin), scopes=["import"])
    assert client.get("/api/v1/houses", headers=headers).status_code == 403
    assert client.get(f"/api/v1/houses/{house.id}", headers=headers).status_code == 403
    assert client.get(f"/api/v1/houses/{house.id}/residents", headers=headers).status_code == 403


# residents


def test_chair_reads_residents_without_emails(client, session):
    house = make_house(session)
    chair = chair_of(session, house)
    renter = make_resident(
        session,
        house,
        make_person(session, name="Vuokra Veera"),
        apartment="B 2",
        tenure=Tenure.renter,
        starts_on=date(2023, 5, 1),
    )
    response = client.get(
        f"/api/v1/houses/{house.id}/residents", headers=api_headers(session, chair, ["read"])
    )
    assert response.status_code == 200
    rows = {r["person_id"]: r for r in response.json()}
    assert set(rows) == {chair.id, renter.id}
    assert rows[renter.id] == {
        "person_id": renter.id,
        "name": "Vuokra Veera",
        "apartment": "B 2",
        "tenure": "renter",
        "starts_on": "2023-05-01",
        "ends_on": None,
        "email": None,
    }
    assert renter.email not in response.text


def test_admin_reads_residents_with_emails(client, session):
    house = make_house(session)
    resident = make_resident(session, house)
    headers = api_headers(session, make_staff(session, StaffKind.admin))
    response = client.get(f"/api/v1/houses/{house.id}/residents", headers=headers)
    assert response.status_code == 200
    assert [r["email"] for r in response.json()] == [resident.email]


def test_own_property_manager_reads_residents(client, session):
    house = make_house(session)
    resident = make_resident(session, house)
    headers = api_headers(session, make_manager(session, house))
    response = client.get(f"/api/v1/houses/{house.id}/residents", headers=headers)
    assert response.status_code == 200
    assert [r["person_id"] for r in response.json()] == [resident.id]


@pytest.mark.parametrize("role", ["resident", "other_chair", "other_manager"])
def test_residents_are_hidden_from_others(client, session, role):
    house, other = make_house(session), make_house(session)
    resident = make_resident(session, house)
    user = {
        "resident": lambda: make_resident(session, house),
        "other_chair": lambda: chair_of(session, other),
        "other_manager": lambda: make_manager(session, other),
    }[role]()
    response = client.get(
        f"/api/v1/houses/{house.id}/residents", headers=api_headers(session, user)
    )
    assert response.status_code == 403
    assert resident.name not in response.text


def test_residents_of_unknown_house_is_404(client, session):
    headers = api_headers(session, make_staff(session, StaffKind.admin))
    assert client.get("/api/v1/houses/999999/residents", headers=headers).status_code == 404


# adding


def test_admin_with_write_scope_adds_a_house(client, session):
    admin = make_staff(session, StaffKind.admin)
    response = client.post(
        "/api/v1/houses", json=new_house(), headers=api_headers(session, admin, ["write"])
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["code"] == "API-1" and body["version"] == 1 and body["floor_area"] == "1234.5"
    house = session.get(House, body["id"])
    assert house is not None and house.name == "Rajapintatalo"
    entry = session.exec(
        select(AuditEntry).where(
            AuditEntry.entity == "house", AuditEntry.entity_id == str(house.id)
        )
    ).one()
    assert (entry.action, entry.actor_id) == ("create", admin.id)


def test_adding_a_house_needs_admin_and_write_scope(client, session):
    admin = make_staff(session, StaffKind.admin)
    management = make_staff(session, StaffKind.management)
    read_only = api_headers(session, admin, ["read"])
    assert client.post("/api/v1/houses", json=new_house(), headers=read_only).status_code == 403
    other = api_headers(session, management, ["read", "write"])
    assert client.post("/api/v1/houses", json=new_house(), headers=other).status_code == 403
    assert session.exec(select(House).where(House.code == "API-1")).first() is None


def test_bad_new_house_is_422_with_the_field(client, session):
    make_house(session, code="TAKEN")
    headers = api_headers(session, make_staff(session, StaffKind.admin))
    bad_postal = client.post("/api/v1/houses", json=new_house(postal_code="1"), headers=headers)
    assert bad_postal.status_code == 422
    assert [e["field"] for e in bad_postal.json()["detail"]] == ["postal_code"]
    taken = client.post("/api/v1/houses", json=new_house(code="taken"), headers=headers)
    assert taken.status_code == 422
    assert taken.json()["detail"] == [
        {"field": "code", "reason": fi("Another house already has this code.")}
    ]
    not_manager = new_house(property_manager_id=make_person(session).id)
    response = client.post("/api/v1/houses", json=not_manager, headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "property_manager_id"


# changing


def test_admin_patches_a_house_and_a_stale_version_gets_409(client, session):
    house = make_house(session, name="Ennen")
    manager = make_staff(session, StaffKind.property_manager)
    headers = api_headers(session, make_staff(session, StaffKind.admin), ["read", "write"])
    response = client.patch(
        f"/api/v1/houses/{house.id}",
        json={"version": 1, "name": "Jälkeen", "property_manager_id": manager.id},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["name"], body["version"], body["property_manager_id"]) == (
        "Jälkeen",
        2,
        manager.id,
    )
    assert body["district"] == house.district  # untouched fields stay
    stale = client.patch(
        f"/api/v1/houses/{house.id}", json={"version": 1, "name": "Myöhässä"}, headers=headers
    )
    assert stale.status_code == 409
    cleared = client.patch(
        f"/api/v1/houses/{house.id}",
        json={"version": 2, "property_manager_id": None},
        headers=headers,
    )
    assert cleared.status_code == 200 and cleared.json()["property_manager_id"] is None
    session.refresh(house)
    assert (house.name, house.version) == ("Jälkeen", 3)


def test_bad_patch_is_422_with_the_field(client, session):
    house = make_house(session)
    headers = api_headers(session, make_staff(session, StaffKind.admin))
    url = f"/api/v1/houses/{house.id}"
    no_version = client.patch(url, json={"name": "X"}, headers=headers)
    assert no_version.status_code == 422
    assert no_version.json()["detail"][0]["field"] == "version"
    null_name = client.patch(url, json={"version": 1, "name": None}, headers=headers)
    assert null_name.status_code == 422 and null_name.json()["detail"][0]["field"] == "name"
    bad_year = client.patch(url, json={"version": 1, "year_built": 1500}, headers=headers)
    assert bad_year.status_code == 422 and bad_year.json()["detail"][0]["field"] == "year_built"
    session.refresh(house)
    assert house.version == 1


@pytest.mark.parametrize("role", ["own_manager", "management", "admin_read_only"])
def test_patching_needs_admin_and_write_scope(client, session, role):
    house = make_house(session, name="Ennallaan")
    headers = {
        "own_manager": lambda: api_headers(session, make_manager(session, house)),
        "management": lambda: api_headers(session, make_staff(session, StaffKind.management)),
        "admin_read_only": lambda: api_headers(
            session, make_staff(session, StaffKind.admin), ["read"]
        ),
    }[role]()
    response = client.patch(
        f"/api/v1/houses/{house.id}", json={"version": 1, "name": "Muutettu"}, headers=headers
    )
    assert response.status_code == 403
    session.refresh(house)
    assert house.name == "Ennallaan"


def test_patching_an_unknown_house_is_404(client, session):
    headers = api_headers(session, make_staff(session, StaffKind.admin))
    response = client.patch("/api/v1/houses/999999", json={"version": 1}, headers=headers)
    assert response.status_code == 404


def test_openapi_documents_every_houses_route(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths["/api/v1/houses"]) >= {"get", "post"}
    assert set(paths["/api/v1/houses/{house_id}"]) >= {"get", "patch"}
    assert "get" in paths["/api/v1/houses/{house_id}/residents"]
    created = paths["/api/v1/houses"]["post"]["responses"]["201"]["content"]["application/json"]
    assert created["schema"]["$ref"].endswith("/HouseDetail")
