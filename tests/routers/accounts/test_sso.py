"""Single sign-on against a real OpenID Connect provider (oidc-provider on Node.js, loopback).

The portal runs in the TestClient; the provider runs for real and the tests drive its login and
consent forms with httpx, so the portal's discovery, token request, key download and ID token
validation all talk to the real provider. Attacks on the ID token are made by a transport that
changes the token endpoint's answer on its way to the portal.
"""

import base64
import json
import logging
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from sqlmodel import func, select

from app.deps import SESSION_COOKIE
from app.middleware import LANGUAGE_COOKIE
from app.models.audit import AuditEntry
from app.models.auth import LoginSession
from app.models.people import StaffKind
from app.models.sso import SsoIdentity, SsoLogin, SsoSession
from app.routers.accounts.sso import STATE_COOKIE
from app.security import token_hash
from app.services.accounts import oidc as oidc_service
from tests.oidc.fixtures import (
    ACCOUNTS,
    KID,
    PORTAL,
    TokenTamperer,
    follow_to_portal,
    oidc_provider_fixture,  # noqa: F401  (fixture "oidc_provider")
    resign,
    sso_fixture,  # noqa: F401  (fixture "sso")
    submit_form,
)
from tests.support import fi, make_house, make_person, make_resident, make_staff

UNKNOWN = fi(
    "Your account at the identity service is not linked to anyone in the portal. "
    "Ask the portal's administrators for help, or log in with your email address."
)
REFUSED = fi("The login could not be completed. Please start again.")


@pytest.fixture()
def browser() -> Iterator[httpx.Client]:
    """The user's browser at the provider (its own cookies there)."""
    with httpx.Client(follow_redirects=False, timeout=10) as b:
        yield b


@pytest.fixture()
def staff(session):  # type: ignore[no-untyped-def]
    person = make_staff(session, StaffKind.management, email=ACCOUNTS["staff"]["email"])
    session.commit()
    return person


def tamper(app, change: Callable[[str], str]) -> None:  # type: ignore[no-untyped-def]
    """Send the portal's requests to the provider through a transport that changes the ID token."""
    client = httpx.Client(transport=TokenTamperer(change), timeout=10)
    app.dependency_overrides[oidc_service.http_client] = lambda: client


def sessions(session) -> int:  # type: ignore[no-untyped-def]
    return session.exec(select(func.count()).select_from(LoginSession)).one()


def log_in(client, browser, account: str, next_url: str = "/"):  # type: ignore[no-untyped-def]
    """Start at the portal, log in at the provider, come back: the portal's final answer."""
    start = client.get("/login/sso", params={"next": next_url})
    assert start.status_code == 303, start.text
    back = follow_to_portal(browser, start.headers["location"], account)
    return client.get(back), back


def test_login_page_offers_the_provider_only_when_configured(client, settings, monkeypatch):
    monkeypatch.setattr(settings, "oidc_issuer", "")
    page = client.get("/login")
    assert "/login/sso" not in page.text
    assert client.get("/login/sso").status_code == 404
    assert client.get("/login/sso/callback?state=x&code=y").status_code == 404
    monkeypatch.setattr(settings, "oidc_issuer", "https://id.example")
    monkeypatch.setattr(settings, "oidc_client_id", "portal")
    monkeypatch.setattr(settings, "oidc_provider_name", "Haso ID")
    monkeypatch.setattr(settings, "oidc_allowed", "staff")
    client.cookies.set(LANGUAGE_COOKIE, "en")
    page = client.get("/login?next=/houses")
    assert "Log in with Haso ID" in page.text
    assert 'href="/login/sso?next=/houses"' in page.text
    assert "For the company" in page.text
    monkeypatch.setattr(settings, "oidc_allowed", "all")
    assert "Log in with your Haso ID account." in client.get("/login").text


def test_an_unreachable_provider_is_explained(client, session, settings, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    monkeypatch.setattr(settings, "oidc_issuer", f"http://127.0.0.1:{closed}")
    monkeypatch.setattr(settings, "oidc_client_id", "portal")
    oidc_service.clear_cache()
    client.cookies.set(LANGUAGE_COOKIE, "en")
    response = client.get("/login/sso")
    assert response.status_code == 503
    assert "The identity service cannot be reached." in response.text
    assert session.exec(select(SsoLogin)).first() is None


def test_staff_logs_in_with_pkce_and_the_identity_is_linked(client, session, sso, browser, staff):
    start = client.get("/login/sso", params={"next": "/houses"})
    assert start.status_code == 303
    authorize = urlsplit(start.headers["location"])
    query = parse_qs(authorize.query)
    assert start.headers["location"].startswith(sso.issuer)
    assert query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"] == [f"{PORTAL}/login/sso/callback"]
    assert query["nonce"] and query["state"] and query["code_challenge"]
    assert client.cookies.get(STATE_COOKIE) == query["state"][0]
    # Only the state's hash is stored.
    assert session.exec(select(SsoLogin)).one().state_hash == token_hash(query["state"][0])

    back = follow_to_portal(browser, start.headers["location"], "staff")
    response = client.get(back)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/houses"
    assert client.get("/").status_code == 200
    assert staff.name in client.get("/").text
    login = session.exec(select(LoginSession)).one()
    assert login.method == "oidc" and login.person_id == staff.id
    identity = session.exec(select(SsoIdentity)).one()
    assert (identity.issuer, identity.subject) == (sso.issuer, "sub-staff-1")
    assert identity.person_id == staff.id
    audit = session.exec(select(AuditEntry).where(AuditEntry.entity == "sso_identity")).one()
    assert audit.action == "create" and audit.actor_id == staff.id
    assert session.exec(select(SsoLogin)).first() is None  # the state is spent


def test_later_logins_use_the_link_not_the_email(client, session, sso, browser, staff):
    response, _ = log_in(client, browser, "staff")
    assert response.status_code == 303
    client.cookies.clear()
    # The portal's email changes; the link (issuer, subject) still finds the person.
    staff.email = "changed.address@haso.example"
    session.add(staff)
    session.commit()
    response, _ = log_in(client, browser, "staff")
    assert response.status_code == 303, response.text
    assert session.exec(select(func.count()).select_from(SsoIdentity)).one() == 1
    assert staff.name in client.get("/").text


def test_the_portal_session_starts_renewed(client, session, sso, browser, staff):
    old = client.login_as(session, staff).cookies.get(SESSION_COOKIE)
    response, _ = log_in(client, browser, "staff")
    assert response.status_code == 303
    new = response.cookies.get(SESSION_COOKIE)
    assert new and new != old
    hashes = set(session.exec(select(LoginSession.token_hash)).all())
    assert hashes == {token_hash(new)}


def test_logout_ends_the_session_and_logs_out_at_the_provider(client, session, sso, browser, staff):
    log_in(client, browser, "staff")
    token = client.cookies.get(SESSION_COOKIE)
    assert session.exec(select(SsoSession)).one()
    response = client.submit("/logout")
    assert response.status_code == 303
    location = response.headers["location"]
    meta = httpx.get(f"{sso.issuer}/.well-known/openid-configuration").json()
    assert location.startswith(meta["end_session_endpoint"] + "?")
    query = parse_qs(urlsplit(location).query)
    assert query["post_logout_redirect_uri"] == [f"{PORTAL}/login"]
    assert query["id_token_hint"]
    # The server side of the session is gone, whatever the browser keeps.
    assert session.exec(select(LoginSession)).first() is None
    assert session.exec(select(SsoSession)).first() is None
    client.cookies.set(SESSION_COOKIE, str(token))
    assert client.get("/").status_code == 303
    # The provider accepts the hint and the address: its confirmation leads back to the portal.
    page = browser.get(location)
    assert page.status_code == 200, page.text
    done = submit_form(browser, location, page.text, logout="yes")
    assert done.status_code in (302, 303)
    assert done.headers["location"] == f"{PORTAL}/login"
    # The provider's own session is over too: a new login asks for the password again.
    start = client.get("/login/sso")
    page = browser.get(start.headers["location"])
    assert page.status_code in (302, 303)
    page = browser.get(urljoin(start.headers["location"], page.headers["location"]))
    assert 'name="login"' in page.text


def test_logout_of_a_password_session_stays_in_the_portal(client, session, sso, staff):
    client.login_as(session, staff)
    response = client.submit("/logout")
    assert response.headers["location"] == "/login"


def _refused(client, response, session, text: str = REFUSED) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 403, response.text
    assert text in response.text, "the refusal is shown in the user's language (Finnish here)"
    assert SESSION_COOKIE not in response.cookies
    assert sessions(session) == 0
    assert client.get("/").status_code == 303


def test_an_expired_id_token_is_refused(app, client, session, sso, browser, staff, caplog):
    def expire(claims: dict[str, Any]) -> None:
        claims["iat"] = int(time.time()) - 7200
        claims["exp"] = int(time.time()) - 3600

    tamper(app, lambda token: resign(sso, token, expire))
    with caplog.at_level(logging.WARNING, logger="app.services.accounts.oidc"):
        response, _ = log_in(client, browser, "staff")
    _refused(client, response, session)
    assert "expired" in caplog.text


def test_a_tampered_signature_is_refused(app, client, session, sso, browser, staff):
    def change_subject(token: str) -> str:
        header, payload, signature = token.split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims["sub"] = "sub-someone-else"
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        return f"{header}.{forged}.{signature}"

    tamper(app, change_subject)
    response, _ = log_in(client, browser, "staff")
    _refused(client, response, session)


def test_a_token_signed_by_a_key_the_portal_does_not_trust_is_refused(
    app, client, session, sso, browser, staff
):
    from authlib.jose import JsonWebKey, JsonWebToken

    stranger = JsonWebKey.generate_key("RSA", 2048, is_private=True, options={"kid": KID})

    def sign_again(token: str) -> str:
        claims = dict(JsonWebToken(["RS256"]).decode(token, sso.key))
        return (
            JsonWebToken(["RS256"]).encode({"alg": "RS256", "kid": KID}, claims, stranger).decode()
        )

    tamper(app, sign_again)
    response, _ = log_in(client, browser, "staff")
    _refused(client, response, session)


def test_an_unsigned_token_is_refused(app, client, session, sso, browser, staff):
    def strip(token: str) -> str:
        _, payload, _ = token.split(".")
        header = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
        return f"{header}.{payload}."

    tamper(app, strip)
    response, _ = log_in(client, browser, "staff")
    _refused(client, response, session)


def test_a_wrong_audience_is_refused(app, client, session, sso, browser, staff):
    tamper(app, lambda token: resign(sso, token, lambda c: c.update(aud="another-client")))
    response, _ = log_in(client, browser, "staff")
    _refused(client, response, session)


def test_a_wrong_issuer_is_refused(app, client, session, sso, browser, staff):
    tamper(app, lambda token: resign(sso, token, lambda c: c.update(iss="https://evil.example")))
    response, _ = log_in(client, browser, "staff")
    _refused(client, response, session)


def test_a_missing_nonce_is_refused(app, client, session, sso, browser, staff):
    tamper(app, lambda token: resign(sso, token, lambda c: c.pop("nonce")))
    response, _ = log_in(client, browser, "staff")
    _refused(client, response, session)


def test_a_wrong_nonce_is_refused(app, client, session, sso, browser, staff):
    tamper(app, lambda token: resign(sso, token, lambda c: c.update(nonce="another-login")))
    response, _ = log_in(client, browser, "staff")
    _refused(client, response, session)


def test_a_replayed_state_is_refused(client, session, sso, browser, staff):
    start = client.get("/login/sso")
    state = client.cookies.get(STATE_COOKIE)
    back = follow_to_portal(browser, start.headers["location"], "staff")
    assert client.get(back).status_code == 303
    assert sessions(session) == 1
    client.cookies.clear()
    # The same answer again, even with the state cookie put back, logs no one in.
    client.cookies.set(STATE_COOKIE, str(state), path="/login/sso")
    again = client.get(back)
    assert again.status_code == 403
    assert REFUSED in again.text
    assert sessions(session) == 1


def test_a_state_from_another_browser_is_refused(client, session, sso, browser, staff):
    start = client.get("/login/sso")
    back = follow_to_portal(browser, start.headers["location"], "staff")
    client.cookies.set(STATE_COOKIE, "a-state-of-some-other-login", path="/login/sso")
    _refused(client, client.get(back), session)


def test_an_error_from_the_provider_is_refused(client, session, sso):
    client.get("/login/sso")
    state = client.cookies.get(STATE_COOKIE)
    response = client.get("/login/sso/callback", params={"state": state, "error": "access_denied"})
    _refused(client, response, session)


def test_an_unknown_identity_is_refused_politely_and_logged(
    client, session, sso, browser, staff, caplog
):
    client.cookies.set(LANGUAGE_COOKIE, "en")
    with caplog.at_level(logging.WARNING, logger="app.services.accounts.oidc"):
        response, _ = log_in(client, browser, "unknown")
    _refused(client, response, session, "is not linked to anyone in the portal")
    assert "<h1>Logging in did not succeed</h1>" in response.text
    assert 'lang="en"' in response.text
    assert "nobody.here@elsewhere.example" in caplog.text
    assert session.exec(select(SsoIdentity)).first() is None


def test_an_unverified_email_is_refused_even_when_it_matches(client, session, sso, browser, caplog):
    make_staff(session, StaffKind.admin, email=ACCOUNTS["unverified"]["email"])
    session.commit()
    with caplog.at_level(logging.WARNING, logger="app.services.accounts.oidc"):
        response, _ = log_in(client, browser, "unverified")
    _refused(client, response, session, UNKNOWN)
    assert "not verified" in caplog.text
    assert session.exec(select(SsoIdentity)).first() is None


def test_residents_only_where_the_company_allows_it(
    client, session, sso, browser, settings, monkeypatch
):
    person = make_person(session, email=ACCOUNTS["resident"]["email"])
    make_resident(session, make_house(session), person)
    session.commit()
    response, _ = log_in(client, browser, "resident")
    refusal = fi(
        "Your role does not allow logging in with %(provider)s. Log in otherwise.",
        provider="Haso ID",
    )
    _refused(client, response, session, refusal)
    monkeypatch.setattr(settings, "oidc_allowed", "all")
    response, _ = log_in(client, browser, "resident")
    assert response.status_code == 303, response.text
    assert sessions(session) == 1


def test_validation_checks_expiry_with_the_given_clock(
    sso, settings, browser, client, session, staff
):
    """The ID token of a real login, validated later than its lifetime, is expired."""
    captured: list[str] = []

    class Keep(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            response = super().handle_request(request)
            if request.url.path == "/token":
                response.read()
                captured.append(response.json()["id_token"])
            return response

    http = httpx.Client(transport=Keep())
    client.app.dependency_overrides[oidc_service.http_client] = lambda: http
    start = client.get("/login/sso")
    nonce = parse_qs(urlsplit(start.headers["location"]).query)["nonce"][0]
    assert (
        client.get(follow_to_portal(browser, start.headers["location"], "staff")).status_code == 303
    )
    claims = oidc_service.validate_id_token(settings, http, captured[0], nonce)
    assert claims["sub"] == "sub-staff-1"
    with pytest.raises(oidc_service.SsoError) as caught:
        oidc_service.validate_id_token(settings, http, captured[0], nonce, now=time.time() + 3600)
    assert "expired" in caught.value.reason
