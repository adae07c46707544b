"""Single sign-on with OpenID Connect: the authorization code flow with PKCE (S256).

The provider's endpoints and keys come from its discovery document (cached). A login keeps its
state (only a hash), nonce and PKCE verifier in the database and is used once; the ID token is
validated with authlib against the provider's JWKS (signature, issuer, audience, expiry, nonce).
Persons are matched by the stored (issuer, subject) link, or else by a verified email, which
then links the identity. Nothing here knows about HTTP frameworks: the caller passes an httpx
client.
"""

# Over 400 lines on purpose: one login's flow (discovery, state, PKCE, token checks, matching
# the person) read in one place is what a security review of single sign-on needs.

import hmac
import logging
import time
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.config import Settings
from app.i18n import _
from app.models.auth import LoginSession
from app.models.people import Person
from app.models.sso import SsoIdentity, SsoLogin, SsoSession
from app.models.types import utcnow
from app.security import token_hash
from app.services.access.roles import load_principal
from app.services.accounts import auth as auth_service
from app.services.platform import audit

with warnings.catch_warnings():
    # authlib.jose is deprecated in favour of joserfc but stays until authlib 2.0.
    warnings.simplefilter("ignore")
    from authlib.jose import JsonWebKey, JsonWebToken
    from authlib.jose.errors import JoseError
    from authlib.oidc.core import CodeIDToken
from joserfc.errors import JoseError as RfcJoseError

# authlib parses and verifies signatures itself but validates claims with joserfc (its successor).
TOKEN_ERRORS = (JoseError, RfcJoseError)

log = logging.getLogger(__name__)

LOGIN_MINUTES = 10  # a login started at the provider must come back within this
CACHE_SECONDS = 3600  # discovery document and keys are read again after this
LEEWAY_SECONDS = 60  # clock skew allowed between the portal and the provider
# Asymmetric signatures only: "none" and HMAC (keyed with the client secret) are refused.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]

_cache: dict[str, tuple[float, dict[str, Any]]] = {}
_http: httpx.Client | None = None


class SsoError(Exception):
    """A login that cannot go on; the message is for the user, the reason for the log."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass
class SsoResult:
    """A person logged in by the provider, with the ID token for logging out there."""

    person: Person
    issuer: str
    id_token: str


def enabled(settings: Settings) -> bool:
    """Single sign-on is configured."""
    return bool(settings.oidc_issuer and settings.oidc_client_id)


def redirect_uri(settings: Settings) -> str:
    """Where the provider sends the browser back; registered at the provider."""
    return settings.base_url.rstrip("/") + "/login/sso/callback"


def post_logout_uri(settings: Settings) -> str:
    """Where the provider sends the browser after logging out there."""
    return settings.base_url.rstrip("/") + "/login"


def http_client() -> httpx.Client:
    """The process-wide HTTP client for talking to the provider (a route dependency)."""
    global _http
    if _http is None:
        _http = httpx.Client(timeout=10, follow_redirects=False)
    return _http


def clear_cache() -> None:
    """Forget discovery documents and keys (tests, or after the provider rotated keys)."""
    _cache.clear()


def _get_json(http: httpx.Client, url: str, refresh: bool = False) -> dict[str, Any]:
    cached = _cache.get(url)
    if cached and not refresh and cached[0] > time.monotonic():
        return cached[1]
    try:
        response = http.get(url, timeout=10)
        response.raise_for_status()
        data = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise SsoError(_unavailable(), f"cannot read {url}: {exc}") from exc
    if not isinstance(data, dict):
        raise SsoError(_unavailable(), f"{url} is not a JSON object")
    _cache[url] = (time.monotonic() + CACHE_SECONDS, data)
    return data


def _unavailable() -> str:
    return _("The identity service cannot be reached. Please try again later or log in otherwise.")


def metadata(settings: Settings, http: httpx.Client) -> dict[str, Any]:
    """The provider's discovery document, checked to be the configured issuer's own."""
    issuer = settings.oidc_issuer.rstrip("/")
    data = _get_json(http, issuer + "/.well-known/openid-configuration")
    if data.get("issuer", "").rstrip("/") != issuer:
        raise SsoError(_unavailable(), f"discovery names issuer {data.get('issuer')!r}")
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(data.get(key), str):
            raise SsoError(_unavailable(), f"discovery lacks {key}")
    return data


def start_login(
    session: Session,
    settings: Settings,
    http: httpx.Client,
    next_url: str = "/",
    now: datetime | None = None,
) -> tuple[str, str]:
    """Begin a login: returns the provider's authorization URL and the state for the cookie."""
    now = now or utcnow()
    meta = metadata(settings, http)
    session.execute(
        delete(SsoLogin).where(col(SsoLogin.created_at) < now - timedelta(minutes=LOGIN_MINUTES))
    )
    state = generate_token(43)
    nonce = generate_token(43)
    verifier = generate_token(64)
    session.add(
        SsoLogin(
            state_hash=token_hash(state),
            nonce=nonce,
            code_verifier=verifier,
            next_url=next_url[:2000],
            created_at=now,
        )
    )
    session.flush()
    query = urlencode(
        {
            "response_type": "code",
            "client_id": settings.oidc_client_id,
            "redirect_uri": redirect_uri(settings),
            "scope": settings.oidc_scopes,
            "state": state,
            "nonce": nonce,
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        }
    )
    endpoint = meta["authorization_endpoint"]
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}", state


def _refused() -> str:
    return _("The login could not be completed. Please start again.")


def _take_login(session: Session, cookie_state: str, state: str, now: datetime) -> SsoLogin:
    """The pending login the browser started, consumed so that a state works once."""
    if not state or not cookie_state or not hmac.compare_digest(state, cookie_state):
        raise SsoError(_refused(), "state does not match the browser's")
    pending = session.exec(select(SsoLogin).where(SsoLogin.state_hash == token_hash(state))).first()
    if pending is None:
        raise SsoError(_refused(), "state unknown or already used")
    session.delete(pending)
    session.flush()
    if pending.created_at < now - timedelta(minutes=LOGIN_MINUTES):
        raise SsoError(_refused(), "login started too long ago")
    return pending


def _tokens(
    settings: Settings, http: httpx.Client, meta: dict[str, Any], code: str, verifier: str
) -> dict[str, Any]:
    try:
        response = http.post(
            meta["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri(settings),
                "code_verifier": verifier,
            },
            auth=(settings.oidc_client_id, settings.oidc_client_secret),
            headers={"Accept": "application/json"},
            timeout=10,
        )
        data = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise SsoError(_unavailable(), f"token request failed: {exc}") from exc
    if response.status_code != 200 or not isinstance(data, dict) or "id_token" not in data:
        raise SsoError(_refused(), f"token endpoint answered {response.status_code}: {data}")
    return data


def validate_id_token(
    settings: Settings,
    http: httpx.Client,
    id_token: str,
    nonce: str,
    access_token: str | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    """The ID token's claims, verified: signature by the provider's keys, issuer, audience,
    expiry and issue time, nonce (and at_hash when the token has one)."""
    meta = metadata(settings, http)
    options = {
        "iss": {"essential": True, "value": meta["issuer"]},
        "aud": {"essential": True, "value": settings.oidc_client_id},
        "exp": {"essential": True},
        "iat": {"essential": True},
        "sub": {"essential": True},
        "nonce": {"essential": True},
    }
    params = {"nonce": nonce, "client_id": settings.oidc_client_id}
    if access_token:
        params["access_token"] = access_token
    jwt = JsonWebToken(ALGORITHMS)
    claims = None
    for refresh in (False, True):  # a key not found may be a rotated one: read the keys again
        keys = JsonWebKey.import_key_set(_get_json(http, meta["jwks_uri"], refresh=refresh))
        try:
            claims = jwt.decode(
                id_token, keys, claims_cls=CodeIDToken, claims_options=options, claims_params=params
            )
            break
        except ValueError as exc:  # authlib: no key with the token's kid
            if refresh:
                raise SsoError(_refused(), f"ID token: {exc}") from exc
        except TOKEN_ERRORS as exc:
            raise SsoError(_refused(), f"ID token: {exc}") from exc
    assert claims is not None
    try:
        claims.validate(now=int(now if now is not None else time.time()), leeway=LEEWAY_SECONDS)
    except TOKEN_ERRORS as exc:
        raise SsoError(_refused(), f"ID token: {exc}") from exc
    return dict(claims)


def _userinfo(
    http: httpx.Client, meta: dict[str, Any], access_token: str, subject: str
) -> dict[str, Any]:
    """Claims the ID token leaves to the userinfo endpoint (email), for the same subject."""
    endpoint = meta.get("userinfo_endpoint")
    if not endpoint:
        return {}
    try:
        response = http.get(
            endpoint, headers={"Authorization": f"Bearer {access_token}"}, timeout=10
        )
        response.raise_for_status()
        data = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise SsoError(_unavailable(), f"userinfo failed: {exc}") from exc
    if not isinstance(data, dict) or data.get("sub") != subject:
        raise SsoError(_refused(), "userinfo is for another subject")
    return data


def _unknown() -> str:
    return _(
        "Your account at the identity service is not linked to anyone in the portal. "
        "Ask the portal's administrators for help, or log in with your email address."
    )


def _person(session: Session, issuer: str, claims: dict[str, Any], now: datetime) -> Person:
    """The person the identity belongs to: by its link, else by a verified email (linked now)."""
    subject = str(claims["sub"])
    identity = session.exec(
        select(SsoIdentity).where(SsoIdentity.issuer == issuer, SsoIdentity.subject == subject)
    ).first()
    if identity is not None:
        person = session.get(Person, identity.person_id)
        if not auth_service.can_log_in(person):
            raise SsoError(
                _unknown(), f"linked person {identity.person_id} is not active or has no email"
            )
        assert person is not None
        identity.last_login_at = now
        session.add(identity)
        session.flush()
        return person
    email = claims.get("email")
    if not isinstance(email, str) or not email.strip():
        raise SsoError(_unknown(), f"no link and no email for subject {subject}")
    if claims.get("email_verified") is not True:
        raise SsoError(_unknown(), f"email {email} of subject {subject} is not verified")
    found = auth_service.person_by_email(session, email)
    if found is None:
        raise SsoError(_unknown(), f"no active person with email {email} (subject {subject})")
    assert found.id is not None
    identity = SsoIdentity(
        person_id=found.id,
        issuer=issuer,
        subject=subject,
        email=auth_service.normalise_email(email)[:320],
        created_at=now,
        last_login_at=now,
    )
    session.add(identity)
    session.flush()
    audit.record(session, found.id, "create", identity)
    return found


def may_use(session: Session, settings: Settings, person: Person, now: datetime) -> bool:
    """Whether the person's roles let them log in by single sign-on (PORTAL_OIDC_ALLOWED)."""
    if settings.oidc_allowed == "all":
        return True
    principal = load_principal(session, person, now.date())
    return bool(principal.staff) or principal.is_manager


def finish_login(
    session: Session,
    settings: Settings,
    http: httpx.Client,
    cookie_state: str,
    params: dict[str, str],
    now: datetime | None = None,
) -> tuple[SsoResult, str]:
    """Complete a login from the provider's answer; returns the result and where to go next.

    Raises SsoError (logged with its reason) when anything is wrong."""
    now = now or utcnow()
    try:
        pending = _take_login(session, cookie_state, params.get("state", ""), now)
        if params.get("error"):
            raise SsoError(_refused(), f"provider answered error {params['error']!r}")
        code = params.get("code", "")
        if not code:
            raise SsoError(_refused(), "no code")
        meta = metadata(settings, http)
        tokens = _tokens(settings, http, meta, code, pending.code_verifier)
        access_token = tokens.get("access_token")
        claims = validate_id_token(
            settings,
            http,
            tokens["id_token"],
            pending.nonce,
            access_token if isinstance(access_token, str) else None,
            now=now.timestamp(),
        )
        if "email" not in claims and isinstance(access_token, str):
            info = _userinfo(http, meta, access_token, str(claims["sub"]))
            claims.update({k: info[k] for k in ("email", "email_verified") if k in info})
        person = _person(session, meta["issuer"], claims, now)
        if not may_use(session, settings, person, now):
            raise SsoError(
                _(
                    "Your role does not allow logging in with %(provider)s. Log in otherwise.",
                    provider=settings.oidc_provider_name,
                ),
                f"person {person.id} may not use single sign-on ({settings.oidc_allowed})",
            )
    except SsoError as exc:
        log.warning("single sign-on refused: %s", exc.reason)
        raise
    log.info("single sign-on: person %s logged in as %s", person.id, claims["sub"])
    return SsoResult(person, meta["issuer"], tokens["id_token"]), pending.next_url


def remember_session(session: Session, login_token: str, result: SsoResult) -> None:
    """Keep the ID token with the portal session that the login started."""
    login = session.exec(
        select(LoginSession).where(LoginSession.token_hash == token_hash(login_token))
    ).one()
    assert login.id is not None
    session.add(
        SsoSession(login_session_id=login.id, issuer=result.issuer, id_token=result.id_token)
    )
    session.flush()


def logout_url(
    session: Session, settings: Settings, http: httpx.Client, login_token: str
) -> str | None:
    """The provider's logout address for a session started by single sign-on, if it has one
    (RP-initiated logout with id_token_hint); call before the portal session ends."""
    row = session.exec(
        select(SsoSession)
        .join(LoginSession, col(LoginSession.id) == SsoSession.login_session_id)
        .where(LoginSession.token_hash == token_hash(login_token))
    ).first()
    if row is None or not enabled(settings):
        return None
    try:
        endpoint = metadata(settings, http).get("end_session_endpoint")
    except SsoError as exc:
        log.warning("single sign-on logout at the provider skipped: %s", exc.reason)
        return None
    if not isinstance(endpoint, str) or not endpoint:
        return None
    query = urlencode(
        {
            "id_token_hint": row.id_token,
            "post_logout_redirect_uri": post_logout_uri(settings),
            "client_id": settings.oidc_client_id,
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
