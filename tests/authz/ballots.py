"""Authorization matrix entries for the election and survey routes.

Every logged-in person sees the elections; management and administrators create them, follow
the turnout and count the votes; sitting chairs stand; committee members name who casts their
house's vote (the service then checks chair or vice-chair of that very house, tested in
tests/services/ballots/test_elections.py). Whose vote a person may cast is decided by the data and
refused with a message (422), never by the route's guard.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlmodel import Session

from app.deps import today
from app.models.ballots import ElectionCreate
from app.models.calendar import Audience
from app.models.surveys import SurveyCreate
from app.services.access.roles import load_principal
from app.services.ballots import elections as elections_service
from app.services.ballots import surveys as surveys_service
from tests.authz.roles import LOGGED_IN, OVERSEERS, Rule

CHAIRS = {"chair_a", "chair_b", "yte"}
COMMITTEES = CHAIRS | {"member_a"}
SURVEY_MAKERS = COMMITTEES | {"manager_a", "manager_b"} | OVERSEERS
# The world's survey is for house A's residents (its manager belongs to the audience too).
HOUSE_A_AUDIENCE = {"resident_a", "member_a", "chair_a", "manager_a"} | OVERSEERS

MATRIX: dict[str, Rule] = {
    "GET /elections": Rule(LOGGED_IN),
    "GET /elections/new": Rule(OVERSEERS),
    "POST /elections/new": Rule(OVERSEERS),
    "POST /elections/from-event/{event_id}": Rule(OVERSEERS),
    "GET /elections/{election_id}": Rule(LOGGED_IN),
    "POST /elections/{election_id}/candidacy": Rule(CHAIRS),
    "POST /elections/{election_id}/candidacy/withdraw": Rule(CHAIRS),
    "POST /elections/{election_id}/delegate": Rule(COMMITTEES),
    "POST /elections/{election_id}/vote": Rule(LOGGED_IN),
    "POST /elections/{election_id}/receipt": Rule(LOGGED_IN),
    "POST /elections/{election_id}/count": Rule(OVERSEERS),
    "GET /api/v1/elections": Rule(LOGGED_IN),
    "POST /api/v1/elections": Rule(OVERSEERS),
    "GET /api/v1/elections/{election_id}": Rule(LOGGED_IN),
    "GET /api/v1/elections/{election_id}/turnout": Rule(OVERSEERS),
    "POST /api/v1/elections/{election_id}/ballots": Rule(LOGGED_IN),
    "POST /api/v1/elections/{election_id}/receipts/check": Rule(LOGGED_IN),
    "POST /api/v1/elections/{election_id}/count": Rule(OVERSEERS),
    "GET /surveys": Rule(LOGGED_IN),
    "GET /surveys/new": Rule(SURVEY_MAKERS),
    "POST /surveys/new": Rule(SURVEY_MAKERS),
    "GET /surveys/{survey_id}": Rule(HOUSE_A_AUDIENCE),
    "POST /surveys/{survey_id}/answer": Rule(HOUSE_A_AUDIENCE),
    "POST /surveys/{survey_id}/share": Rule(OVERSEERS),
    "GET /surveys/{survey_id}/results.csv": Rule(OVERSEERS),
    "GET /api/v1/surveys": Rule(LOGGED_IN),
    "GET /api/v1/surveys/{survey_id}": Rule(HOUSE_A_AUDIENCE),
    "POST /api/v1/surveys/{survey_id}/answers": Rule(HOUSE_A_AUDIENCE),
    "GET /api/v1/surveys/{survey_id}/results": Rule(HOUSE_A_AUDIENCE),
}


def extend_world(session: Session, world: dict[str, Any]) -> dict[str, Any]:
    """An election whose voting runs today."""
    day = today()
    election, _counting_key = elections_service.create_election(
        session,
        ElectionCreate(
            title="Haso-yte",
            nomination_opens_on=day - timedelta(days=20),
            nomination_closes_on=day - timedelta(days=3),
            voting_opens_on=day - timedelta(days=1),
            voting_closes_on=day + timedelta(days=6),
        ),
        None,
    )
    # A closed survey of house A's residents, made by management, its results shared.
    survey = surveys_service.create_survey(
        session,
        SurveyCreate(
            title="Kysely",
            audience=Audience.house_residents,
            house_id=world["house_a"].id,
            opens_on=day - timedelta(days=10),
            closes_on=day - timedelta(days=1),
            questions="scale: Viihtyvyys?",
        ),
        load_principal(session, world["people"]["management"], day),
    )
    survey.results_shared = True
    session.add(survey)
    session.flush()
    return {"election": election, "survey": survey}


PARAMS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "election_id": lambda world: world["election"].id,
    "survey_id": lambda world: world["survey"].id,
}
SECTIONS: dict[str, Callable[[dict[str, Any]], Any]] = {}
