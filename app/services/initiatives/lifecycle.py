"""The initiative lifecycle as data: every allowed move, from which states, and who may make it.

Actors are resolved against an initiative by app.policies.initiative_actor_roles:
  filer      the person who filed it (or, for a suggestion, who suggested it)
  committee  a member of the house's current resident committee (house scope)
  recipient  who the initiative is addressed to: the house's property manager for house scope,
             management for company scope (administrators act for both)
  handler    the recipient or the staff member it is assigned to
  evaluator  the filer, the house's committee (house scope) or Haso-yte (company scope)

Rules the table encodes that are easy to miss:
  - "answer" is allowed straight from "received": assigning is optional, and a recipient may
    prepare and publish the answer without delegating it to a staff member.
  - A suggestion that the committee takes up becomes the committee's draft; its suggester still
    sees it (policies.can_view_initiative), other residents only once it is submitted.
"""

from dataclasses import dataclass

from app.i18n import N_
from app.models.initiatives import Initiative, Outcome, State


@dataclass(frozen=True)
class Transition:
    """One move of the lifecycle."""

    action: str
    sources: frozenset[State]
    target: State
    actors: frozenset[str]
    label: str  # the button's text (a msgid)


def _t(action: str, sources: set[State], target: State, actors: set[str], label: str) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(actors), label)


OPEN_BEFORE_ANSWER = {
    State.suggested,
    State.draft,
    State.submitted,
    State.received,
    State.in_preparation,
}

TRANSITIONS: tuple[Transition, ...] = (
    _t("take_up", {State.suggested}, State.draft, {"committee"}, N_("Take up as the committee's")),
    _t("decline", {State.suggested}, State.declined, {"committee"}, N_("Do not take up")),
    _t("submit", {State.draft}, State.submitted, {"filer"}, N_("Submit the initiative")),
    _t("receive", {State.submitted}, State.received, {"recipient"}, N_("Acknowledge receipt")),
    _t(
        "assign",
        {State.received, State.in_preparation},
        State.in_preparation,
        {"recipient"},
        N_("Assign for preparation"),
    ),
    _t(
        "answer",
        {State.received, State.in_preparation},
        State.answered,
        {"handler"},
        N_("Publish the answer"),
    ),
    _t("implement", {State.answered}, State.implemented, {"handler"}, N_("Mark implemented")),
    _t(
        "evaluate",
        {State.implemented, State.evaluated},
        State.evaluated,
        {"evaluator"},
        N_("Evaluate the outcome"),
    ),
    _t("withdraw", OPEN_BEFORE_ANSWER, State.withdrawn, {"filer"}, N_("Withdraw")),
)

BY_ACTION = {t.action: t for t in TRANSITIONS}

STATE_LABELS = {
    State.suggested: N_("Suggested to the committee"),
    State.declined: N_("Not taken up"),
    State.draft: N_("Draft"),
    State.submitted: N_("Submitted"),
    State.received: N_("Received"),
    State.in_preparation: N_("In preparation"),
    State.answered: N_("Answered"),
    State.implemented: N_("Implemented"),
    State.evaluated: N_("Evaluated"),
    State.withdrawn: N_("Withdrawn"),
}

OUTCOME_LABELS = {
    Outcome.accepted: N_("Accepted"),
    Outcome.partly_accepted: N_("Partly accepted"),
    Outcome.rejected: N_("Rejected"),
}

# The states a new initiative may be created in.
PRIVATE_STATES = {State.draft, State.suggested, State.declined}
# States in which the receipt or the answer is awaited (deadlines apply).
AWAITING_RECEIPT = {State.submitted}
AWAITING_ANSWER = {State.received, State.in_preparation}
CLOSED = {State.withdrawn, State.declined, State.evaluated}


def private_kind(initiative: Initiative) -> str | None:
    """ "draft" or "suggestion" while an initiative is private as one, else None.

    One withdrawn before it was ever submitted stays as private as it was: withdrawing a draft
    or a suggestion must not publish it to the whole house.
    """
    if initiative.state == State.draft:
        return "draft"
    if initiative.state in (State.suggested, State.declined):
        return "suggestion"
    if initiative.state == State.withdrawn and initiative.submitted_at is None:
        return "draft" if initiative.filed_by_id is not None else "suggestion"
    return None


def find(action: str) -> Transition | None:
    """The transition named action, or None."""
    return BY_ACTION.get(action)


def moves_from(state: State) -> list[Transition]:
    """Every transition that starts from a state."""
    return [t for t in TRANSITIONS if state in t.sources]
