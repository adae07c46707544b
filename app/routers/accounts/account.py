"""My account: my details, my password, my personal access tokens for integrations."""

from datetime import timedelta

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from app.deps import SESSION_COOKIE, CurrentUser, FormData, SessionDep
from app.errors import ValidationFailed
from app.forms import parse
from app.models.auth import ApiTokenCreate, TokenKind
from app.models.types import utcnow
from app.services.access.roles import Principal
from app.services.accounts import auth as auth_service
from app.services.bodies import people as people_service
from app.templating import render

router = APIRouter()


def _page(
    request: Request,
    session: SessionDep,
    user: Principal,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    new_token: str | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "tokens": auth_service.list_tokens(session, user.id),
        "scopes": auth_service.SCOPES,
        "errors": errors or {},
        "values": values or {"expires_in_days": "90"},
        "new_token": new_token,
        "has_password": bool(user.person.password_hash),
        "now": utcnow(),
    }
    return render(request, "account/index.html", context, status_code=status_code)


@router.get("/account", name="account")
def account(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """My details, password and tokens."""
    return _page(request, session, user)


@router.post("/account/password")
def change_password(
    request: Request, session: SessionDep, user: CurrentUser, form: FormData
) -> Response:
    """Set or change my password."""
    try:
        people_service.change_own_password(
            session,
            user.person,
            form.get("current_password", ""),
            form.get("password", ""),
            form.get("password_confirm", ""),
            request.cookies.get(SESSION_COOKIE),
        )
    except ValidationFailed as exc:
        return _page(request, session, user, errors=exc.errors, status_code=422)
    return RedirectResponse("/account?saved=password", status_code=303)


@router.post("/account/tokens")
def create_token(
    request: Request, session: SessionDep, user: CurrentUser, form: FormData
) -> Response:
    """Make a personal access token; its secret is shown on this answer only."""
    scopes = [s for s in auth_service.SCOPES if form.get(f"scope_{s}") == "on"]
    values = dict(form)
    try:
        data = parse(
            ApiTokenCreate,
            {
                "name": form.get("name", "").strip(),
                "scopes": scopes,
                "expires_in_days": form.get("expires_in_days") or None,
            },
        )
        expires = utcnow() + timedelta(days=data.expires_in_days)
        secret, _token = auth_service.issue_token(
            session,
            user.person,
            TokenKind.personal,
            name=data.name,
            scopes=scopes,
            expires_at=expires,
        )
    except ValidationFailed as exc:
        return _page(request, session, user, errors=exc.errors, values=values, status_code=422)
    response = _page(request, session, user, new_token=secret)
    response.headers["Cache-Control"] = "no-store"  # the secret must not stay in any cache
    return response


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(session: SessionDep, user: CurrentUser, token_id: int) -> Response:
    """Revoke one of my tokens (someone else's is not found)."""
    if not auth_service.revoke_token(session, user.id, token_id):
        raise HTTPException(404)
    return RedirectResponse("/account", status_code=303)
