"""The front page, the kinds of participation, the health check and the development outbox."""

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response

from app import policies
from app.deps import CurrentUser, OptionalUser, SessionDep, SettingsDep
from app.services.mail import delivery as mail_service
from app.services.overview import home as home_service
from app.templating import render

router = APIRouter()


@router.get("/", name="home")
def front_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """My houses, my roles, what is coming and what awaits me."""
    return render(request, "home/index.html", {"view": home_service.front_page(session, user)})


@router.get("/participation", name="participation")
def participation_page(request: Request, user: CurrentUser) -> Response:
    """The six kinds of participation explained."""
    return render(request, "home/participation.html")


@router.get("/healthz", include_in_schema=False)
def health(session: SessionDep) -> Response:
    """200 when the database answers (503 through the error handler when it does not)."""
    home_service.ping(session)
    return JSONResponse({"status": "ok"})


@router.get("/dev/outbox", name="outbox", include_in_schema=False)
def outbox(
    request: Request, session: SessionDep, settings: SettingsDep, user: OptionalUser
) -> Response:
    """Mail kept in development mode: only in debug mode, and only to this machine."""
    client_host = request.client.host if request.client else None
    if not policies.can_read_outbox(settings.debug, client_host):
        raise HTTPException(404)
    return render(request, "dev/outbox.html", {"deliveries": mail_service.recent(session)})
