"""Authorization matrix entries for households on paper: the meeting invitation's letters and
notice-board sheet, and the residents without email a house's property manager looks after.

The world's meeting has not sent its invitation, so its letters answer 404 to those who pass
the guard; tests/routers/bodies/test_meeting_notices.py downloads real ones, role by role.
"""

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from tests.authz.roles import ADMIN, HOUSE_A_ORGANISERS, Rule

# The house's property manager and administrators record its residents (management does not).
HOUSE_A_RESIDENT_MANAGERS = {"manager_a"} | ADMIN

MATRIX: dict[str, Rule] = {
    "GET /meetings/{meeting_id}/invitation-letters.pdf": Rule(HOUSE_A_ORGANISERS),
    "GET /meetings/{meeting_id}/notice-board.pdf": Rule(HOUSE_A_ORGANISERS),
    "GET /houses/{house_id}/residents/new-without-email": Rule(HOUSE_A_RESIDENT_MANAGERS),
    "POST /houses/{house_id}/residents/new-without-email": Rule(HOUSE_A_RESIDENT_MANAGERS),
    "GET /houses/{house_id}/residents/{residency_id}/person": Rule(HOUSE_A_RESIDENT_MANAGERS),
    "POST /houses/{house_id}/residents/{residency_id}/person": Rule(HOUSE_A_RESIDENT_MANAGERS),
}


def extend_world(session: Session, world: dict[str, Any]) -> dict[str, Any]:
    """Objects the routes below need: none beyond the matrix's houses and meeting."""
    return {}


PARAMS: dict[str, Callable[[dict[str, Any]], Any]] = {}
SECTIONS: dict[str, Callable[[dict[str, Any]], Any]] = {}
