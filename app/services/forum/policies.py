"""Who may see and manage the cooperation forum's sessions and minutes."""

from app.models.forum import ForumSession
from app.services.access.policies import User, is_staff_overseer


def can_view_forum(user: User) -> bool:
    """See the forum's sessions: its participants (management, Haso-yte) and every chair,
    who read published agendas and minutes."""
    return user is not None and (is_staff_overseer(user) or user.yte_member or user.is_chair)


def can_manage_forum(user: User) -> bool:
    """Create sessions, build and publish agendas, record minutes: management."""
    return is_staff_overseer(user)


def can_view_forum_session(user: User, forum_session: ForumSession) -> bool:
    """See one session: participants always, chairs once its agenda is published."""
    if user is None:
        return False
    if is_staff_overseer(user) or user.yte_member:
        return True
    return user.is_chair and forum_session.agenda_published_at is not None


def can_view_forum_minutes(user: User, forum_session: ForumSession) -> bool:
    """Read a session's minutes: participants always, chairs once they are published."""
    if not can_view_forum_session(user, forum_session):
        return False
    if can_manage_forum(user) or (user is not None and user.yte_member):
        return True
    return forum_session.minutes_published_at is not None


def can_override_forum_notice(user: User) -> bool:
    """Publish an agenda later than the notice allows: an administrator (audited)."""
    return user is not None and user.is_admin
