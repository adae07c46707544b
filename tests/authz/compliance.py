"""Authorization matrix entries for the compliance page: management, administrators and the
property managers (who see only their own houses' rows: tests/routers/test_compliance.py)."""

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from tests.authz.roles import OVERSEERS, Rule

MATRIX: dict[str, Rule] = {
    "GET /compliance": Rule(OVERSEERS | {"manager_a", "manager_b"}),
}


def extend_world(session: Session, world: dict[str, Any]) -> dict[str, Any]:
    """Nothing beyond the common world."""
    return {}


PARAMS: dict[str, Callable[[dict[str, Any]], Any]] = {}
SECTIONS: dict[str, Callable[[dict[str, Any]], Any]] = {}
