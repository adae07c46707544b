"""Logging in and out through the pages, with real mail."""

from datetime import timedelta

from sqlmodel import select

from app.deps import SESSION_COOKIE
from app.models.auth import LoginLink, LoginSession
from app.models.types import utcnow
from tests.support import make_person


def test_anonymous_front_page_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=/")


def test_password_login_and_logout(client, session):
    person = make_person(session, password="oikea-salasana-123")
    response = client.submit(
        "/login", {"email": person.email.upper(), "password": "oikea-salasana-123"}
    )
    assert response.status_code == 303, response.text
    page = client.get("/")
    assert page.status_code == 200
    assert person.name in page.text
    token = client.cookies.get(SESSION_COOKIE)
    assert session.exec(select(LoginSession)).first() is not None
    client.submit("/logout")
    assert client.get("/").status_code == 303
    assert token
    from app.security import token_hash

    assert (
        session.exec(
            select(LoginSession).where(LoginSession.token_hash == token_hash(token))
        ).first()
        is None
    )


def test_wrong_password_shows_error_at_field_in_finnish(client, session):
    person = make_person(session, password="oikea-salasana-123")
    response = client.submit("/login", {"email": person.email, "password": "väärä"})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.text
    assert person.email in response.text  # what was typed is kept


def test_login_without_csrf_token_is_refused(client, session):
    person = make_person(session, password="oikea-salasana-123")
    client.csrf()
    response = client.post("/login", data={"email": person.email, "password": "oikea-salasana-123"})
    assert response.status_code == 403


def test_login_link_by_real_mail(client, session, smtp):
    person = make_person(session)
    response = client.submit("/login/link", {"link_email": person.email})
    assert response.status_code == 200
    messages = smtp.to(person.email)
    assert len(messages) == 1
    link = smtp.links(messages[0])[0]
    path = link.split("://", 1)[1].split("/", 1)[1]
    confirm = client.get("/" + path)
    assert confirm.status_code == 200
    assert client.get("/").status_code == 303  # opening the link alone does not log in
    assert client.submit("/" + path).status_code == 303
    assert client.get("/").status_code == 200
    # single use
    client.cookies.clear()
    assert client.submit("/" + path).status_code == 400


def test_expired_login_link_is_refused(client, session, smtp):
    person = make_person(session)
    client.submit("/login/link", {"link_email": person.email})
    link = smtp.links(smtp.to(person.email)[0])[0]
    row = session.exec(select(LoginLink)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.add(row)
    session.commit()
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert client.submit("/" + path).status_code == 400


def test_unknown_email_gets_same_answer_and_no_mail(client, session, smtp):
    response = client.submit("/login/link", {"link_email": "nobody@example.com"})
    assert response.status_code == 200
    assert smtp.messages == []


def test_login_attempts_are_rate_limited_per_account(client, session, settings):
    person = make_person(session, password="oikea-salasana-123")
    for _ in range(settings.login_attempts_per_account):
        client.submit("/login", {"email": person.email, "password": "väärä"})
    response = client.submit("/login", {"email": person.email, "password": "oikea-salasana-123"})
    assert response.status_code == 429


def test_session_cookie_flags(client, session):
    person = make_person(session, password="oikea-salasana-123")
    response = client.submit("/login", {"email": person.email, "password": "oikea-salasana-123"})
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")


def test_next_parameter_cannot_leave_the_site(client, session):
    person = make_person(session, password="oikea-salasana-123")
    response = client.submit(
        "/login",
        {"email": person.email, "password": "oikea-salasana-123", "next": "//evil.example"},
    )
    assert response.headers["location"] == "/"


def test_login_attempts_are_rate_limited_per_address(client, session, settings, monkeypatch):
    monkeypatch.setattr(settings, "login_attempts_per_ip", 3)
    people = [make_person(session, password="oikea-salasana-123") for _ in range(4)]
    for person in people[:3]:
        client.submit("/login", {"email": person.email, "password": "väärä"})
    response = client.submit("/login", {"email": people[3].email, "password": "oikea-salasana-123"})
    assert response.status_code == 429


def test_login_renews_the_session(client, session):
    person = make_person(session, password="oikea-salasana-123")
    client.login_as(session, person)
    before = client.cookies.get(SESSION_COOKIE)
    response = client.submit("/login", {"email": person.email, "password": "oikea-salasana-123"})
    after = response.cookies.get(SESSION_COOKIE)
    assert after and after != before
    from app.security import token_hash

    old = session.exec(select(LoginSession).where(LoginSession.token_hash == token_hash(before)))
    assert old.first() is None
