"""Permissions every feature shares: who oversees, manages a house, sits on its bodies."""

from app.config import get_settings
from app.services.access.roles import Principal

User = Principal | None


def is_staff_overseer(user: User) -> bool:
    """Management or an administrator: sees every house."""
    return user is not None and (user.is_admin or user.is_management)


def can_administer(user: User) -> bool:
    """Manage houses, people, residencies, committees, staff roles and imports."""
    return user is not None and user.is_admin


def can_view_houses(user: User) -> bool:
    """See the list of houses and their public facts (committee, chair, manager, meetings)."""
    return user is not None


def can_manage_house(user: User, house_id: int) -> bool:
    """Act for a house as its responsible staff."""
    return user is not None and (is_staff_overseer(user) or house_id in user.manager_of)


def can_manage_residents(user: User, house_id: int) -> bool:
    """Record who lives in a house and look after its residents without email (their details,
    their notices on paper): the house's property manager and administrators."""
    return user is not None and (user.is_admin or house_id in user.manager_of)


def can_view_residents(user: User, house_id: int) -> bool:
    """See who lives in a house: its committee, its manager, management, administrators."""
    return user is not None and (can_manage_house(user, house_id) or house_id in user.committee_of)


def can_view_meetings(user: User, house_id: int) -> bool:
    """See a house's resident meetings: its residents, committee, manager and management."""
    return user is not None and (
        can_manage_house(user, house_id)
        or house_id in user.resident_of
        or house_id in user.committee_of
    )


def can_organise_meeting(user: User, house_id: int) -> bool:
    """Convene a resident meeting and record its minutes: the committee or the manager."""
    return user is not None and (can_manage_house(user, house_id) or house_id in user.committee_of)


def can_manage_committee(user: User, house_id: int) -> bool:
    """Record a committee elected by a resident meeting: the manager, management, admin."""
    return can_manage_house(user, house_id)


def can_view_yte(user: User) -> bool:
    """See Haso-yte's members and term."""
    return user is not None


def can_manage_yte(user: User) -> bool:
    """Record Haso-yte terms and members."""
    return is_staff_overseer(user)


def can_view_audit(user: User) -> bool:
    """Read the audit log."""
    return user is not None and user.is_admin


def can_vote_in(user: User, house_id: int) -> bool:
    """Vote or stand for a body in a house: a holder, co-holder or the holder's spouse or
    partner aged 18 or over (tenures.votes)."""
    return user is not None and house_id in user.voter_of


def has_scope(user: User, scope: str) -> bool:
    """Whether an API token carries a scope; browser sessions carry every scope."""
    return user is not None and (user.scopes is None or scope in user.scopes)


def can_read_person(user: User, person_id: int) -> bool:
    """See a person's private details (email, phone, birth date): the person or an admin."""
    return user is not None and (user.id == person_id or user.is_admin)


def can_view_committee(user: User, house_id: int) -> bool:
    """See a house's resident committees, their terms and members: whoever sees its meetings."""
    return can_view_meetings(user, house_id)


def can_manage_jobs(user: User) -> bool:
    """See the scheduled jobs, their runs and the mail queue, and run a job now: administrators."""
    return user is not None and user.is_admin


def smallest_group(user: User) -> int:
    """The fewest houses an average or a district's profile may cover when shown to this person:
    any number for those who may see every house, else PORTAL_MIN_COMPARISON_HOUSES (a smaller
    group would single a house out)."""
    return 1 if is_staff_overseer(user) else get_settings().min_comparison_houses
