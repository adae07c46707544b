"""Who handles accessibility feedback."""

from app.services.access.policies import User


def can_handle_accessibility_feedback(user: User) -> bool:
    """Read the accessibility feedback and record the answers: administrators."""
    return user is not None and user.is_admin
