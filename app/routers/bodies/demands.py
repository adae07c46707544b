"""Residents' demands for a resident meeting: start one, sign it, withdraw a signature."""

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.engine import Engine

from app import policies
from app.config import get_settings
from app.db import get_bind
from app.deps import CurrentUser, FormData, SessionDep, today
from app.errors import ValidationFailed
from app.forms import parse
from app.models.demands import MATTER_MAX_LENGTH, MeetingDemand, MeetingDemandCreate
from app.models.houses import House
from app.services.access.roles import Principal
from app.services.bodies import demands as demands_service
from app.services.bodies import houses as houses_service
from app.services.bodies import meetings as meetings_service
from app.services.mail import delivery as mail_service
from app.templating import render

router = APIRouter()

Bind = Annotated[Engine, Depends(get_bind)]


def get_demand_house(house_id: int, user: CurrentUser, session: SessionDep) -> House:
    """A house whose demands the user may see (whoever sees its meetings); 404 or 403.
    Whether they may start one (a voter of the house) the service decides, saying why not."""
    house = houses_service.get(session, house_id)
    if not policies.can_view_meetings(user, house_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    return house


def get_viewable_demand(demand_id: int, user: CurrentUser, session: SessionDep) -> MeetingDemand:
    """A demand the user may see (whoever sees its house's meetings); 404 or 403."""
    demand = demands_service.get(session, demand_id)
    if not policies.can_view_meetings(user, demand.house_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    return demand


DemandHouse = Annotated[House, Depends(get_demand_house)]
ViewableDemand = Annotated[MeetingDemand, Depends(get_viewable_demand)]


def _new_form(
    request: Request,
    session: SessionDep,
    user: Principal,
    house: House,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    refused: str = "",
) -> Response:
    assert house.id is not None
    if not refused and not policies.can_vote_in(user, house.id):
        refused, status_code = demands_service.NotAVoter().message, status.HTTP_403_FORBIDDEN
    context: dict[str, Any] = {
        "house": house,
        "values": values,
        "errors": errors or {},
        "refused": refused,
        "max_length": MATTER_MAX_LENGTH,
    }
    if not refused:
        voters = len(demands_service.voter_ids(session, house.id, today()))
        context |= {"voters": voters, "needed": demands_service.needed_for(voters)}
    return render(request, "demands/new.html", context, status_code=status_code)


@router.get("/houses/{house_id}/meeting-demands/new", name="meeting_demand_new")
def new_demand_form(
    request: Request, session: SessionDep, user: CurrentUser, house: DemandHouse
) -> Response:
    """The form for demanding a resident meeting; a non-voter is told who may (403)."""
    return _new_form(request, session, user, house, {})


@router.post("/houses/{house_id}/meeting-demands/new")
def start_demand(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    house: DemandHouse,
    background: BackgroundTasks,
    bind: Bind,
    form: FormData,
) -> Response:
    """Start a demand, signed by the one who starts it."""
    values = dict(form)
    assert house.id is not None
    try:
        data = parse(MeetingDemandCreate, values)
        demand = demands_service.start(session, house.id, data, user.id, today())
    except ValidationFailed as exc:
        return _new_form(request, session, user, house, values, exc.errors, 422)
    except demands_service.NotAVoter as exc:
        return _new_form(
            request, session, user, house, values, status_code=403, refused=exc.message
        )
    background.add_task(mail_service.send_pending, bind)
    return RedirectResponse(f"/meeting-demands/{demand.id}", status_code=303)


def _detail(
    request: Request,
    session: SessionDep,
    user: Principal,
    demand: MeetingDemand,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    house = houses_service.get(session, demand.house_id)
    organiser = policies.can_organise_meeting(user, demand.house_id)
    meeting = (
        meetings_service.get(session, demand.convened_meeting_id)
        if demand.convened_meeting_id is not None
        else None
    )
    context = {
        "house": house,
        "item": demands_service.view(session, demand, user.id, today()),
        "meeting": meeting,
        "signers": demands_service.signers(session, demand.id or 0) if organiser else None,
        "organiser": organiser,
        "notice_days": get_settings().meeting_notice_days,
        "errors": errors or {},
    }
    return render(request, "demands/detail.html", context, status_code=status_code)


@router.get("/meeting-demands/{demand_id}", name="meeting_demand")
def demand_page(
    request: Request, session: SessionDep, user: CurrentUser, demand: ViewableDemand
) -> Response:
    """A demand: the matters, its signatures against the voters, where it stands."""
    return _detail(request, session, user, demand)


def _back(demand: MeetingDemand, form: dict[str, str]) -> RedirectResponse:
    """Back where the button was: the house's page or the demand's."""
    if form.get("back") == "house":
        return RedirectResponse(f"/houses/{demand.house_id}#meeting-demands", status_code=303)
    return RedirectResponse(f"/meeting-demands/{demand.id}", status_code=303)


@router.post("/meeting-demands/{demand_id}/sign")
def sign_demand(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    demand: ViewableDemand,
    background: BackgroundTasks,
    bind: Bind,
    form: FormData,
) -> Response:
    """Sign an open demand of one's house (signing twice changes nothing)."""
    try:
        demands_service.sign(session, demand, user.id, today())
    except ValidationFailed as exc:
        return _detail(request, session, user, demand, exc.errors, 422)
    except demands_service.NotAVoter as exc:
        return _detail(request, session, user, demand, {"": exc.message}, 403)
    background.add_task(mail_service.send_pending, bind)
    return _back(demand, form)


@router.post("/meeting-demands/{demand_id}/withdraw")
def withdraw_signature(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    demand: ViewableDemand,
    form: FormData,
) -> Response:
    """Take one's signature off an open demand (nothing happens without one)."""
    try:
        demands_service.withdraw(session, demand, user.id)
    except ValidationFailed as exc:
        return _detail(request, session, user, demand, exc.errors, 422)
    return _back(demand, form)
