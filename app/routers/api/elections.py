"""Elections API: elections with their candidates and results, casting a house's ballot."""

from typing import Annotated

from fastapi import APIRouter, Depends

from app.deps import SessionDep, require_api, today
from app.models.ballots import (
    BallotIn,
    CandidatePublic,
    CountIn,
    Election,
    ElectionCreate,
    ElectionCreated,
    ElectionPublic,
    ReceiptPublic,
)
from app.models.types import utcnow
from app.routers.api import ERROR_RESPONSES
from app.services.access.roles import Principal
from app.services.ballots import counting, election_mail, voting
from app.services.ballots import elections as service

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


@router.post("", response_model=ElectionCreated, status_code=201)
def create_election(session: SessionDep, user: Manager, data: ElectionCreate) -> ElectionCreated:
    """Create an election (management). The answer holds the counting key, once: the ballots are
    sealed with it and cannot be counted without it; the portal does not keep it."""
    election, counting_key = service.create_election(session, data, user.id)
    public = _public(session, election)
    return ElectionCreated.model_validate(public.model_dump() | {"counting_key": counting_key})


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


@router.post("/{election_id}/count", response_model=ElectionPublic)
def count_votes(
    session: SessionDep, user: Manager, election: ViewableElection, data: CountIn
) -> ElectionPublic:
    """Count the votes once the voting has closed, with the counting key (management); the
    chairs and the candidates are mailed the results."""
    now = utcnow()
    counting.count(session, election, user.id, data.counting_key, now=now)
    election_mail.announce_results(session, election, now)
    return _public(session, election)


@router.post("/{election_id}/receipts/check", response_model=dict[str, bool])
def check_receipt(
    session: SessionDep, user: Reader, election: ViewableElection, data: ReceiptPublic
) -> dict[str, bool]:
    """Whether a counted ballot has the receipt code (refused with 422 before the count)."""
    return {"found": voting.verify_receipt(session, election, data.receipt)}
