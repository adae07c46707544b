"""Authorization matrix entries for the participation profile routes."""

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from tests.authz.roles import HOUSE_A_ORGANISERS, OVERSEERS, Rule

# Whoever sees some house's profile (its committee, its manager) is sent to that house's page;
# management sees the company page.
HOUSE_PROFILE_VIEWERS = {"member_a", "chair_a", "manager_a", "chair_b", "manager_b", "yte"}

MATRIX: dict[str, Rule] = {
    "GET /participation-profile": Rule(HOUSE_PROFILE_VIEWERS | OVERSEERS),
    "GET /houses/{house_id}/participation-profile": Rule(HOUSE_A_ORGANISERS),
    # Without a house: company totals; the house-level form is tested in tests/api.
    "GET /api/v1/participation-profile": Rule(OVERSEERS | {"yte"}),
}


def extend_world(session: Session, world: dict[str, Any]) -> dict[str, Any]:
    """Objects the routes below need."""
    return {}


PARAMS: dict[str, Callable[[dict[str, Any]], Any]] = {}
SECTIONS: dict[str, Callable[[dict[str, Any]], Any]] = {}
