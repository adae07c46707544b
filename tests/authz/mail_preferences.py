"""Authorization matrix entries for the mail preferences routes."""

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from tests.authz.roles import LOGGED_IN, Rule

# Everyone chooses their own mail; nobody reaches another person's choices.
MATRIX: dict[str, Rule] = {
    "GET /account/notifications": Rule(LOGGED_IN),
    "POST /account/notifications": Rule(LOGGED_IN),
    "GET /api/v1/me/preferences": Rule(LOGGED_IN),
    "PUT /api/v1/me/preferences": Rule(LOGGED_IN),
}


def extend_world(session: Session, world: dict[str, Any]) -> dict[str, Any]:
    """Objects the routes below need: none, the routes concern the caller only."""
    return {}


PARAMS: dict[str, Callable[[dict[str, Any]], Any]] = {}
SECTIONS: dict[str, Callable[[dict[str, Any]], Any]] = {}
