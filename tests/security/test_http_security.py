"""The browser-facing defences: security headers, sessions renewed at login and ended on the
server at logout, CSRF on every state-changing page request, uploads judged by their bytes,
mail headers without injected lines, Markdown without anything that runs."""

import io
import re
from email import message_from_bytes, policy
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from sqlmodel import select

from app.config import get_settings
from app.deps import CSRF_COOKIE, SESSION_COOKIE, today
from app.errors import ValidationFailed
from app.models.auth import LoginSession
from app.models.committees import Position
from app.models.mail import Delivery
from app.models.people import StaffKind
from app.security import token_hash
from app.services.access.roles import load_principal
from app.services.initiatives import attachments as attachments_service
from app.services.mail import delivery as mail_service
from app.services.mail import markdown
from tests.support import (
    PortalClient,
    make_committee,
    make_house,
    make_initiative,
    make_person,
    make_staff,
)
from tests.test_authorization_matrix import all_routes

# The one state-changing page route without the CSRF token: a mail provider's one-click
# unsubscribe (RFC 8058) carries no cookie; the address holds a signed token of its own.
CSRF_EXEMPT = {"POST /unsubscribe/{token}"}


def _directives(header: str) -> dict[str, str]:
    parts = [p.strip() for p in header.split(";") if p.strip()]
    return {p.split(" ", 1)[0]: (p.split(" ", 1) + [""])[1] for p in parts}


@pytest.mark.parametrize("path", ["/login", "/healthz", "/api/v1/houses", "/static/app.css"])
def test_security_headers_on_every_kind_of_answer(client, path):
    response = client.get(path)
    csp = _directives(response.headers["content-security-policy"])
    assert "'unsafe-inline'" not in csp.get("script-src", csp["default-src"])
    assert "'unsafe-eval'" not in csp.get("script-src", csp["default-src"])
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] in ("same-origin", "strict-origin-when-cross-origin")
    assert response.headers["x-frame-options"] == "DENY"
    # Plain HTTP (a developer's machine, a proxy's inside): no HSTS.
    assert "strict-transport-security" not in response.headers


def test_hsts_only_over_tls(app):
    with PortalClient(app) as plain:
        assert "strict-transport-security" not in plain.get("/login").headers
    tls = PortalClient(app)
    tls.base_url = tls.base_url.copy_with(scheme="https")  # type: ignore[assignment]
    with tls:
        response = tls.get("/login")
        assert response.headers["strict-transport-security"].startswith("max-age=")
        assert int(response.headers["strict-transport-security"].split("=")[1]) >= 15552000


def test_login_replaces_a_session_id_planted_before_it(client, session):
    person = make_person(session, password="oikea-salasana-123")
    client.cookies.set(SESSION_COOKIE, "planted-by-an-attacker-0123456789")
    response = client.submit("/login", {"email": person.email, "password": "oikea-salasana-123"})
    assert response.status_code == 303
    issued = response.cookies.get(SESSION_COOKIE)
    assert issued and issued != "planted-by-an-attacker-0123456789"
    stored = session.exec(select(LoginSession).where(LoginSession.person_id == person.id)).one()
    assert stored.token_hash == token_hash(issued)


def test_logout_ends_the_session_on_the_server(app, client, session):
    person = make_person(session, password="oikea-salasana-123")
    client.submit("/login", {"email": person.email, "password": "oikea-salasana-123"})
    token = client.cookies.get(SESSION_COOKIE)
    assert client.get("/account").status_code == 200
    client.submit("/logout")
    # A copy of the old cookie (kept by an attacker, or a second tab) is worth nothing.
    with PortalClient(app) as replay:
        replay.cookies.set(SESSION_COOKIE, str(token))
        response = replay.get("/account")
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")
    assert session.exec(select(LoginSession).where(LoginSession.person_id == person.id)).all() == []


def _state_changing_page_routes() -> list[tuple[str, str]]:
    """Every page route (not the bearer-token API) that changes something."""
    routes = []
    for entry in all_routes():
        method, path = entry.split(" ", 1)
        if method not in ("GET", "HEAD", "OPTIONS") and not path.startswith("/api/"):
            routes.append((method, path))
    return routes


def test_every_state_changing_page_refuses_a_form_without_the_csrf_token(app, client, session):
    admin = make_staff(session, StaffKind.admin)
    client.login_as(session, admin)
    client.csrf()  # the cookie is there; only the form's copy is missing
    routes = _state_changing_page_routes()
    assert len(routes) > 30
    exempt = set()
    for method, path in routes:
        url = re.sub(r"\{[^}]+\}", "1", path)
        response = client.request(method, url, data={"name": "x"})
        if f"{method} {path}" in CSRF_EXEMPT:
            exempt.add(f"{method} {path}")
            assert response.status_code != 403 or "csrf" not in response.text
            continue
        assert response.status_code == 403, (method, path, response.status_code)
        # A wrong token and a header-only forgery are refused as well.
        wrong = client.request(method, url, data={"csrf_token": "x" * 43})
        assert wrong.status_code == 403, (method, path)
    assert exempt == CSRF_EXEMPT


def test_a_form_without_the_csrf_cookie_is_refused(app, session):
    person = make_person(session, password="oikea-salasana-123")
    with PortalClient(app) as fresh:
        response = fresh.post(
            "/login", data={"email": person.email, "password": "oikea-salasana-123"}
        )
        assert response.status_code == 403
        assert CSRF_COOKIE in response.headers.get("set-cookie", "")


def test_an_upload_is_judged_by_its_bytes_not_its_name(session):
    house = make_house(session)
    chair = make_person(session)
    make_committee(session, house, [(chair, Position.chair)])
    initiative = make_initiative(session, chair, house)
    principal = load_principal(session, chair, today())
    disguised = b"<!doctype html><script>alert(document.cookie)</script>"
    for name in ("minutes.pdf", "photo.png", "notes.txt.html"):
        with pytest.raises(ValidationFailed) as refused:
            attachments_service.store(session, initiative, principal, name, io.BytesIO(disguised))
        assert "file" in refused.value.errors


@pytest.mark.parametrize(
    "subject",
    [
        "Kokous\r\nBcc: victim@example.com",
        "Kokous\nBcc: victim@example.com",
        "Kokous\rBcc: victim@example.com",
        "Kokous\r\n\r\n<script>alert(1)</script>",
    ],
)
def test_a_subject_with_line_breaks_adds_no_header(session, subject):
    person = make_person(session, name="Eve\r\nBcc: victim@example.com")
    delivery = Delivery(
        message_key="injection-test",
        recipient=person.email,
        person_id=person.id,
        subject=subject,
        body_text="body",
        body_html="",
    )
    message = mail_service.build_message(delivery, get_settings())
    raw = message.as_bytes()
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["Bcc"] is None
    assert "\r" not in str(parsed["Subject"]) and "\n" not in str(parsed["Subject"])
    assert parsed.get_body(("plain",)).get_content().strip() == "body"  # type: ignore[union-attr]
    assert b"\nBcc:" not in raw and b"\r\nBcc:" not in raw


def test_names_with_line_breaks_do_not_reach_mail_headers(session):
    # Mail goes to the address only; a name is never a header. An address with a line break
    # cannot be written as a recipient at all.
    person = make_person(session, name="Eve\r\nBcc: victim@example.com")
    subject, _text, _html = mail_service.render(
        "newsletter",
        "fi",
        person=person,
        newsletter=SimpleNamespace(title="Uutiset\r\nBcc: victim@example.com"),
        title="Uutiset\r\nBcc: victim@example.com",
        title_lang="fi",
        body_lang="fi",
        body_text="",
        body_html="",
        events=[],
        initiatives=[],
        url="https://x/",
        preferences_url="https://x/p",
    )
    assert subject == "Uutiset Bcc: victim@example.com"
    delivery = Delivery(
        message_key="injection-address",
        recipient="eve@example.com\r\nBcc: victim@example.com",
        person_id=person.id,
        subject="Hei",
        body_text="body",
        body_html="",
    )
    with pytest.raises(ValueError):
        mail_service.build_message(delivery, get_settings()).as_bytes()


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


@pytest.mark.parametrize(
    ("text", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ('<img src=x onerror="alert(1)">', "<img"),
        ("[click](javascript:alert(1))", "javascript:"),
        ("[click](JaVaScRiPt:alert(1))", "javascript:"),
        ("[click](data:text/html;base64,PHNjcmlwdD4=)", "data:"),
        ("![pixel](https://tracker.example/p.gif)", "<img"),
        ('<a href="https://x" onclick="alert(1)">x</a>', "onclick"),
        ("<iframe src=https://evil.example></iframe>", "<iframe"),
        ("<style>body{display:none}</style>", "<style"),
    ],
)
def test_markdown_lets_nothing_run(text, forbidden):
    # Typed HTML shows as text; a link to anything but the web or mail is no link. Checked on
    # the elements and attributes that come out, in the Markdown and in raw HTML alike.
    for html in (str(markdown.to_html(text)), markdown.sanitise(text)):
        elements = _Elements()
        elements.feed(html)
        for tag, attributes in elements.found:
            assert tag in markdown.ALLOWED_TAGS, html
            for name, value in attributes:
                assert name in {"href", "title", "start", "rel"}, html
                if name == "href":
                    assert (value or "").startswith(("http://", "https://", "mailto:")), html
        assert forbidden not in "".join(str(a) for _t, a in elements.found).lower()


def test_markdown_keeps_ordinary_markup():
    html = str(markdown.to_html("# Otsikko\n\n**tärkeä** [linkki](https://haso.fi)"))
    assert "<h2>Otsikko</h2>" in html
    assert "<strong>tärkeä</strong>" in html
    assert '<a href="https://haso.fi"' in html


def test_attachments_exports_feeds_and_tokens_are_in_the_authorization_matrix():
    from tests.test_authorization_matrix import MATRIX

    kinds = {
        "attachments": r"/attachments",
        "CSV exports": r"\.csv$",
        "ICS feeds": r"\.ics$",
        "API tokens": r"/tokens",
    }
    routes = all_routes()
    for kind, pattern in kinds.items():
        found = [r for r in routes if re.search(pattern, r)]
        assert found, kind
        # Each has a rule of who may pass its guard: none is waved through as unguarded.
        assert [r for r in found if r not in MATRIX] == [], kind
