"""Resident committees API: list, the one in office, read, record, seat and remove members."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status

from app import policies
from app.deps import ApiUser, SessionDep, permit, today
from app.models.committees import (
    CommitteeCreate,
    CommitteeMemberPublic,
    CommitteePublic,
    MemberCreate,
    ResidentCommittee,
)
from app.models.houses import House
from app.services.bodies import committees as committees_service
from app.services.bodies import houses as houses_service

router = APIRouter(prefix="/api/v1", tags=["committees"])


def get_viewable_house(house_id: int, user: ApiUser, session: SessionDep) -> House:
    """A house whose committees the caller may read (scope read)."""
    house = houses_service.get(session, house_id)
    permit(policies.has_scope(user, "read") and policies.can_view_committee(user, house_id))
    return house


def get_manageable_house(house_id: int, user: ApiUser, session: SessionDep) -> House:
    """A house whose committees the caller may record (scope write)."""
    house = houses_service.get(session, house_id)
    permit(policies.has_scope(user, "write") and policies.can_manage_committee(user, house_id))
    return house


def get_viewable_committee(
    committee_id: int, user: ApiUser, session: SessionDep
) -> ResidentCommittee:
    """A committee the caller may read (scope read)."""
    committee = committees_service.get(session, committee_id)
    permit(
        policies.has_scope(user, "read") and policies.can_view_committee(user, committee.house_id)
    )
    return committee


def get_manageable_committee(
    committee_id: int, user: ApiUser, session: SessionDep
) -> ResidentCommittee:
    """A committee whose members the caller may change (scope write)."""
    committee = committees_service.get(session, committee_id)
    permit(
        policies.has_scope(user, "write")
        and policies.can_manage_committee(user, committee.house_id)
    )
    return committee


ViewableHouse = Annotated[House, Depends(get_viewable_house)]
ManageableHouse = Annotated[House, Depends(get_manageable_house)]
ViewableCommittee = Annotated[ResidentCommittee, Depends(get_viewable_committee)]
ManageableCommittee = Annotated[ResidentCommittee, Depends(get_manageable_committee)]


@router.get("/houses/{house_id}/committees", response_model=list[CommitteePublic])
def list_committees(session: SessionDep, house: ViewableHouse) -> list[CommitteePublic]:
    """A house's committees, the newest term first."""
    assert house.id is not None
    return [
        committees_service.public(session, c)
        for c in committees_service.list_for_house(session, house.id)
    ]


@router.get("/houses/{house_id}/committees/current", response_model=CommitteePublic)
def current_committee(session: SessionDep, house: ViewableHouse) -> CommitteePublic:
    """The committee in office today; 404 when there is none."""
    assert house.id is not None
    committee = committees_service.current(session, house.id, today())
    if committee is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No committee in office")
    return committees_service.public(session, committee)


@router.get("/committees/{committee_id}", response_model=CommitteePublic)
def read_committee(session: SessionDep, committee: ViewableCommittee) -> CommitteePublic:
    """One committee with its members."""
    return committees_service.public(session, committee)


@router.post("/houses/{house_id}/committees", response_model=CommitteePublic, status_code=201)
def create_committee(
    session: SessionDep, user: ApiUser, house: ManageableHouse, data: CommitteeCreate
) -> CommitteePublic:
    """Record a committee elected by a held meeting of the house; 422 if a rule is broken."""
    assert house.id is not None
    committee = committees_service.create(session, house.id, data, user.id)
    return committees_service.public(session, committee)


@router.post(
    "/committees/{committee_id}/members", response_model=CommitteeMemberPublic, status_code=201
)
def add_member(
    session: SessionDep, user: ApiUser, committee: ManageableCommittee, data: MemberCreate
) -> CommitteeMemberPublic:
    """Seat a resident who may stand (an adult holder, co-holder or holder's spouse or partner
    of the house, one per apartment); 422 with the reason at person_id or position."""
    seat = committees_service.add_member(session, committee, data, user.id, today())
    return committees_service.seat_public(session, seat)


@router.delete("/committees/{committee_id}/members/{member_id}", status_code=204)
def remove_member(
    session: SessionDep, user: ApiUser, committee: ManageableCommittee, member_id: int
) -> None:
    """Take a seat away."""
    committees_service.remove_member(session, committee, member_id, user.id)
