"""The front page, health check, security headers and the language switcher."""

from app.models.people import Language
from tests.support import make_chair, make_house, make_person, make_resident


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
