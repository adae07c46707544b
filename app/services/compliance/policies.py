"""Who may see compliance with the cooperation model, per house and company-wide."""

from app.services.access.policies import User, is_staff_overseer


def can_view_compliance(user: User) -> bool:
    """Open the compliance view: management, administrators, and property managers (who see
    their own houses). Housing advisers work with single households, not with the bodies."""
    return is_staff_overseer(user) or (user is not None and user.is_manager)


def can_view_company_compliance(user: User) -> bool:
    """See every house and the company's newsletters in the compliance view."""
    return is_staff_overseer(user)
