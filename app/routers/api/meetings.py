"""Resident meetings API: list, read, convene, record the minutes."""

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends
from sqlalchemy.engine import Engine

from app import policies
from app.db import get_bind
from app.deps import ApiUser, SessionDep, permit, today
from app.models.houses import House
from app.models.meetings import MeetingCreate, MeetingMinutes, MeetingPublic, ResidentMeeting
from app.services.bodies import houses as houses_service
from app.services.bodies import meetings as meetings_service
from app.services.mail import delivery as mail_service

router = APIRouter(prefix="/api/v1", tags=["meetings"])


def get_viewable_house(house_id: int, user: ApiUser, session: SessionDep) -> House:
    """A house whose meetings the caller may read (scope read)."""
    house = houses_service.get(session, house_id)
    permit(policies.has_scope(user, "read") and policies.can_view_meetings(user, house_id))
    return house


def get_organisable_house(house_id: int, user: ApiUser, session: SessionDep) -> House:
    """A house for which the caller may convene a meeting (scope write)."""
    house = houses_service.get(session, house_id)
    permit(policies.has_scope(user, "write") and policies.can_organise_meeting(user, house_id))
    return house


def get_viewable_meeting(meeting_id: int, user: ApiUser, session: SessionDep) -> ResidentMeeting:
    """A meeting the caller may read (scope read)."""
    meeting = meetings_service.get(session, meeting_id)
    permit(policies.has_scope(user, "read") and policies.can_view_meetings(user, meeting.house_id))
    return meeting


def get_organisable_meeting(meeting_id: int, user: ApiUser, session: SessionDep) -> ResidentMeeting:
    """A meeting whose minutes the caller may record (scope write)."""
    meeting = meetings_service.get(session, meeting_id)
    permit(
        policies.has_scope(user, "write") and policies.can_organise_meeting(user, meeting.house_id)
    )
    return meeting


ViewableHouse = Annotated[House, Depends(get_viewable_house)]
OrganisableHouse = Annotated[House, Depends(get_organisable_house)]
ViewableMeeting = Annotated[ResidentMeeting, Depends(get_viewable_meeting)]
OrganisableMeeting = Annotated[ResidentMeeting, Depends(get_organisable_meeting)]


def _public(meeting: ResidentMeeting) -> MeetingPublic:
    return MeetingPublic.model_validate(meeting, from_attributes=True)


@router.get("/houses/{house_id}/meetings", response_model=list[MeetingPublic])
def list_meetings(session: SessionDep, house: ViewableHouse) -> list[MeetingPublic]:
    """A house's resident meetings, newest first."""
    assert house.id is not None
    return [_public(m) for m in meetings_service.list_for_house(session, house.id)]


@router.get("/meetings/{meeting_id}", response_model=MeetingPublic)
def read_meeting(meeting: ViewableMeeting) -> MeetingPublic:
    """One resident meeting."""
    return _public(meeting)


@router.post("/houses/{house_id}/meetings", response_model=MeetingPublic, status_code=201)
def create_meeting(
    session: SessionDep,
    user: ApiUser,
    house: OrganisableHouse,
    data: MeetingCreate,
    background: BackgroundTasks,
    bind: Annotated[Engine, Depends(get_bind)],
) -> MeetingPublic:
    """Convene a meeting (starts_at without a zone is Helsinki time); 422 on a short notice."""
    assert house.id is not None
    meeting = meetings_service.create(session, house.id, data, user.id, today())
    background.add_task(mail_service.send_pending, bind)
    return _public(meeting)


@router.put("/meetings/{meeting_id}/minutes", response_model=MeetingPublic)
def record_minutes(
    session: SessionDep, user: ApiUser, meeting: OrganisableMeeting, data: MeetingMinutes
) -> MeetingPublic:
    """Record the minutes and decisions; 409 if the version is stale."""
    return _public(meetings_service.record_minutes(session, meeting, data, user.id))
