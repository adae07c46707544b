"""The front page, health check, security headers and the language switcher."""

from markupsafe import escape

from app.models.initiatives import Notification, State
from app.models.people import Language
from app.services.initiatives import lifecycle
from tests.support import (
    fi,
    make_chair,
    make_house,
    make_initiative,
    make_person,
    make_resident,
)


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


def test_front_page_shows_house_and_roles(client, session):
    house = make_house(session, name="Kalasataman Helmi")
    chair = make_chair(session, house)
    client.login_as(session, chair)
    page = client.get("/", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "Kalasataman Helmi" in page.text
    assert page.text.count("<h1") == 1


def test_language_follows_browser_then_switcher_then_person(client, session):
    assert 'lang="sv"' in client.get("/login", headers={"Accept-Language": "sv-FI,sv;q=0.9"}).text
    assert 'lang="fi"' in client.get("/login", headers={"Accept-Language": "de"}).text
    client.submit("/language", {"language": "en", "next": "/login"})
    assert 'lang="en"' in client.get("/login", headers={"Accept-Language": "sv"}).text
    person = make_person(session, language=Language.sv)
    client.login_as(session, person)
    assert 'lang="sv"' in client.get("/").text


def test_switcher_remembers_choice_on_the_person(client, session):
    house = make_house(session)
    person = make_resident(session, house)
    client.login_as(session, person)
    client.submit("/language", {"language": "en", "next": "/"})
    session.refresh(person)
    assert person.language == Language.en


def test_outbox_exists_only_in_debug_and_only_for_this_machine(app, monkeypatch, settings):
    from fastapi.testclient import TestClient

    local = TestClient(app, client=("127.0.0.1", 50000))
    remote = TestClient(app, client=("203.0.113.9", 50000))
    assert local.get("/dev/outbox").status_code == 404
    monkeypatch.setattr(settings, "debug", True)
    assert local.get("/dev/outbox").status_code == 200
    assert remote.get("/dev/outbox").status_code == 404


def test_unknown_page_is_404_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "<h1>" in response.text


def test_front_page_shows_only_notifications_of_initiatives_still_visible(client, session):
    house_a, house_b = make_house(session), make_house(session)
    chair = make_chair(session, house_a)
    resident = make_resident(session, house_a)
    seen = make_initiative(session, chair, house_a, State.received, title="Näkyvä aloite")
    other = make_initiative(session, chair, house_b, State.received, title="Vieraan talon")
    for initiative in (seen, other):
        session.add(Notification(person_id=resident.id, initiative_id=initiative.id))
    session.commit()
    page = client.login_as(session, resident).get("/")
    assert f'href="/initiatives/{seen.id}">Näkyvä aloite</a>' in page.text
    assert str(escape(fi(lifecycle.STATE_LABELS[State.received]))) in page.text
    # Someone who has moved out keeps the row, but the title of another house stays hidden.
    assert "Vieraan talon" not in page.text


def test_front_page_reminds_of_an_unsubmitted_draft(client, session):
    house = make_house(session)
    chair = make_chair(session, house)
    draft = make_initiative(session, chair, house, State.draft, title="Keskeneräinen")
    session.commit()
    page = client.login_as(session, chair).get("/")
    message = fi("Your draft “%(title)s” has not been submitted yet", title="Keskeneräinen")
    assert str(escape(message)) in page.text
    assert f'href="/initiatives/{draft.id}"' in page.text
    assert fi("No news: you have seen every change.") in page.text


def test_favicon(client):
    """The icon the pages name, and /favicon.ico (asked for by browsers) leading to it."""
    response = client.get("/favicon.ico", follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"] == "/static/favicon.svg"
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert '<link rel="icon" href="/static/favicon.svg"' in client.get("/login").text
