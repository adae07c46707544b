"""Residents' demands for a resident meeting, in the API: list, read, start, sign, withdraw."""

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, status
from sqlalchemy.engine import Engine

from app import policies
from app.db import get_bind
from app.deps import ApiUser, SessionDep, permit, today
from app.models.demands import MeetingDemand, MeetingDemandCreate, MeetingDemandPublic
from app.models.houses import House
from app.services.access.roles import Principal
from app.services.bodies import demands as demands_service
from app.services.bodies import houses as houses_service
from app.services.mail import delivery as mail_service

router = APIRouter(prefix="/api/v1", tags=["meeting demands"])

Bind = Annotated[Engine, Depends(get_bind)]


def get_viewable_house(house_id: int, user: ApiUser, session: SessionDep) -> House:
    """A house whose demands the caller may read: whoever sees its meetings (scope read)."""
    house = houses_service.get(session, house_id)
    permit(policies.has_scope(user, "read") and policies.can_view_meetings(user, house_id))
    return house


def get_demanding_house(house_id: int, user: ApiUser, session: SessionDep) -> House:
    """A house for which the caller may start a demand: one of its voters (scope write)."""
    house = houses_service.get(session, house_id)
    permit(policies.has_scope(user, "write") and policies.can_view_meetings(user, house_id))
    _voter(user, house_id)
    return house


def get_viewable_demand(demand_id: int, user: ApiUser, session: SessionDep) -> MeetingDemand:
    """A demand the caller may read (scope read)."""
    demand = demands_service.get(session, demand_id)
    permit(policies.has_scope(user, "read") and policies.can_view_meetings(user, demand.house_id))
    return demand


def get_signable_demand(demand_id: int, user: ApiUser, session: SessionDep) -> MeetingDemand:
    """A demand the caller may sign: a voter of its house (scope write)."""
    demand = demands_service.get(session, demand_id)
    permit(policies.has_scope(user, "write") and policies.can_view_meetings(user, demand.house_id))
    _voter(user, demand.house_id)
    return demand


def get_own_signature_demand(demand_id: int, user: ApiUser, session: SessionDep) -> MeetingDemand:
    """A demand whose signature the caller may withdraw: their own, in a house whose meetings
    they see (scope write)."""
    demand = demands_service.get(session, demand_id)
    permit(policies.has_scope(user, "write") and policies.can_view_meetings(user, demand.house_id))
    return demand


def _voter(user: Principal, house_id: int) -> None:
    """403 with the reason for someone of the house who has no vote in it."""
    if not policies.can_vote_in(user, house_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=demands_service.NotAVoter().message)


ViewableHouse = Annotated[House, Depends(get_viewable_house)]
DemandingHouse = Annotated[House, Depends(get_demanding_house)]
ViewableDemand = Annotated[MeetingDemand, Depends(get_viewable_demand)]
SignableDemand = Annotated[MeetingDemand, Depends(get_signable_demand)]
OwnSignatureDemand = Annotated[MeetingDemand, Depends(get_own_signature_demand)]


def _public(item: demands_service.DemandView) -> MeetingDemandPublic:
    demand = item.demand
    assert demand.id is not None
    return MeetingDemandPublic(
        id=demand.id,
        house_id=demand.house_id,
        matter=demand.matter,
        status=item.status,
        created_at=demand.created_at,
        due_at=demand.due_at,
        closed_at=demand.closed_at,
        convened_meeting_id=demand.convened_meeting_id,
        signatures=item.signatures,
        voters=item.voters,
        needed=item.needed,
        signed=item.signed,
        version=demand.version,
    )


@router.get("/houses/{house_id}/meeting-demands", response_model=list[MeetingDemandPublic])
def list_demands(
    session: SessionDep, user: ApiUser, house: ViewableHouse
) -> list[MeetingDemandPublic]:
    """A house's demands for a resident meeting, open and closed, the newest first."""
    assert house.id is not None
    found = demands_service.for_house(session, house.id, user.id, today())
    return [_public(item) for item in found]


@router.post(
    "/houses/{house_id}/meeting-demands", response_model=MeetingDemandPublic, status_code=201
)
def start_demand(
    session: SessionDep,
    user: ApiUser,
    house: DemandingHouse,
    data: MeetingDemandCreate,
    background: BackgroundTasks,
    bind: Bind,
) -> MeetingDemandPublic:
    """Demand a resident meeting on the matters named, signed by the caller (a voter of the
    house; 403 otherwise). Due at once when that is a tenth of the house's voters."""
    assert house.id is not None
    try:
        demand = demands_service.start(session, house.id, data, user.id, today())
    except demands_service.NotAVoter as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=exc.message) from None
    background.add_task(mail_service.send_pending, bind)
    return _public(demands_service.view(session, demand, user.id, today()))


@router.get("/meeting-demands/{demand_id}", response_model=MeetingDemandPublic)
def read_demand(session: SessionDep, user: ApiUser, demand: ViewableDemand) -> MeetingDemandPublic:
    """One demand with its signatures counted against the house's voters."""
    return _public(demands_service.view(session, demand, user.id, today()))


@router.put("/meeting-demands/{demand_id}/signature", response_model=MeetingDemandPublic)
def sign_demand(
    session: SessionDep,
    user: ApiUser,
    demand: SignableDemand,
    background: BackgroundTasks,
    bind: Bind,
) -> MeetingDemandPublic:
    """Sign an open demand (again: no change); 422 once it is closed."""
    try:
        demands_service.sign(session, demand, user.id, today())
    except demands_service.NotAVoter as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=exc.message) from None
    background.add_task(mail_service.send_pending, bind)
    return _public(demands_service.view(session, demand, user.id, today()))


@router.delete("/meeting-demands/{demand_id}/signature", response_model=MeetingDemandPublic)
def withdraw_signature(
    session: SessionDep, user: ApiUser, demand: OwnSignatureDemand
) -> MeetingDemandPublic:
    """Withdraw the caller's signature from an open demand (none: no change); 422 once it is
    closed."""
    demands_service.withdraw(session, demand, user.id)
    return _public(demands_service.view(session, demand, user.id, today()))
