"""Resident committee pages: record a committee elected by a meeting, seat and remove members."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response

from app import policies
from app.deps import CurrentUser, FormData, SessionDep, today
from app.errors import ValidationFailed
from app.forms import parse
from app.models.committees import CommitteeCreate, MemberCreate, ResidentCommittee
from app.models.houses import House
from app.models.types import utcnow
from app.services.bodies import committees as committees_service
from app.services.bodies import houses as houses_service
from app.services.bodies import meetings as meetings_service
from app.templating import render

router = APIRouter()


def get_manageable_house(house_id: int, user: CurrentUser, session: SessionDep) -> House:
    """A house whose committees the user may record; 404 or 403 otherwise."""
    house = houses_service.get(session, house_id)
    if not policies.can_manage_committee(user, house_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    return house


def get_viewable_committee(
    committee_id: int, user: CurrentUser, session: SessionDep
) -> ResidentCommittee:
    """A committee the user may see; 404 or 403 otherwise."""
    committee = committees_service.get(session, committee_id)
    if not policies.can_view_committee(user, committee.house_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    return committee


def get_manageable_committee(
    committee_id: int, user: CurrentUser, session: SessionDep
) -> ResidentCommittee:
    """A committee whose members the user may change; 404 or 403 otherwise."""
    committee = committees_service.get(session, committee_id)
    if not policies.can_manage_committee(user, committee.house_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    return committee


ManageableHouse = Annotated[House, Depends(get_manageable_house)]
ViewableCommittee = Annotated[ResidentCommittee, Depends(get_viewable_committee)]
ManageableCommittee = Annotated[ResidentCommittee, Depends(get_manageable_committee)]


def _new_form(
    request: Request,
    session: SessionDep,
    house: House,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    assert house.id is not None
    context = {
        "house": house,
        "meetings": meetings_service.started_for_house(session, house.id, utcnow()),
        "values": values,
        "errors": errors or {},
    }
    return render(request, "committees/new.html", context, status_code=status_code)


@router.get("/houses/{house_id}/committees/new", name="new_committee")
def new_committee_form(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    house: ManageableHouse,
    meeting: int | None = None,
) -> Response:
    """The form for recording a committee elected by one of the house's past meetings."""
    values: dict[str, Any] = {"elected_at_meeting_id": meeting} if meeting else {}
    return _new_form(request, session, house, values)


@router.post("/houses/{house_id}/committees/new")
def create_committee(
    request: Request, session: SessionDep, user: CurrentUser, house: ManageableHouse, form: FormData
) -> Response:
    """Record the committee; the term is at most two years and overlaps no other."""
    values = dict(form)
    assert house.id is not None
    try:
        data = parse(CommitteeCreate, values)
        committee = committees_service.create(session, house.id, data, user.id)
    except ValidationFailed as exc:
        return _new_form(
            request, session, house, values, exc.errors, status.HTTP_422_UNPROCESSABLE_CONTENT
        )
    return RedirectResponse(f"/committees/{committee.id}", status_code=303)


def _detail(
    request: Request,
    session: SessionDep,
    committee: ResidentCommittee,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    assert committee.id is not None
    day = today()
    meeting = (
        meetings_service.get(session, committee.elected_at_meeting_id)
        if committee.elected_at_meeting_id
        else None
    )
    context = {
        "committee": committee,
        "house": houses_service.get(session, committee.house_id),
        "meeting": meeting,
        "members": committees_service.members(session, committee.id),
        "candidates": committees_service.eligible_people(session, committee, day),
        "current": committees_service.is_current(committee, day),
        "values": values or {},
        "errors": errors or {},
    }
    return render(request, "committees/detail.html", context, status_code=status_code)


@router.get("/committees/{committee_id}", name="committee")
def committee_page(
    request: Request, session: SessionDep, user: CurrentUser, committee: ViewableCommittee
) -> Response:
    """A committee: its term, members and the meeting that elected it."""
    return _detail(request, session, committee)


@router.post("/committees/{committee_id}/members", name="add_committee_member")
def add_member(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    committee: ManageableCommittee,
    form: FormData,
) -> Response:
    """Seat a resident on the committee."""
    values = dict(form)
    try:
        data = parse(MemberCreate, values)
        committees_service.add_member(session, committee, data, user.id, today())
    except ValidationFailed as exc:
        return _detail(
            request,
            session,
            committee,
            values,
            exc.errors,
            status.HTTP_422_UNPROCESSABLE_CONTENT,
        )
    return RedirectResponse(f"/committees/{committee.id}", status_code=303)


@router.post("/committees/{committee_id}/members/{member_id}/remove", name="remove_member")
def remove_member(
    session: SessionDep, user: CurrentUser, committee: ManageableCommittee, member_id: int
) -> Response:
    """Take a seat away."""
    committees_service.remove_member(session, committee, member_id, user.id)
    return RedirectResponse(f"/committees/{committee.id}", status_code=303)
