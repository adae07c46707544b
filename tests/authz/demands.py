"""Authorization matrix entries for the residents' demands for a resident meeting.

Whoever sees the house's meetings sees its demands; only its voters (the matrix's three adult
holders of house A) start or sign one: the house's others are told why not (403), other houses'
people are refused. Withdrawing passes the guard for whoever sees the demand (it removes only
one's own signature; without one nothing happens). The world's demand is open, of house A.
"""

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from app.models.demands import MeetingDemand
from tests.authz.roles import HOUSE_A_MEMBERS, Rule

HOUSE_A_VOTERS = {"resident_a", "member_a", "chair_a"}

MATRIX: dict[str, Rule] = {
    "GET /houses/{house_id}/meeting-demands/new": Rule(HOUSE_A_VOTERS),
    "POST /houses/{house_id}/meeting-demands/new": Rule(HOUSE_A_VOTERS),
    "GET /meeting-demands/{demand_id}": Rule(HOUSE_A_MEMBERS),
    "POST /meeting-demands/{demand_id}/sign": Rule(HOUSE_A_VOTERS),
    "POST /meeting-demands/{demand_id}/withdraw": Rule(HOUSE_A_MEMBERS),
    "GET /api/v1/houses/{house_id}/meeting-demands": Rule(HOUSE_A_MEMBERS),
    "POST /api/v1/houses/{house_id}/meeting-demands": Rule(HOUSE_A_VOTERS),
    "GET /api/v1/meeting-demands/{demand_id}": Rule(HOUSE_A_MEMBERS),
    "PUT /api/v1/meeting-demands/{demand_id}/signature": Rule(HOUSE_A_VOTERS),
    "DELETE /api/v1/meeting-demands/{demand_id}/signature": Rule(HOUSE_A_MEMBERS),
}


def extend_world(session: Session, world: dict[str, Any]) -> dict[str, Any]:
    """An open demand of house A, without signatures (so that a signature in a case does not
    decide anything for the next one: each case is rolled back anyway)."""
    demand = MeetingDemand(house_id=world["house_a"].id, matter="Pihan valaistus")
    session.add(demand)
    session.flush()
    return {"demand_a": demand}


PARAMS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "demand_id": lambda world: world["demand_a"].id,
}
SECTIONS: dict[str, Callable[[dict[str, Any]], Any]] = {}
