"""Logging in: passwords, one-time links, sessions, rate limits and API tokens."""

from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from app.config import Settings
from app.errors import ValidationFailed
from app.i18n import _
from app.models.auth import ApiToken, LoginAttempt, LoginLink, LoginSession, TokenKind
from app.models.people import Person
from app.models.types import utcnow
from app.security import hash_password, new_token, token_hash, verify_password
from app.services import mail

# Scopes a personal access token may carry.
SCOPES = {
    "read": "Read what the owner may see",
    "write": "Change what the owner may change",
    "import": "Import data as the owner",
}


class RateLimited(Exception):
    """Too many login attempts; try again later."""


def normalise_email(email: str) -> str:
    """Emails are compared case-insensitively: stored trimmed and lower-case."""
    return email.strip().lower()


def person_by_email(session: Session, email: str) -> Person | None:
    """The active person with an email, if any."""
    return session.exec(
        select(Person).where(Person.email == normalise_email(email), col(Person.is_active))
    ).first()


def check_rate(session: Session, settings: Settings, ip: str, email: str) -> None:
    """Refuse when an address or an account has failed too often lately."""
    since = utcnow() - timedelta(minutes=settings.login_attempt_window_minutes)
    failures = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.at >= since, col(LoginAttempt.succeeded).is_(False))
    )
    per_ip = session.exec(failures.where(LoginAttempt.ip == ip)).one()
    per_account = session.exec(failures.where(LoginAttempt.email == normalise_email(email))).one()
    if (
        per_ip >= settings.login_attempts_per_ip
        or per_account >= settings.login_attempts_per_account
    ):
        raise RateLimited(_("Too many login attempts. Please wait a few minutes and try again."))


def note_attempt(session: Session, ip: str, email: str, succeeded: bool) -> None:
    """Record an attempt for rate limiting."""
    session.add(LoginAttempt(ip=ip, email=normalise_email(email)[:320], succeeded=succeeded))
    session.flush()


def authenticate(
    session: Session, settings: Settings, email: str, password: str, ip: str
) -> Person | None:
    """The person whose email and password match, or None; rate-limited."""
    check_rate(session, settings, ip, email)
    person = person_by_email(session, email)
    ok = verify_password(person.password_hash if person else None, password)
    note_attempt(session, ip, email, ok)
    return person if ok else None


def set_password(session: Session, person: Person, password: str) -> None:
    """Give a person a new password."""
    person.password_hash = hash_password(password)
    person.updated_at = utcnow()
    session.add(person)
    session.flush()


def start_session(session: Session, settings: Settings, person: Person, method: str) -> str:
    """A new browser session; returns the cookie value (only its hash is stored)."""
    assert person.id is not None
    token = new_token()
    session.add(
        LoginSession(
            token_hash=token_hash(token),
            person_id=person.id,
            expires_at=utcnow() + timedelta(days=settings.session_days),
            method=method,
        )
    )
    session.flush()
    return token


def person_for_session(session: Session, token: str) -> Person | None:
    """The person behind a session cookie, if the session is alive."""
    row = session.exec(
        select(Person)
        .join(LoginSession, col(LoginSession.person_id) == Person.id)
        .where(
            LoginSession.token_hash == token_hash(token),
            LoginSession.expires_at > utcnow(),
            col(Person.is_active),
        )
    ).first()
    return row


def end_session(session: Session, token: str) -> None:
    """Log out: the session is gone on the server too."""
    session.execute(delete(LoginSession).where(col(LoginSession.token_hash) == token_hash(token)))
    session.flush()


def send_login_link(
    session: Session, settings: Settings, email: str, ip: str, next_url: str = "/"
) -> None:
    """Mail a one-time login link if the email is known; say nothing either way."""
    check_rate(session, settings, ip, email)
    person = person_by_email(session, email)
    note_attempt(session, ip, email, False)  # each request counts toward the limit
    if person is None:
        return
    assert person.id is not None
    token = new_token()
    link = LoginLink(
        token_hash=token_hash(token),
        person_id=person.id,
        expires_at=utcnow() + timedelta(minutes=settings.magic_link_minutes),
    )
    session.add(link)
    session.flush()
    url = f"{settings.base_url.rstrip('/')}/login/link/{token}"
    mail.queue(
        session,
        f"login-link:{link.id}",
        person,
        "login_link",
        url=url,
        minutes=settings.magic_link_minutes,
    )


def use_login_link(session: Session, token: str) -> Person | None:
    """The person a valid, unused link belongs to; the link is spent."""
    link = session.exec(select(LoginLink).where(LoginLink.token_hash == token_hash(token))).first()
    now = utcnow()
    if link is None or link.used_at is not None or link.expires_at <= now:
        return None
    link.used_at = now
    session.add(link)
    session.flush()
    person = session.get(Person, link.person_id)
    return person if person and person.is_active else None


def issue_token(
    session: Session,
    person: Person,
    kind: TokenKind,
    *,
    name: str = "",
    scopes: list[str] | None = None,
    expires_at: datetime | None = None,
) -> tuple[str, ApiToken]:
    """A new bearer token; the secret is returned once and only its hash is kept."""
    assert person.id is not None
    unknown = set(scopes or []) - set(SCOPES)
    if unknown:
        raise ValidationFailed({"scopes": _("Unknown scope: %(scope)s", scope=sorted(unknown)[0])})
    secret = new_token()
    token = ApiToken(
        token_hash=token_hash(secret),
        person_id=person.id,
        kind=kind,
        name=name,
        scopes=" ".join(sorted(set(scopes or []))),
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    return secret, token


def person_for_token(session: Session, secret: str) -> tuple[Person, ApiToken] | None:
    """The person and token behind a bearer secret, if valid."""
    row = session.exec(
        select(Person, ApiToken)
        .join(ApiToken, col(ApiToken.person_id) == Person.id)
        .where(ApiToken.token_hash == token_hash(secret), col(ApiToken.revoked_at).is_(None))
    ).first()
    if row is None:
        return None
    person, token = row
    if token.expires_at is not None and token.expires_at <= utcnow():
        return None
    if not person.is_active:
        return None
    return person, token


def list_tokens(session: Session, person_id: int) -> list[ApiToken]:
    """A person's personal access tokens, newest first."""
    return list(
        session.exec(
            select(ApiToken)
            .where(ApiToken.person_id == person_id, ApiToken.kind == TokenKind.personal)
            .order_by(col(ApiToken.id).desc())
        )
    )


def revoke_token(session: Session, person_id: int, token_id: int) -> bool:
    """Revoke one of a person's tokens; False if it is not theirs."""
    token = session.get(ApiToken, token_id)
    if token is None or token.person_id != person_id:
        return False
    token.revoked_at = token.revoked_at or utcnow()
    session.add(token)
    session.flush()
    return True


def purge_expired(session: Session) -> None:
    """Forget expired sessions, links and tokens, and old login attempts."""
    now = utcnow()
    session.execute(delete(LoginSession).where(col(LoginSession.expires_at) <= now))
    session.execute(delete(LoginLink).where(col(LoginLink.expires_at) <= now - timedelta(days=1)))
    session.execute(delete(LoginAttempt).where(col(LoginAttempt.at) <= now - timedelta(days=1)))
    session.execute(
        delete(ApiToken).where(
            col(ApiToken.kind) == TokenKind.access, col(ApiToken.expires_at) <= now
        )
    )
    session.flush()
