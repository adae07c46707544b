"""Logging in: passwords, one-time links, sessions, rate limits and API tokens."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col, select

from app.config import Settings
from app.db import keep_on_rollback, note_use
from app.errors import ValidationFailed
from app.i18n import _
from app.models.auth import ApiToken, LoginAttempt, LoginLink, LoginSession, TokenKind
from app.models.people import Person
from app.models.types import utcnow
from app.security import hash_password, new_token, token_hash, verify_password
from app.services.mail import delivery as mail

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
    """The active person with an email, if any (never one without an email: an empty address
    matches nobody)."""
    address = normalise_email(email)
    if not address:
        return None
    return session.exec(
        select(Person).where(Person.email == address, col(Person.is_active))
    ).first()


def can_log_in(person: Person | None) -> bool:
    """Whether a person may have a login at all: active and with an email (a resident without
    one gets their notices on paper and logs in once an email is added)."""
    return person is not None and person.is_active and person.email is not None


def check_rate(session: Session, settings: Settings, ip: str, email: str | None) -> None:
    """Refuse when an address (or, given an email, an account) has failed too often lately."""
    since = utcnow() - timedelta(minutes=settings.login_attempt_window_minutes)
    failures = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.at >= since, col(LoginAttempt.succeeded).is_(False))
    )
    per_ip = session.exec(failures.where(LoginAttempt.ip == ip)).one()
    per_account = (
        session.exec(failures.where(LoginAttempt.email == normalise_email(email))).one()
        if email is not None
        else 0
    )
    if (
        per_ip >= settings.login_attempts_per_ip
        or per_account >= settings.login_attempts_per_account
    ):
        raise RateLimited(_("Too many login attempts. Please wait a few minutes and try again."))


def note_attempt(session: Session, ip: str, email: str, succeeded: bool) -> None:
    """Record an attempt for rate limiting: written even when the request that made it answers
    with an error and rolls back its transaction."""
    attempt = LoginAttempt(ip=ip, email=normalise_email(email)[:320], succeeded=succeeded)
    keep_on_rollback(session, attempt)
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


def set_password(
    session: Session, person: Person, password: str, keep_session: str | None = None
) -> None:
    """Give a person a new password; every other login of theirs ends with the old one."""
    person.password_hash = hash_password(password)
    person.updated_at = utcnow()
    session.add(person)
    end_logins(session, person, keep_session)


def end_logins(session: Session, person: Person, keep_session: str | None = None) -> None:
    """End a person's sessions (but keep_session), revoke their tokens, void unused links."""
    now = utcnow()
    sessions = delete(LoginSession).where(col(LoginSession.person_id) == person.id)
    if keep_session:
        sessions = sessions.where(col(LoginSession.token_hash) != token_hash(keep_session))
    session.execute(sessions)
    session.execute(
        update(ApiToken)
        .where(col(ApiToken.person_id) == person.id, col(ApiToken.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    session.execute(
        update(LoginLink)
        .where(col(LoginLink.person_id) == person.id, col(LoginLink.used_at).is_(None))
        .values(used_at=now)
    )
    session.flush()


def start_session(session: Session, settings: Settings, person: Person, method: str) -> str:
    """A new browser session; returns the cookie value (only its hash is stored)."""
    assert person.id is not None
    if not can_log_in(person):
        raise ValueError("a person without an email or not active cannot log in")
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
            col(Person.email).is_not(None),
        )
    ).first()
    return row


def end_session(session: Session, token: str) -> None:
    """Log out: the session is gone on the server too."""
    session.execute(delete(LoginSession).where(col(LoginSession.token_hash) == token_hash(token)))
    session.flush()


@dataclass(frozen=True)
class PendingLink:
    """A login link made in the request, whose mail is written after the answer."""

    link_id: int
    person_id: int
    url: str


def send_login_link(
    session: Session, settings: Settings, email: str, ip: str, next_url: str = "/"
) -> PendingLink | None:
    """Make a one-time login link if the email is known; the caller mails it after the answer
    (mail_login_link), so that the answer is the same, and as quick, for any address.

    Link requests are not failed logins (that would let anyone lock an account): the address's
    failures still block, and an account gets at most login_attempts_per_account links in the
    window; beyond that nothing is sent, silently, as for an unknown address.
    """
    check_rate(session, settings, ip, None)
    person = person_by_email(session, email)
    if person is None or person.id is None:
        return None
    since = utcnow() - timedelta(minutes=settings.login_attempt_window_minutes)
    recent = session.exec(
        select(func.count())
        .select_from(LoginLink)
        .where(LoginLink.person_id == person.id, LoginLink.created_at >= since)
    ).one()
    if recent >= settings.login_attempts_per_account:
        return None
    token = new_token()
    link = LoginLink(
        token_hash=token_hash(token),
        person_id=person.id,
        expires_at=utcnow() + timedelta(minutes=settings.magic_link_minutes),
    )
    session.add(link)
    session.flush()
    assert link.id is not None
    url = f"{settings.base_url.rstrip('/')}/login/link/{token}"
    return PendingLink(link.id, person.id, url)


def mail_login_link(bind: Engine | Connection, settings: Settings, pending: PendingLink) -> None:
    """Write the mail of a login link (after the answer, in a transaction of its own)."""
    with Session(bind, join_transaction_mode="create_savepoint") as session:
        person = session.get(Person, pending.person_id)
        if person is None:
            return
        mail.queue(
            session,
            f"login-link:{pending.link_id}",
            person,
            "login_link",
            url=pending.url,
            minutes=settings.magic_link_minutes,
        )
        session.commit()


def use_login_link(session: Session, token: str) -> Person | None:
    """The person a valid, unused link belongs to; the link is spent."""
    now = utcnow()
    # One UPDATE spends the link, so two simultaneous clicks cannot both log in.
    spent = session.execute(
        update(LoginLink)
        .where(
            col(LoginLink.token_hash) == token_hash(token),
            col(LoginLink.used_at).is_(None),
            col(LoginLink.expires_at) > now,
        )
        .values(used_at=now)
        .returning(col(LoginLink.person_id))
    ).first()
    if spent is None:
        return None
    person = session.get(Person, spent[0])
    return person if can_log_in(person) else None


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


def note_token_use(bind: Engine | Connection, token_id: int, now: datetime) -> None:
    """Note when a token was last used (after the answer, in a transaction of its own)."""
    note_use(bind, update(ApiToken).where(col(ApiToken.id) == token_id).values(last_used_at=now))


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
    if not can_log_in(person):
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
