"""Event registration pages: register, cancel, and the organiser's attendee list (and CSV).

The register and cancel forms sit on the event page (the partial calendar/_registration.html);
after a POST they send the browser back there (303) with the outcome as a code in the query
string, which the partial turns into a message in the reader's language. The mail a registration
or cancellation writes (the confirmation, the places of those who move up) leaves at once.
"""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.engine import Engine
from sqlalchemy.orm import object_session

from app import policies
from app.db import get_bind
from app.deps import CurrentUser, FormData, SessionDep
from app.jinja import env
from app.models.calendar import CalendarEvent, RegistrationStatus
from app.models.types import local_date, utcnow
from app.services.access.roles import Principal
from app.services.calendar import attendees as attendees_service
from app.services.calendar import registrations as registrations_service
from app.services.calendar.registrations import RegistrationRefused
from app.services.mail import delivery as mail_service
from app.templating import render

router = APIRouter()
Bind = Annotated[Engine, Depends(get_bind)]


def _load(session: SessionDep, event_id: int) -> CalendarEvent:
    return registrations_service.get_event(session, event_id)  # NotFound: the app answers 404


def get_registrable_event(event_id: int, user: CurrentUser, session: SessionDep) -> CalendarEvent:
    """An event whose audience includes the user; others do not exist for them (404)."""
    event = _load(session, event_id)
    if not policies.can_register_for_event(user, event):
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return event


def get_cancellable_event(event_id: int, user: CurrentUser, session: SessionDep) -> CalendarEvent:
    """An event the user may cancel a registration for: its audience, or a registrant."""
    event = _load(session, event_id)
    mine = registrations_service.registration_of(session, event_id, user.id)
    registered = mine is not None and mine.status in registrations_service.ACTIVE
    if not policies.can_cancel_registration(user, event, registered):
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return event


def get_organised_event(event_id: int, user: CurrentUser, session: SessionDep) -> CalendarEvent:
    """An event whose attendee list the user may see (404 outside its audience, else 403)."""
    event = _load(session, event_id)
    if not policies.can_view_attendees(user, event):
        visible = policies.can_register_for_event(user, event)
        raise HTTPException(status.HTTP_403_FORBIDDEN if visible else status.HTTP_404_NOT_FOUND)
    return event


RegistrableEvent = Annotated[CalendarEvent, Depends(get_registrable_event)]
CancellableEvent = Annotated[CalendarEvent, Depends(get_cancellable_event)]
OrganisedEvent = Annotated[CalendarEvent, Depends(get_organised_event)]


def _back(event: CalendarEvent, **outcome: str) -> RedirectResponse:
    return RedirectResponse(
        f"/calendar/events/{event.id}?{urlencode(outcome)}#registration", status_code=303
    )


@router.post("/calendar/events/{event_id}/register", name="event_register")
def register(
    session: SessionDep,
    user: CurrentUser,
    event: RegistrableEvent,
    form: FormData,
    background: BackgroundTasks,
    bind: Bind,
) -> Response:
    """Take a place, or a place on the waiting list, and go back to the event."""
    try:
        participants = registrations_service.parse_participants(form.get("participants"))
        registration = registrations_service.register(session, event, user, participants)
    except RegistrationRefused as exc:
        return _back(event, registration_error=exc.code)
    background.add_task(mail_service.send_pending, bind)
    return _back(event, registration=registration.status.value)


@router.post("/calendar/events/{event_id}/unregister", name="event_unregister")
def unregister(
    session: SessionDep,
    user: CurrentUser,
    event: CancellableEvent,
    background: BackgroundTasks,
    bind: Bind,
) -> Response:
    """Cancel one's registration (the waiting list moves up) and go back to the event."""
    try:
        registrations_service.cancel(session, event, user)
    except RegistrationRefused as exc:
        return _back(event, registration_error=exc.code)
    background.add_task(mail_service.send_pending, bind)
    return _back(event, registration=RegistrationStatus.cancelled.value)


@router.get("/calendar/events/{event_id}/attendees", name="event_attendees")
def attendees(
    request: Request, session: SessionDep, user: CurrentUser, event: OrganisedEvent
) -> Response:
    """Who has registered and who waits, for the organiser."""
    listing = attendees_service.attendees(session, event)
    context = {
        "event": event,
        "listing": listing,
        "places_left": registrations_service.places_left(session, event),
        "status_label": attendees_service.status_label,
    }
    return render(request, "calendar/attendees.html", context)


@router.get("/calendar/events/{event_id}/attendees.csv", name="event_attendees_csv")
def attendees_csv(session: SessionDep, user: CurrentUser, event: OrganisedEvent) -> Response:
    """The attendee list as CSV for Excel."""
    body = attendees_service.to_csv(attendees_service.attendees(session, event))
    day = local_date(event.starts_at).isoformat()
    return Response(
        content=body.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="osallistujat-{event.id}-{day}.csv"'
        },
    )


def registration_panel(
    event: CalendarEvent, user: Principal | None
) -> attendees_service.Panel | None:
    """The registration facts for the event page's partial (None: the event takes none).

    The event page is rendered by the calendar with only the event and the user; the facts are
    read through the event's own database session, the request's.
    """
    if not event.registration or event.id is None:
        return None
    session = object_session(event)
    if session is None:
        return None
    return attendees_service.panel(session, event, user, utcnow())  # type: ignore[arg-type]


def registration_message(code: str) -> str:
    """A refusal's reason in the reader's language (unknown codes get a general message)."""
    return registrations_service.error_message(code)


env.globals.update(
    registration_panel=registration_panel,
    registration_message=registration_message,
    registration_error_fields=registrations_service.ERROR_FIELDS,
)
