"""Single sign-on: identities at the identity provider linked to persons, pending logins."""

from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel, UniqueConstraint

from app.models.types import UTCDateTime, utcnow


class SsoIdentity(SQLModel, table=True):
    """A person's account at an OpenID Connect provider: (issuer, subject) is unique."""

    __tablename__ = "sso_identity"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    issuer: str = Field(max_length=500)
    subject: str = Field(max_length=255)
    email: str = Field(max_length=320)  # the verified email it was linked by
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SsoLogin(SQLModel, table=True):
    """A login started at the provider: state (hash), nonce and PKCE verifier; used once."""

    __tablename__ = "sso_login"

    id: int | None = Field(default=None, primary_key=True)
    state_hash: str = Field(max_length=64, unique=True)
    nonce: str = Field(max_length=100)
    code_verifier: str = Field(max_length=128)
    next_url: str = Field(default="/", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class SsoSession(SQLModel, table=True):
    """The ID token behind a portal session started by single sign-on, for logging out there."""

    __tablename__ = "sso_session"

    id: int | None = Field(default=None, primary_key=True)
    login_session_id: int = Field(foreign_key="login_session.id", unique=True, ondelete="CASCADE")
    issuer: str = Field(max_length=500)
    id_token: str = Field(sa_type=Text)
