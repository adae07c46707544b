"""API authentication: the OAuth2 password flow and personal access tokens."""

from datetime import timedelta

from sqlmodel import select

from app.models.auth import ApiToken
from app.models.types import utcnow
from tests.support import api_headers, make_person


def test_password_flow_gives_a_token_that_works(client, session):
    person = make_person(session, password="salasana-pitkä-1")
    response = client.post(
        "/api/v1/auth/token", data={"username": person.email, "password": "salasana-pitkä-1"}
    )
    assert response.status_code == 200
    token = response.json()["access_token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["person"]["email"] == person.email


def test_wrong_password_is_401(client, session):
    person = make_person(session, password="salasana-pitkä-1")
    response = client.post("/api/v1/auth/token", data={"username": person.email, "password": "x"})
    assert response.status_code == 401


def test_api_without_token_is_401(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_expired_token_is_401(client, session):
    person = make_person(session)
    headers = api_headers(session, person)
    token = session.exec(select(ApiToken)).one()
    token.expires_at = utcnow() - timedelta(minutes=1)
    session.add(token)
    session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_personal_token_lifecycle(client, session):
    person = make_person(session)
    headers = api_headers(session, person)
    created = client.post(
        "/api/v1/me/tokens", json={"name": "Kirjanpito", "scopes": ["read"]}, headers=headers
    )
    assert created.status_code == 201
    body = created.json()
    secret = body["token"]
    assert body["scopes"] == ["read"]
    pat = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=pat).json()["scopes"] == ["read"]
    # a token cannot mint tokens
    assert client.post("/api/v1/me/tokens", json={"name": "x"}, headers=pat).status_code == 403
    listed = client.get("/api/v1/me/tokens", headers=headers).json()
    assert [t["name"] for t in listed] == ["Kirjanpito"]
    assert "token" not in listed[0]
    assert client.delete(f"/api/v1/me/tokens/{body['id']}", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=pat).status_code == 401


def test_unknown_scope_is_422_with_field(client, session):
    person = make_person(session)
    headers = api_headers(session, person)
    response = client.post(
        "/api/v1/me/tokens", json={"name": "x", "scopes": ["everything"]}, headers=headers
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "scopes"


def test_someone_elses_token_cannot_be_revoked(client, session):
    owner = make_person(session)
    other = make_person(session)
    owner_headers = api_headers(session, owner)
    created = client.post("/api/v1/me/tokens", json={"name": "x"}, headers=owner_headers).json()
    other_headers = api_headers(session, other)
    assert (
        client.delete(f"/api/v1/me/tokens/{created['id']}", headers=other_headers).status_code
        == 404
    )


def test_api_validation_error_names_the_field(client, session):
    person = make_person(session)
    headers = api_headers(session, person)
    response = client.post("/api/v1/me/tokens", json={"name": ""}, headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "name"


def test_ids_beyond_any_integer_are_404_not_500(client, session):
    person = make_person(session)
    headers = api_headers(session, person)
    huge = "4180801812612703744123456789"
    assert client.get(f"/api/v1/houses/{huge}", headers=headers).status_code == 404
    response = client.get("/api/v1/houses", params={"offset": huge}, headers=headers)
    assert response.status_code in (404, 422)


def test_error_answers_are_documented_in_openapi(client):
    schema = client.get("/openapi.json").json()
    operation = schema["paths"]["/api/v1/houses/{house_id}"]["get"]
    assert {"401", "403", "404", "422"} <= set(operation["responses"])
    assert not any(not path.startswith("/api/") for path in schema["paths"])
