"""Every permission, as a named predicate. Routes enforce them; templates show buttons by them."""

from app.models.forum import ForumSession
from app.models.initiatives import Initiative, Scope, State
from app.services import lifecycle
from app.services.roles import Principal

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
    """Vote or stand for a body in a house: an ASO holder aged 18 or over (roles.is_adult)."""
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


# ---- initiatives --------------------------------------------------------------------------


def can_list_initiatives(user: User) -> bool:
    """Open the initiative list (it shows only what the user may see)."""
    return user is not None


def can_file_initiative(user: User, house_id: int) -> bool:
    """File an initiative for a house: a member of its resident committee."""
    return user is not None and house_id in user.committee_of


def can_suggest_initiative(user: User, house_id: int) -> bool:
    """Suggest an initiative to a house's committee: a resident of the house."""
    return user is not None and house_id in user.resident_of


def can_file_company_initiative(user: User) -> bool:
    """File a company-level initiative: a member of Haso-yte."""
    return user is not None and user.yte_member


def can_start_initiative(user: User) -> bool:
    """Open the new-initiative form: anyone who can file or suggest one somewhere."""
    return user is not None and (bool(user.resident_of) or user.yte_member)


def initiative_actor_roles(user: User, initiative: Initiative) -> set[str]:
    """The lifecycle actors (see app.services.lifecycle) that the user is for an initiative."""
    if user is None:
        return set()
    roles: set[str] = set()
    author = initiative.suggested_by_id if initiative.state == State.suggested else None
    if user.id in (initiative.filed_by_id, author):
        roles.add("filer")
    house_id = initiative.house_id
    if initiative.scope == Scope.house and house_id is not None:
        if house_id in user.committee_of:
            roles.add("committee")
        if can_manage_house(user, house_id):
            roles.add("recipient")
    elif initiative.scope == Scope.company and is_staff_overseer(user):
        roles.add("recipient")
    if "recipient" in roles or (
        initiative.assignee_id is not None and initiative.assignee_id == user.id
    ):
        roles.add("handler")
    if (
        "filer" in roles
        or (initiative.scope == Scope.house and "committee" in roles)
        or (initiative.scope == Scope.company and user.yte_member)
    ):
        roles.add("evaluator")
    return roles


def can_view_initiative(user: User, initiative: Initiative) -> bool:
    """See an initiative. Drafts: their filer and, for one taken up from a suggestion, its
    suggester. Suggestions: the suggester and the committee. House scope: the house's residents,
    committee, manager and management. Company scope: all chairs, Haso-yte and management.
    The filer and the assignee always. (One withdrawn before submission stays a draft or a
    suggestion: lifecycle.private_kind.)"""
    if user is None:
        return False
    house_id = initiative.house_id
    private = lifecycle.private_kind(initiative)
    if private == "draft":
        # A draft taken up from a resident's suggestion carries it: the suggester keeps sight.
        return user.id in (initiative.filed_by_id, initiative.suggested_by_id)
    if private == "suggestion":
        return user.id == initiative.suggested_by_id or (
            house_id is not None and house_id in user.committee_of
        )
    if user.id in (initiative.filed_by_id, initiative.suggested_by_id, initiative.assignee_id):
        return True
    if is_staff_overseer(user):
        return True
    if initiative.scope == Scope.house:
        return house_id is not None and (
            house_id in user.resident_of
            or house_id in user.committee_of
            or house_id in user.manager_of
        )
    return user.is_chair or user.yte_member


def can_transition(user: User, initiative: Initiative, action: str) -> bool:
    """Make one lifecycle move now: the move starts from the current state and the user is
    one of its actors."""
    move = lifecycle.find(action)
    if move is None or initiative.state not in move.sources:
        return False
    return bool(move.actors & initiative_actor_roles(user, initiative))


def can_edit_initiative(user: User, initiative: Initiative) -> bool:
    """Edit the text: its author while it is a draft, a suggestion or not yet received."""
    editable = {State.draft, State.suggested, State.submitted}
    return initiative.state in editable and "filer" in initiative_actor_roles(user, initiative)


def can_comment_initiative(user: User, initiative: Initiative) -> bool:
    """Comment: whoever can see it, once it is out of draft."""
    return initiative.state != State.draft and can_view_initiative(user, initiative)


def can_attach_to_initiative(user: User, initiative: Initiative) -> bool:
    """Attach a file: its filer, the house's committee or a handler, while it is open."""
    if initiative.state in lifecycle.CLOSED:
        return False
    return bool({"filer", "committee", "handler"} & initiative_actor_roles(user, initiative))


def can_set_review(user: User, initiative: Initiative) -> bool:
    """Set the day the outcome is to be evaluated: a handler or an evaluator."""
    return bool(initiative_actor_roles(user, initiative) & {"handler", "evaluator"})


def can_export_initiatives(user: User) -> bool:
    """Download the initiative list as CSV: management and administrators."""
    return is_staff_overseer(user)


# ---- the cooperation forum ----------------------------------------------------------------


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


# ---- the participation profile ------------------------------------------------------------


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


LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def can_read_outbox(debug: bool, client_host: str | None) -> bool:
    """The development outbox (login links included): debug mode, from this machine only."""
    return debug and client_host in LOOPBACK


# ---- annual calendar ----


# ---- event registrations ----


# ---- compliance ----


# ---- newsletters ----


# ---- scheduler jobs ----


# ---- mail preferences ----
