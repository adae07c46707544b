"""Request dependencies: the database session, the current user, role guards, CSRF."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Annotated, Any, TypeVar

from fastapi import BackgroundTasks, Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer
from sqlmodel import Session

from app import policies
from app.config import Settings, get_settings
from app.db import get_bind, get_session
from app.i18n import set_language
from app.models.types import HELSINKI, utcnow
from app.security import same
from app.services.access.roles import Principal, load_principal
from app.services.accounts import auth as auth_service

F = TypeVar("F", bound=Callable[..., Any])

SESSION_COOKIE = "portal_session"
CSRF_COOKIE = "portal_csrf"
CSRF_FIELD = "csrf_token"
TOKEN_USE_RESOLUTION = timedelta(minutes=1)  # how often an API token's last use is noted

# scope="function": the session commits when the handler returns, before the answer is sent,
# so work done after the answer (mail) sees it and a failed commit is still reported.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings)]

oauth2_scheme = OAuth2PasswordBearer(
    tokenUrl="/api/v1/auth/token", auto_error=False, scheme_name="bearer"
)


def today() -> date:
    """Today in Helsinki: roles and terms follow the local calendar."""
    return utcnow().astimezone(HELSINKI).date()


class LoginRequired(Exception):
    """An anonymous request to a protected page: the app redirects to the login page."""


def _browser_user(request: Request, session: Session) -> Principal | None:
    if "principal" in request.state._state:
        return request.state.principal  # type: ignore[no-any-return]
    principal = None
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        person = auth_service.person_for_session(session, token)
        if person is not None:
            principal = load_principal(session, person, today())
            set_language(person.language.value)
    request.state.principal = principal
    return principal


def get_optional_user(request: Request, session: SessionDep) -> Principal | None:
    """The logged-in person of a page request, or None."""
    return _browser_user(request, session)


def get_current_user(request: Request, session: SessionDep) -> Principal:
    """The logged-in person of a page request; anonymous visitors go to the login page."""
    principal = _browser_user(request, session)
    if principal is None:
        raise LoginRequired()
    return principal


def get_api_user(
    request: Request,
    session: SessionDep,
    background: BackgroundTasks,
    bind: Annotated[Any, Depends(get_bind)],
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> Principal:
    """The person behind a bearer token; 401 without a valid one."""
    found = auth_service.person_for_token(session, token) if token else None
    if found is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="Not authenticated",
            headers={"WWW-Authenticate": "Bearer"},
        )
    person, api_token = found
    principal = load_principal(session, person, today())
    if api_token.kind == "personal":
        principal.scopes = frozenset(api_token.scopes.split())
    # Noted at most once a minute, after the answer in a transaction of its own: a read never
    # waits for, or fails on, this bookkeeping write.
    now = utcnow()
    if api_token.last_used_at is None or now - api_token.last_used_at >= TOKEN_USE_RESOLUTION:
        assert api_token.id is not None
        background.add_task(auth_service.note_token_use, bind, api_token.id, now)
    request.state.principal = principal
    return principal


OptionalUser = Annotated[Principal | None, Depends(get_optional_user)]
CurrentUser = Annotated[Principal, Depends(get_current_user)]
ApiUser = Annotated[Principal, Depends(get_api_user)]


def permit(allowed: bool) -> None:
    """Answer 403 unless a policy allowed it (used by object-loading dependencies)."""
    if not allowed:
        raise HTTPException(status.HTTP_403_FORBIDDEN)


def require(predicate_name: str):  # type: ignore[no-untyped-def]
    """A guard for pages whose permission takes only the user (e.g. can_administer)."""
    predicate = getattr(policies, predicate_name)

    def guard(user: CurrentUser) -> Principal:
        if not predicate(user):
            raise HTTPException(status.HTTP_403_FORBIDDEN)
        return user

    return Depends(guard)


def require_api(predicate_name: str, scope: str = "read"):  # type: ignore[no-untyped-def]
    """The API's guard: the predicate and the token's scope."""
    predicate = getattr(policies, predicate_name)

    def guard(user: ApiUser) -> Principal:
        if not policies.has_scope(user, scope) or not predicate(user):
            raise HTTPException(status.HTTP_403_FORBIDDEN)
        return user

    return Depends(guard)


async def form_data(request: Request) -> dict[str, str]:
    """The posted form's text fields (the CSRF token left out)."""
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str) and k != CSRF_FIELD}


FormData = Annotated[dict[str, str], Depends(form_data)]


def csrf_exempt(endpoint: F) -> F:
    """Mark a route that proves itself without our CSRF token: only a one-click unsubscribe
    (RFC 8058), which a mail provider posts without cookies and whose signed token is the proof."""
    endpoint.csrf_exempt = True  # type: ignore[attr-defined]
    return endpoint


async def verify_csrf(request: Request) -> None:
    """Every state-changing form carries the token from its cookie (double submit)."""
    if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
        return
    if request.url.path.startswith("/api/"):
        return  # bearer tokens, never cookies: no cross-site forgery possible
    if getattr(request.scope.get("endpoint"), "csrf_exempt", False):
        return  # the route checks a signed token of its own (see csrf_exempt)
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not cookie:
        # Refused before the body is read: a forged upload costs the server nothing.
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="csrf")
    sent = request.headers.get("x-csrf-token", "")
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else ""
    if not cookie or not sent or not same(cookie, sent):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="csrf")
