"""Login sessions, one-time login links, login attempts and API tokens."""

import enum
from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models.types import StrEnumType, UTCDateTime, utcnow


class LoginSession(SQLModel, table=True):
    """A browser session; the cookie holds a random token, the table only its hash."""

    __tablename__ = "login_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    method: str = Field(max_length=20)  # password, link, oidc


class LoginLink(SQLModel, table=True):
    """A one-time login link sent by mail: single use, short-lived."""

    __tablename__ = "login_link"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LoginAttempt(SQLModel, table=True):
    """A login attempt, kept for rate limiting per address and per account."""

    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    ip: str = Field(max_length=64, index=True)
    email: str = Field(max_length=320, index=True)
    succeeded: bool = False


class TokenKind(enum.StrEnum):
    """Why a bearer token exists."""

    access = "access"  # OAuth2 password flow, short-lived
    personal = "personal"  # personal access token for an integration, with scopes


class ApiToken(SQLModel, table=True):
    """A bearer token for the JSON API; only its hash is stored."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    kind: TokenKind = Field(sa_type=StrEnumType(TokenKind, 16))
    name: str = Field(default="", max_length=100)
    scopes: str = Field(default="", max_length=500)  # space-separated
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ApiTokenCreate(SQLModel):
    """Input for a personal access token."""

    name: str = Field(min_length=1, max_length=100)
    scopes: list[str] = []
    expires_in_days: int = Field(default=90, ge=1, le=730)


class ApiTokenPublic(SQLModel):
    """A token as listed to its owner (never the secret)."""

    id: int
    name: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiTokenIssued(ApiTokenPublic):
    """A new token, with its secret shown this once."""

    token: str
