"""Who may file, suggest, see, move, edit and comment on initiatives."""

from app.models.initiatives import Initiative, Scope, State
from app.services.access.policies import User, can_manage_house, is_staff_overseer
from app.services.initiatives import lifecycle


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
    """The lifecycle actors (app.services.initiatives.lifecycle) the user is for an initiative."""
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
