"""Authorization matrix entries for the initiative API routes.

The world's initiative is a submitted house-A initiative filed by chair_a: visible to house A's
residents, committee and manager, and to management and administrators; editable only by its
filer. Lifecycle moves pass the guard for whoever sees it; the service then answers 403 to those
who are not the move's actors (tested in tests/api/test_initiatives.py).
"""

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from app.models.initiatives import State
from tests.authz.roles import HOUSE_A_MEMBERS, LOGGED_IN, Rule
from tests.support import make_initiative

# Who may start an initiative somewhere: residents (suggest) and Haso-yte (company scope).
STARTERS = {"resident_a", "member_a", "chair_a", "resident_b", "chair_b", "yte"}

MATRIX: dict[str, Rule] = {
    "GET /api/v1/initiatives": Rule(LOGGED_IN),
    "POST /api/v1/initiatives": Rule(STARTERS),
    "GET /api/v1/initiatives/{initiative_id}": Rule(HOUSE_A_MEMBERS),
    "PATCH /api/v1/initiatives/{initiative_id}": Rule({"chair_a"}),
    "POST /api/v1/initiatives/{initiative_id}/transitions": Rule(HOUSE_A_MEMBERS),
    "GET /api/v1/initiatives/{initiative_id}/history": Rule(HOUSE_A_MEMBERS),
    "GET /api/v1/initiatives/{initiative_id}/evaluations": Rule(HOUSE_A_MEMBERS),
}


def extend_world(session: Session, world: dict[str, Any]) -> dict[str, Any]:
    """A submitted house-A initiative filed by chair_a (shared with the other features)."""
    if "initiative_a" in world:
        return {}
    initiative = make_initiative(
        session, world["people"]["chair_a"], world["house_a"], State.submitted
    )
    return {"initiative_a": initiative}


PARAMS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "initiative_id": lambda world: world["initiative_a"].id,
}
SECTIONS: dict[str, Callable[[dict[str, Any]], Any]] = {}
