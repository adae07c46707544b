"""Annual calendar API: the caller's events, and the recurring templates for management."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from app.deps import SessionDep, require_api, today
from app.errors import ValidationFailed
from app.forms import IsoDay
from app.i18n import _
from app.models.calendar import CalendarEvent
from app.models.calendar_schemas import EventPublic, TemplateInput, TemplatePublic
from app.routers.api import ERROR_RESPONSES
from app.services.access.roles import Principal
from app.services.calendar import events as calendar_service
from app.services.calendar import labels as calendar_labels

router = APIRouter(prefix="/api/v1/calendar", tags=["calendar"], responses=ERROR_RESPONSES)

Reader = Annotated[Principal, require_api("can_view_calendar", "read")]
ManagerReader = Annotated[Principal, require_api("can_manage_calendar", "read")]
Writer = Annotated[Principal, require_api("can_manage_calendar", "write")]
MAX_RANGE_DAYS = 800


def get_viewable_event(event_id: int, user: Reader, session: SessionDep) -> CalendarEvent:
    """An event the caller's roles concern; any other is 404."""
    return calendar_service.get_visible(session, user, event_id)


ViewableEvent = Annotated[CalendarEvent, Depends(get_viewable_event)]


def _event(event: CalendarEvent) -> EventPublic:
    assert event.id is not None
    return EventPublic(
        id=event.id,
        template_id=event.template_id,
        kind=event.kind,
        title=calendar_labels.title(event),
        description=calendar_labels.description(event),
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        audience=event.audience,
        house_id=event.house_id,
        participation=event.participation,
        mode=event.mode,
        place=event.place,
        link=event.link,
        registration=event.registration,
        capacity=event.capacity,
        cancelled=event.cancelled_at is not None,
        adjusted=event.adjusted_at is not None,
        version=event.version,
    )


@router.get("/events", response_model=list[EventPublic])
def list_events(
    session: SessionDep,
    user: Reader,
    start: Annotated[IsoDay | None, Query(alias="from", description="First day (Helsinki)")] = None,
    end: Annotated[IsoDay | None, Query(alias="to", description="Last day (Helsinki)")] = None,
    cancelled: Annotated[bool, Query(description="Include cancelled events")] = False,
) -> list[EventPublic]:
    """The caller's events from `from` (default today) to `to` (default a year on), in order."""
    first = start or today()
    last = end or first + timedelta(days=365)
    if last < first:
        raise ValidationFailed({"to": _("The end date must not be before the start date.")})
    if (last - first).days > MAX_RANGE_DAYS:
        raise ValidationFailed(
            {"to": _("Ask for at most %(days)s days at a time.", days=MAX_RANGE_DAYS)}
        )
    events = calendar_service.range_events(session, user, first, last, cancelled)
    return [_event(e) for e in events]


@router.get("/events/{event_id}", response_model=EventPublic)
def read_event(user: Reader, event: ViewableEvent) -> EventPublic:
    """One event the caller's roles concern (title and description in the caller's language)."""
    return _event(event)


@router.get("/templates", response_model=list[TemplatePublic])
def list_templates(session: SessionDep, user: ManagerReader) -> list[TemplatePublic]:
    """Every recurring template of the annual calendar (management)."""
    rows = calendar_service.list_templates(session)
    return [TemplatePublic.model_validate(t, from_attributes=True) for t in rows]


@router.post("/templates", response_model=TemplatePublic, status_code=201)
def create_template(session: SessionDep, user: Writer, data: TemplateInput) -> TemplatePublic:
    """Add a recurring template; its events for the coming twelve months are made at once."""
    template = calendar_service.create_template(session, data, user)
    return TemplatePublic.model_validate(template, from_attributes=True)
