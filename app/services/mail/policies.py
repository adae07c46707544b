"""Who may choose their mail, and read the development outbox."""

from app.services.access.policies import User

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def can_read_outbox(debug: bool, client_host: str | None) -> bool:
    """The development outbox (login links included): debug mode, from this machine only."""
    return debug and client_host in LOOPBACK


def can_choose_mail(user: User) -> bool:
    """Choose how one's own notifications and newsletters come: every logged-in person."""
    return user is not None
