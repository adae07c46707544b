"""The front page, the kinds of participation, the health check and the development outbox."""

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from app import policies
from app.deps import CurrentUser, OptionalUser, SessionDep, SettingsDep
from app.services.mail import delivery as mail_service
from app.services.overview import home as home_service
from app.templating import render

router = APIRouter()


@router.get("/", name="home")
def front_page(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """What awaits me (management: with the company's dashboard), what is new, what is coming;
    my roles and houses last."""
    return render(request, "home/index.html", {"view": home_service.front_page(session, user)})


@router.get("/participation", name="participation")
def participation_page(request: Request, user: CurrentUser) -> Response:
    """The six kinds of participation explained."""
    return render(request, "home/participation.html")


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    """Browsers ask for /favicon.ico on their own (pages name the SVG icon)."""
    return RedirectResponse("/static/favicon.svg", status_code=301)


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
