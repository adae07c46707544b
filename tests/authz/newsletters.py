"""Authorization matrix entries for the newsletters routes."""

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from tests.authz.roles import Rule

MATRIX: dict[str, Rule] = {}


def extend_world(session: Session, world: dict[str, Any]) -> dict[str, Any]:
    """Objects the routes below need."""
    return {}


PARAMS: dict[str, Callable[[dict[str, Any]], Any]] = {}
SECTIONS: dict[str, Callable[[dict[str, Any]], Any]] = {}
