"""Who may download their own data and erase a person's data."""

from app.services.access.policies import User


def can_download_own_data(user: User) -> bool:
    """Download everything the portal holds about oneself: anyone logged in."""
    return user is not None


def can_erase_people(user: User) -> bool:
    """Erase a person's data on their request: administrators."""
    return user is not None and user.is_admin
