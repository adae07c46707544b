"""Authorization matrix entries for the scheduler jobs routes: administrators only."""

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from tests.authz.roles import ADMIN, Rule

MATRIX: dict[str, Rule] = {
    "GET /admin/jobs": Rule(ADMIN),
    "POST /admin/jobs/{job_id}/run": Rule(ADMIN),
}


def extend_world(session: Session, world: dict[str, Any]) -> dict[str, Any]:
    """Nothing: the jobs are the registered ones."""
    return {}


PARAMS: dict[str, Callable[[dict[str, Any]], Any]] = {
    # A harmless job to run: it forgets expired logins.
    "job_id": lambda world: "purge_logins",
}
SECTIONS: dict[str, Callable[[dict[str, Any]], Any]] = {}
