"""Authorization matrix entries for data protection: one's own data, erasure on request."""

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from tests.authz.roles import ADMIN, LOGGED_IN, Rule

# Everyone downloads their own data (never another's); only administrators erase.
MATRIX: dict[str, Rule] = {
    "GET /account/data.json": Rule(LOGGED_IN),
    "GET /api/v1/me/data": Rule(LOGGED_IN),
    "GET /admin/people/{person_id}/erase": Rule(ADMIN),
    "POST /admin/people/{person_id}/erase": Rule(ADMIN),
}


def extend_world(session: Session, world: dict[str, Any]) -> dict[str, Any]:
    """Objects the routes below need: none beyond the matrix's own people."""
    return {}


PARAMS: dict[str, Callable[[dict[str, Any]], Any]] = {}
SECTIONS: dict[str, Callable[[dict[str, Any]], Any]] = {}
