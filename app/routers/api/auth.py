"""API authentication: OAuth2 password flow, the current person, personal access tokens."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from app import policies
from app.deps import ApiUser, SessionDep, SettingsDep
from app.models.auth import ApiToken, ApiTokenCreate, ApiTokenIssued, ApiTokenPublic, TokenKind
from app.models.people import PersonPrivate
from app.models.types import utcnow
from app.services.accounts import auth as auth_service

router = APIRouter(prefix="/api/v1", tags=["auth"])


class TokenAnswer(BaseModel):
    """The OAuth2 token response."""

    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int


class Me(BaseModel):
    """The caller and their roles."""

    person: PersonPrivate
    roles: list[str]
    resident_of: list[int]
    committee_of: list[int]
    chair_of: list[int]
    manager_of: list[int]
    scopes: list[str] | None


def _public(token: ApiToken) -> ApiTokenPublic:
    assert token.id is not None
    return ApiTokenPublic(
        id=token.id,
        name=token.name,
        scopes=token.scopes.split(),
        created_at=token.created_at,
        expires_at=token.expires_at,
        last_used_at=token.last_used_at,
        revoked_at=token.revoked_at,
    )


@router.post("/auth/token", response_model=TokenAnswer)
def token(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> TokenAnswer:
    """Exchange email (as username) and password for a short-lived bearer token."""
    ip = request.client.host if request.client else "unknown"
    try:
        person = auth_service.authenticate(session, settings, form.username, form.password, ip)
    except auth_service.RateLimited as exc:
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, detail=str(exc)) from exc
    if person is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="Invalid email or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    minutes = settings.access_token_minutes
    secret, _token = auth_service.issue_token(
        session, person, TokenKind.access, expires_at=utcnow() + timedelta(minutes=minutes)
    )
    return TokenAnswer(access_token=secret, expires_in=minutes * 60)


def _only_the_owner(user: ApiUser) -> None:
    # Token management needs the owner's own login, never an integration's token.
    if user.scopes is not None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail="A token cannot manage tokens")


@router.get("/me", response_model=Me)
def me(user: ApiUser) -> Me:
    """Who the token belongs to, and their roles."""
    if not policies.has_scope(user, "read"):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    person = user.person
    assert person.id is not None
    return Me(
        person=PersonPrivate(
            id=person.id,
            name=person.name,
            language=person.language,
            email=person.email,
            phone=person.phone,
            birth_date=person.birth_date,
        ),
        roles=user.role_names(),
        resident_of=sorted(user.resident_of),
        committee_of=sorted(user.committee_of),
        chair_of=sorted(user.chair_of),
        manager_of=sorted(user.manager_of),
        scopes=sorted(user.scopes) if user.scopes is not None else None,
    )


@router.get("/me/tokens", response_model=list[ApiTokenPublic])
def list_tokens(session: SessionDep, user: ApiUser) -> list[ApiTokenPublic]:
    """The caller's personal access tokens."""
    _only_the_owner(user)
    return [_public(t) for t in auth_service.list_tokens(session, user.id)]


@router.post("/me/tokens", response_model=ApiTokenIssued, status_code=201)
def create_token(session: SessionDep, user: ApiUser, data: ApiTokenCreate) -> ApiTokenIssued:
    """A personal access token with scopes, for an integration; the secret is shown once."""
    _only_the_owner(user)
    expires = utcnow() + timedelta(days=data.expires_in_days)
    secret, token_row = auth_service.issue_token(
        session,
        user.person,
        TokenKind.personal,
        name=data.name,
        scopes=data.scopes,
        expires_at=expires,
    )
    return ApiTokenIssued(**_public(token_row).model_dump(), token=secret)


@router.delete("/me/tokens/{token_id}", status_code=204)
def revoke_token(session: SessionDep, user: ApiUser, token_id: int) -> None:
    """Revoke one of the caller's tokens."""
    _only_the_owner(user)
    if not auth_service.revoke_token(session, user.id, token_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND)
