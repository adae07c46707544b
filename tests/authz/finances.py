"""Authorization matrix entries for the house finance routes."""

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from app.deps import today
from app.services.finances import budget_cycle
from app.services.finances import figures as finances_service
from tests.authz.roles import HOUSE_A_MANAGERS, HOUSE_A_MEMBERS, LOGGED_IN, OVERSEERS, Rule

COMPANY = OVERSEERS | {"yte"}
IMPORTERS = OVERSEERS | {"manager_a", "manager_b"}

MATRIX: dict[str, Rule] = {
    "GET /houses/{house_id}/finances": Rule(HOUSE_A_MEMBERS),
    "GET /houses/{house_id}/finances.csv": Rule(HOUSE_A_MEMBERS),
    "GET /finances": Rule(COMPANY),
    "GET /finances.csv": Rule(OVERSEERS),
    "GET /finances/import": Rule(IMPORTERS),
    "POST /finances/import": Rule(IMPORTERS),
    "GET /finances/import/example/{name}": Rule(IMPORTERS),
    "POST /api/v1/finances/imports": Rule(IMPORTERS),
    "GET /api/v1/houses/{house_id}/finances": Rule(HOUSE_A_MEMBERS),
    "GET /api/v1/finances/company": Rule(COMPANY),
    "GET /finances/cost-groups": Rule(OVERSEERS),
    "POST /finances/cost-groups": Rule(OVERSEERS),
    "POST /finances/cost-groups/{group_id}": Rule(OVERSEERS),
    "GET /budget-cycles": Rule(LOGGED_IN - {"adviser"}),
    "POST /budget-cycles": Rule(OVERSEERS),
    "GET /budget-cycles/{cycle_id}": Rule(HOUSE_A_MEMBERS),
    "POST /budget-cycles/{cycle_id}/proposal": Rule(HOUSE_A_MANAGERS),
    "POST /budget-cycles/{cycle_id}/proposal/revision": Rule(HOUSE_A_MANAGERS),
    "POST /budget-cycles/{cycle_id}/statement": Rule({"member_a", "chair_a"}),
    "POST /budget-cycles/{cycle_id}/confirmation": Rule(OVERSEERS),
    "POST /budget-cycles/{cycle_id}/evaluation": Rule(OVERSEERS),
}


def extend_world(session: Session, world: dict[str, Any]) -> dict[str, Any]:
    """The cost groups and next year's budget cycles (the pages work without figures)."""
    finances_service.ensure_default_groups(session)
    started = budget_cycle.start(session, today().year + 1, None, today())
    return {
        "budget_cycle_a": next(c for c in started if c.house_id == world["house_a"].id),
        "cost_group": finances_service.all_groups(session)[0],
    }


PARAMS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "name": lambda world: "finance_actuals.csv",
    "cycle_id": lambda world: world["budget_cycle_a"].id,
    "group_id": lambda world: world["cost_group"].id,
}
SECTIONS: dict[str, Callable[[dict[str, Any]], Any]] = {}
