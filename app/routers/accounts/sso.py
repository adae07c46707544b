"""Single sign-on pages: the login's start at the identity provider and its return."""

from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from app.config import get_settings
from app.deps import SESSION_COOKIE, SessionDep, SettingsDep
from app.services.accounts import auth as auth_service
from app.services.accounts import oidc as oidc_service
from app.templating import render, templates

router = APIRouter()

STATE_COOKIE = "portal_sso_state"
HttpDep = Annotated[httpx.Client, Depends(oidc_service.http_client)]


def sso_offer() -> dict[str, Any] | None:
    """The login page's single sign-on button (provider's name, whether for staff only), or
    None when single sign-on is off."""
    settings = get_settings()
    if not oidc_service.enabled(settings):
        return None
    return {
        "provider": settings.oidc_provider_name,
        "staff_only": settings.oidc_allowed != "all",
    }


# The login page (app/templates/auth/login.html) shows the button by this.
templates.env.globals["sso_offer"] = sso_offer


def _local(target: str | None) -> str:
    """Only local paths: the login must not send anyone to another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _refused(request: Request, message: str, status_code: int) -> Response:
    response = render(
        request, "auth/sso_refused.html", {"message": message}, status_code=status_code
    )
    response.delete_cookie(STATE_COOKIE, path="/login/sso")
    return response


@router.get("/login/sso", name="sso_login")
def start(
    request: Request, session: SessionDep, settings: SettingsDep, http: HttpDep, next: str = "/"
) -> Response:
    """Send the browser to the identity provider to log in."""
    if not oidc_service.enabled(settings):
        raise HTTPException(404)
    try:
        url, state = oidc_service.start_login(session, settings, http, _local(next))
    except oidc_service.SsoError as exc:
        return _refused(request, str(exc), 503)
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        STATE_COOKIE,
        state,
        max_age=oidc_service.LOGIN_MINUTES * 60,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure or request.url.scheme == "https",
        path="/login/sso",
    )
    return response


@router.get("/login/sso/callback", name="sso_callback")
def callback(
    request: Request, session: SessionDep, settings: SettingsDep, http: HttpDep
) -> Response:
    """The provider's answer: log in the person it vouches for, or say politely why not."""
    if not oidc_service.enabled(settings):
        raise HTTPException(404)
    try:
        result, target = oidc_service.finish_login(
            session,
            settings,
            http,
            request.cookies.get(STATE_COOKIE, ""),
            dict(request.query_params),
        )
    except oidc_service.SsoError as exc:
        return _refused(request, str(exc), 403)
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        auth_service.end_session(session, old)
    token = auth_service.start_session(session, settings, result.person, "oidc")
    oidc_service.remember_session(session, token, result)
    response = RedirectResponse(_local(target), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure or request.url.scheme == "https",
        path="/",
    )
    response.delete_cookie(STATE_COOKIE, path="/login/sso")
    return response
