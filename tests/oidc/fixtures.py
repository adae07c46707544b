"""A real OpenID Connect provider (npm oidc-provider on Node.js) on loopback, and a driver that
logs in at it by following its login and consent forms with httpx, as a browser would."""

import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest

from app.config import ROOT
from app.services.accounts import oidc as oidc_service

SCRIPT = Path(__file__).with_name("provider.mjs")
PORTAL = "http://testserver"  # the TestClient's origin: the registered redirect URI's
CLIENT_ID = "asukasportaali"
CLIENT_SECRET = "a-client-secret-for-the-tests-only-0123456789"
KID = "provider-key-1"

# Accounts at the provider; the tests create portal persons with the matching emails.
ACCOUNTS = {
    "staff": {
        "sub": "sub-staff-1",
        "password": "staff-password",
        "email": "sso.staff@haso.example",
        "email_verified": True,
        "name": "Sanna Staff",
    },
    "resident": {
        "sub": "sub-resident-1",
        "password": "resident-password",
        "email": "sso.resident@haso.example",
        "email_verified": True,
        "name": "Risto Resident",
    },
    "unknown": {
        "sub": "sub-unknown-1",
        "password": "unknown-password",
        "email": "nobody.here@elsewhere.example",
        "email_verified": True,
        "name": "Unknown",
    },
    "unverified": {
        "sub": "sub-unverified-1",
        "password": "unverified-password",
        "email": "sso.unverified@haso.example",
        "email_verified": False,
        "name": "Unverified",
    },
}


@dataclass
class Provider:
    """A running provider: its issuer and its private signing key (for re-signing tokens)."""

    issuer: str
    key: Any  # authlib RSAKey, private
    process: subprocess.Popen[str] = field(repr=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _missing() -> str | None:
    if shutil.which("node") is None:
        return "Node.js (node) is not installed"
    if not (ROOT / "node_modules" / "oidc-provider").is_dir():
        return "node_modules/oidc-provider is missing: run `npm ci`"
    return None


@pytest.fixture(scope="session", name="oidc_provider")
def oidc_provider_fixture() -> Iterator[Provider]:
    """Start the provider once for the test session."""
    missing = _missing()
    if missing:
        if os.environ.get("PORTAL_REQUIRE_OIDC") == "1":
            pytest.fail(f"single sign-on tests need a provider: {missing}")
        pytest.skip(f"single sign-on tests skipped: {missing}")
    from authlib.jose import JsonWebKey

    key = JsonWebKey.generate_key("RSA", 2048, is_private=True, options={"kid": KID})
    port = _free_port()
    config = {
        "port": port,
        "jwks": {"keys": [{**key.as_dict(is_private=True), "use": "sig", "alg": "RS256"}]},
        "clients": [
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [f"{PORTAL}/login/sso/callback"],
                "post_logout_redirect_uris": [f"{PORTAL}/login"],
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
                "token_endpoint_auth_method": "client_secret_basic",
            }
        ],
        "accounts": ACCOUNTS,
    }
    folder = Path(tempfile.mkdtemp(prefix="oidc-provider-"))
    (folder / "config.json").write_text(json.dumps(config))
    node = shutil.which("node")
    assert node is not None
    process = subprocess.Popen(  # noqa: S603 (our own script, our own arguments)
        [node, str(SCRIPT), str(folder / "config.json")],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    said = []
    for line in process.stdout:  # warnings first, then "ready <issuer>"
        said.append(line)
        if line.startswith("ready ") or len(said) > 50:
            break
    if not said or not said[-1].startswith("ready "):
        process.kill()
        pytest.fail(f"the provider did not start: {''.join(said)}")
    # Keep reading what it says so that a full pipe never blocks it.
    threading.Thread(target=process.stdout.read, daemon=True).start()
    try:
        yield Provider(issuer=line.split()[1], key=key, process=process)
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(name="sso")
def sso_fixture(
    oidc_provider: Provider, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> Provider:
    """The portal configured for the provider (single sign-on for staff)."""
    monkeypatch.setattr(settings, "base_url", PORTAL)
    monkeypatch.setattr(settings, "oidc_issuer", oidc_provider.issuer)
    monkeypatch.setattr(settings, "oidc_client_id", CLIENT_ID)
    monkeypatch.setattr(settings, "oidc_client_secret", CLIENT_SECRET)
    monkeypatch.setattr(settings, "oidc_provider_name", "Haso ID")
    monkeypatch.setattr(settings, "oidc_allowed", "staff")
    oidc_service.clear_cache()
    yield oidc_provider
    oidc_service.clear_cache()


class _Form(HTMLParser):
    """The first form of a page: its action and its hidden fields."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = a.get("action") or ""
        elif tag == "input" and a.get("type") == "hidden" and a.get("name"):
            self.fields[str(a["name"])] = a.get("value") or ""


def submit_form(browser: httpx.Client, url: str, html: str, **values: str) -> httpx.Response:
    """Post a page's form with its hidden fields and the given values."""
    form = _Form()
    form.feed(html)
    assert form.action is not None, f"no form on {url}: {html[:500]}"
    return browser.post(urljoin(url, form.action), data={**form.fields, **values})


def follow_to_portal(
    browser: httpx.Client, url: str, account: str, password: str | None = None
) -> str:
    """Go through the provider's pages (login, consent) until it sends the browser back to
    the portal; returns that address."""
    login = ACCOUNTS[account]
    for _ in range(20):
        if url.startswith(PORTAL):
            return url
        response = browser.get(url)
        if response.status_code in (302, 303):
            url = urljoin(url, response.headers["location"])
            continue
        assert response.status_code == 200, f"{url}: {response.status_code} {response.text[:500]}"
        if 'name="login"' in response.text:
            response = submit_form(
                browser,
                url,
                response.text,
                login=account,
                password=password if password is not None else str(login["password"]),
            )
        else:
            response = submit_form(browser, url, response.text)
        assert response.status_code in (302, 303), f"{response.status_code} {response.text[:500]}"
        url = urljoin(url, response.headers["location"])
    raise AssertionError("the provider never sent the browser back")


def resign(provider: Provider, id_token: str, change: Callable[[dict[str, Any]], None]) -> str:
    """The provider's ID token with changed claims, signed again with the provider's own key."""
    from authlib.jose import JsonWebToken

    jwt = JsonWebToken(["RS256"])
    claims = dict(jwt.decode(id_token, provider.key))
    change(claims)
    return jwt.encode({"alg": "RS256", "kid": KID}, claims, provider.key).decode()


class TokenTamperer(httpx.HTTPTransport):
    """Passes every request to the real provider but changes the ID token in the token
    endpoint's answer, as an attacker between the portal and the provider would."""

    def __init__(self, change: Callable[[str], str]) -> None:
        super().__init__()
        self.change = change

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.url.path != "/token" or response.status_code != 200:
            return response
        response.read()
        data = response.json()
        data["id_token"] = self.change(data["id_token"])
        return httpx.Response(200, json=data, request=request)
