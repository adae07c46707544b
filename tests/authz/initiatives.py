"""Authorization matrix entries for the initiatives routes.

The world gains a submitted house-A initiative filed by chair_a ("initiative_a"). Its residents,
committee, manager and management see it; everyone else gets 404. Only chair_a (its filer) may
withdraw or edit it; handlers and evaluators may post a review date (422: not yet answered).
"""

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from app.models.initiatives import State
from tests.authz.roles import HOUSE_A_MEMBERS, LOGGED_IN, OVERSEERS, Rule
from tests.support import make_initiative

# Who may open the new-initiative form: residents (suggest), committee members, Haso-yte.
STARTERS = {"resident_a", "member_a", "chair_a", "resident_b", "chair_b", "yte"}
REVIEWERS = {"member_a", "chair_a", "manager_a"} | OVERSEERS

MATRIX: dict[str, Rule] = {
    "GET /initiatives": Rule(LOGGED_IN),
    "GET /initiatives/export.csv": Rule(OVERSEERS),
    "GET /initiatives/new": Rule(STARTERS),
    "POST /initiatives/new": Rule(STARTERS),
    "GET /initiatives/{initiative_id}": Rule(HOUSE_A_MEMBERS),
    "POST /initiatives/{initiative_id}/transitions/{action}": Rule({"chair_a"}),
    "GET /initiatives/{initiative_id}/edit": Rule({"chair_a"}),
    "POST /initiatives/{initiative_id}/edit": Rule({"chair_a"}),
    "POST /initiatives/{initiative_id}/review": Rule(REVIEWERS),
}


def extend_world(session: Session, world: dict[str, Any]) -> dict[str, Any]:
    """A submitted house-A initiative filed by chair_a."""
    initiative = make_initiative(
        session, world["people"]["chair_a"], world["house_a"], state=State.submitted
    )
    return {"initiative_a": initiative}


PARAMS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "initiative_id": lambda world: world["initiative_a"].id,
    "action": lambda world: "withdraw",
}
SECTIONS: dict[str, Callable[[dict[str, Any]], Any]] = {}
