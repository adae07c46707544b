"""Oversized bodies are refused before they are read; forms without a CSRF cookie too."""

from collections.abc import Iterator

from tests.support import fi

MIB = 1024 * 1024


def test_a_declared_oversized_body_is_refused_with_413(client, settings, monkeypatch):
    monkeypatch.setattr(settings, "attachment_max_bytes", 0)
    monkeypatch.setattr(settings, "max_request_bytes", MIB)
    body = b"x" * (MIB + 1)
    page = client.post("/login", content=body, headers={"content-type": "text/plain"})
    assert page.status_code == 413
    assert fi("The request is too large.") in page.text
    api = client.post("/api/v1/auth/token", content=body)
    assert api.status_code == 413
    assert api.json() == {"detail": fi("The request is too large.")}


def test_a_body_without_a_length_is_counted_as_it_arrives(client, settings, monkeypatch):
    monkeypatch.setattr(settings, "attachment_max_bytes", 0)
    monkeypatch.setattr(settings, "max_request_bytes", MIB)
    sent = []

    def chunks() -> Iterator[bytes]:
        for _ in range(40):
            sent.append(1)
            yield b"y" * (64 * 1024)  # 2.5 MiB in all

    response = client.post(
        "/api/v1/auth/token",
        content=chunks(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413


def test_a_body_within_the_limit_passes(client, settings, monkeypatch):
    monkeypatch.setattr(settings, "attachment_max_bytes", 0)
    monkeypatch.setattr(settings, "max_request_bytes", MIB)
    response = client.post(
        "/api/v1/auth/token",
        data={"username": "nobody@example.com", "password": "x" * 1000},
    )
    assert response.status_code == 401


def test_the_limit_never_falls_below_the_attachment_limit(settings, monkeypatch):
    monkeypatch.setattr(settings, "attachment_max_bytes", 10 * MIB)
    monkeypatch.setattr(settings, "max_request_bytes", MIB)
    assert settings.request_limit == 11 * MIB


def test_a_form_without_the_csrf_cookie_is_refused(client):
    client.cookies.clear()
    response = client.post("/initiatives/1/attachments", files={"file": ("a.pdf", b"%PDF-1.4")})
    assert response.status_code == 403
    assert fi("The form has expired") in response.text
