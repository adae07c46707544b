"""Elections API: elections with their candidates and results, casting a house's ballot."""

from typing import Annotated

from fastapi import APIRouter, Depends

from app.deps import SessionDep, require_api, today
from app.models.ballots import (
    BallotIn,
    CandidatePublic,
    Election,
    ElectionCreate,
    ElectionPublic,
    ReceiptPublic,
)
from app.routers.api import ERROR_RESPONSES
from app.services.access.roles import Principal
from app.services.ballots import elections as service
from app.services.ballots import voting

router = APIRouter(prefix="/api/v1/elections", tags=["elections"], responses=ERROR_RESPONSES)

Reader = Annotated[Principal, require_api("can_view_elections", "read")]
Voter = Annotated[Principal, require_api("can_view_elections", "write")]
Manager = Annotated[Principal, require_api("can_manage_elections", "write")]
Overseer = Annotated[Principal, require_api("can_manage_elections", "read")]


def get_election(election_id: int, user: Reader, session: SessionDep) -> Election:
    """An election (every logged-in person may read the elections)."""
    return service.get_election(session, election_id)


ViewableElection = Annotated[Election, Depends(get_election)]


def _public(session: SessionDep, election: Election) -> ElectionPublic:
    public = ElectionPublic.model_validate(
        election.model_dump() | {"phase": service.phase(election, today()).value}
    )
    public.candidates = [
        CandidatePublic.model_validate(
            row.candidate.model_dump() | {"name": row.name, "house_name": row.house_name}
        )
        for row in service.candidates(session, election)
    ]
    return public


@router.get("", response_model=list[ElectionPublic])
def list_elections(session: SessionDep, user: Reader) -> list[ElectionPublic]:
    """Every election, newest first, with candidates (and results once counted)."""
    return [_public(session, e) for e in service.list_elections(session)]


@router.post("", response_model=ElectionPublic, status_code=201)
def create_election(session: SessionDep, user: Manager, data: ElectionCreate) -> ElectionPublic:
    """Create an election (management)."""
    return _public(session, service.create_election(session, data, user.id))


@router.get("/{election_id}", response_model=ElectionPublic)
def read_election(session: SessionDep, user: Reader, election: ViewableElection) -> ElectionPublic:
    """One election."""
    return _public(session, election)


@router.get("/{election_id}/turnout", response_model=dict[str, int])
def read_turnout(session: SessionDep, user: Overseer, election: ViewableElection) -> dict[str, int]:
    """How many houses have voted (management): never who voted for whom."""
    result = voting.turnout(session, election, today())
    return {"voted": result.voted, "houses": result.houses}


@router.post("/{election_id}/ballots", response_model=ReceiptPublic, status_code=201)
def cast_ballot(
    session: SessionDep, user: Voter, election: ViewableElection, data: BallotIn
) -> ReceiptPublic:
    """Cast a house's ballot; the receipt code is in the answer, once."""
    receipt = voting.cast_vote(
        session, election, user.id, data.house_id, data.candidate_ids, today()
    )
    return ReceiptPublic(receipt=receipt)


@router.post("/{election_id}/receipts/check", response_model=dict[str, bool])
def check_receipt(
    session: SessionDep, user: Reader, election: ViewableElection, data: ReceiptPublic
) -> dict[str, bool]:
    """Whether a ballot with the receipt code is in the ballot box."""
    return {"found": voting.verify_receipt(session, election, data.receipt)}
