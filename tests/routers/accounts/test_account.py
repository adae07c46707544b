"""My account page: password and personal access tokens."""

from sqlmodel import select

from app.models.auth import ApiToken
from app.security import verify_password
from tests.support import make_person


def test_account_page_shows_my_details(client, session):
    person = make_person(session, name="Liisa Laine")
    client.login_as(session, person)
    page = client.get("/account")
    assert page.status_code == 200
    assert "Liisa Laine" in page.text and person.email in page.text


def test_set_a_password_without_having_one(client, session):
    person = make_person(session)
    client.login_as(session, person)
    response = client.submit(
        "/account/password", {"password": "uusi-salasana-1", "password_confirm": "uusi-salasana-1"}
    )
    assert response.status_code == 303
    session.refresh(person)
    assert verify_password(person.password_hash, "uusi-salasana-1")


def test_changing_a_password_needs_the_current_one(client, session):
    person = make_person(session, password="vanha-salasana-1")
    client.login_as(session, person)
    response = client.submit(
        "/account/password",
        {
            "current_password": "väärä",
            "password": "uusi-salasana-1",
            "password_confirm": "uusi-salasana-1",
        },
    )
    assert response.status_code == 422
    assert 'id="error-current_password"' in response.text
    session.refresh(person)
    assert verify_password(person.password_hash, "vanha-salasana-1")


def test_short_or_mismatched_password_is_refused_at_the_field(client, session):
    person = make_person(session)
    client.login_as(session, person)
    short = client.submit("/account/password", {"password": "lyhyt", "password_confirm": "lyhyt"})
    assert short.status_code == 422 and 'id="error-password"' in short.text
    other = client.submit(
        "/account/password",
        {"password": "pitkä-salasana-1", "password_confirm": "pitkä-salasana-2"},
    )
    assert other.status_code == 422 and 'id="error-password_confirm"' in other.text


def test_create_use_and_revoke_a_token(client, session):
    person = make_person(session)
    client.login_as(session, person)
    page = client.submit(
        "/account/tokens", {"name": "Kirjanpito", "scope_read": "on", "expires_in_days": "30"}
    )
    assert page.status_code == 200
    token = session.exec(select(ApiToken)).one()
    assert token.name == "Kirjanpito" and token.scopes == "read"
    secret = page.text.split('class="token-secret">', 1)[1].split("<", 1)[0]
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    )
    assert client.submit(f"/account/tokens/{token.id}/revoke").status_code == 303
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    )


def test_token_without_name_is_refused_at_the_field(client, session):
    person = make_person(session)
    client.login_as(session, person)
    page = client.submit("/account/tokens", {"name": "", "expires_in_days": "30"})
    assert page.status_code == 422 and 'id="error-name"' in page.text


def test_someone_elses_token_cannot_be_revoked(client, session):
    owner = make_person(session)
    client.login_as(session, owner)
    client.submit("/account/tokens", {"name": "x", "expires_in_days": "30"})
    token = session.exec(select(ApiToken)).one()
    other = make_person(session)
    client.login_as(session, other)
    assert client.submit(f"/account/tokens/{token.id}/revoke").status_code == 404
    session.refresh(token)
    assert token.revoked_at is None
