"""Login and logout pages: password, one-time link by mail, language switcher."""

from typing import Annotated

import httpx
from fastapi import APIRouter, BackgroundTasks, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.engine import Engine

from app.db import get_bind
from app.deps import SESSION_COOKIE, OptionalUser, SessionDep, SettingsDep
from app.i18n import LANGUAGES, _
from app.middleware import LANGUAGE_COOKIE
from app.services.accounts import auth as auth_service
from app.services.accounts import oidc as oidc_service
from app.services.bodies import people as people_service
from app.services.mail import delivery as mail_service
from app.templating import render

router = APIRouter()


def safe_next(target: str | None) -> str:
    """Only local paths: a login link must not send anyone to another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def client_ip(request: Request) -> str:
    """The caller's address, for rate limiting."""
    return request.client.host if request.client else "unknown"


def _logged_in(request: Request, settings: SettingsDep, token: str, target: str) -> Response:
    response = RedirectResponse(safe_next(target), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure or request.url.scheme == "https",
        path="/",
    )
    return response


def _send_mail_after_response(background: BackgroundTasks, bind: Engine) -> None:
    background.add_task(mail_service.send_pending, bind)


@router.get("/login", name="login")
def login_page(request: Request, user: OptionalUser, next: str = "/") -> Response:
    """The login page: a password form and a one-time link form."""
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "auth/login.html", {"next": safe_next(next)})


@router.post("/login")
def login_with_password(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Log in with email and password."""
    errors: dict[str, str] = {}
    if not email.strip():
        errors["email"] = _("Enter your email address.")
    if not password:
        errors["password"] = _("Enter your password.")
    person = None
    if not errors:
        try:
            person = auth_service.authenticate(
                session, settings, email, password, client_ip(request)
            )
        except auth_service.RateLimited as exc:
            errors[""] = str(exc)
        else:
            if person is None:
                errors["password"] = _("The email address or the password is wrong.")
    if person is None:
        return render(
            request,
            "auth/login.html",
            {"errors": errors, "values": {"email": email}, "next": safe_next(next)},
            status_code=429 if "" in errors else 422,
        )
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        auth_service.end_session(session, old)
    token = auth_service.start_session(session, settings, person, "password")
    return _logged_in(request, settings, token, next)


@router.post("/login/link", name="login_link_request")
def request_login_link(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    background: BackgroundTasks,
    bind: Annotated[Engine, Depends(get_bind)],
    link_email: Annotated[str, Form(max_length=320)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Mail a one-time login link; the answer is the same whether the email is known or not."""
    email = link_email.strip()
    values = {"link_email": email}
    if not people_service.looks_like_email(email):
        errors = {"link_email": _("Enter a valid email address.")}
        return render(
            request,
            "auth/login.html",
            {"errors": errors, "values": values, "next": safe_next(next)},
            status_code=422,
        )
    try:
        pending = auth_service.send_login_link(
            session, settings, email, client_ip(request), safe_next(next)
        )
    except auth_service.RateLimited as exc:
        return render(
            request,
            "auth/login.html",
            {"errors": {"": str(exc)}, "values": values, "next": safe_next(next)},
            status_code=429,
        )
    if pending is not None:
        # Written after the answer (the link itself is committed with it): known and unknown
        # addresses get the same answer in the same time.
        background.add_task(auth_service.mail_login_link, bind, settings, pending)
    _send_mail_after_response(background, bind)
    return render(request, "auth/link_sent.html", {"email": email})


@router.get("/login/link/{token}", name="login_link")
def confirm_login_link(request: Request, token: str) -> Response:
    """A page with one button: mail scanners that open links do not spend them."""
    return render(request, "auth/link_confirm.html", {"token": token})


@router.post("/login/link/{token}")
def use_login_link(
    request: Request, session: SessionDep, settings: SettingsDep, token: str
) -> Response:
    """Spend a one-time link and log in."""
    person = auth_service.use_login_link(session, token)
    if person is None:
        return render(request, "auth/link_invalid.html", {}, status_code=400)
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        auth_service.end_session(session, old)
    cookie = auth_service.start_session(session, settings, person, "link")
    return _logged_in(request, settings, cookie, "/")


@router.post("/logout", name="logout")
def logout(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    http: Annotated[httpx.Client, Depends(oidc_service.http_client)],
) -> Response:
    """End the session on the server and in the browser (and at the identity provider when the
    session began there)."""
    token = request.cookies.get(SESSION_COOKIE)
    target = "/login"
    if token:
        target = oidc_service.logout_url(session, settings, http, token) or target
        auth_service.end_session(session, token)
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/language", name="set_language")
def choose_language(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    language: Annotated[str, Form(max_length=5)] = "fi",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """The language switcher: remembered in a cookie and, when logged in, on the person."""
    lang = language if language in LANGUAGES else "fi"
    if user is not None:
        people_service.set_language(session, user.person, lang)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(LANGUAGE_COOKIE, lang, max_age=365 * 86400, samesite="lax", path="/")
    return response
