"""Who may open the participation profile, of the company or of a house."""

from app.services.access.policies import User, can_view_residents, is_staff_overseer


def can_view_company_profile(user: User) -> bool:
    """See every house's participation profile side by side: management and administrators."""
    return is_staff_overseer(user)


def can_open_participation_profile(user: User) -> bool:
    """Open /participation-profile: the company's view, or the profile of one's own house."""
    return user is not None and (
        can_view_company_profile(user)
        or any(can_view_house_profile(user, house_id) for house_id in user.houses)
    )


def can_view_company_totals(user: User) -> bool:
    """Company-level participation totals without per-house rows: management, administrators
    and Haso-yte, who have a right to company information that breaches no one's privacy."""
    return is_staff_overseer(user) or (user is not None and user.yte_member)


def can_view_house_profile(user: User, house_id: int) -> bool:
    """See a house's participation profile against the company average: its committee, its
    manager, management."""
    return can_view_residents(user, house_id)
