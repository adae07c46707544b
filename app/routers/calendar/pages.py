"""Annual calendar pages: month and list views, events, templates, personal feeds."""

import calendar as calendar_module
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from babel.dates import format_date, format_time, get_day_names
from fastapi import APIRouter, BackgroundTasks, Depends, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.engine import Engine

from app import i18n, policies
from app.db import get_bind
from app.deps import FormData, SessionDep, require, today
from app.errors import Conflict, ValidationFailed
from app.forms import parse
from app.i18n import _, use_language
from app.jinja import local, participation_name
from app.models.calendar import Audience, CalendarEvent, EventKind, EventTemplate, Mode, YearRule
from app.models.calendar_schemas import (
    AdjustForm,
    EventForm,
)
from app.models.participation import Participation
from app.models.types import utcnow
from app.services.access.roles import Principal
from app.services.calendar import events as calendar_service
from app.services.calendar import feeds as calendar_feeds
from app.services.calendar import labels as calendar_labels
from app.services.calendar import linked as calendar_linked
from app.templating import render

Bind = Annotated[Engine, Depends(get_bind)]
router = APIRouter()

Viewer = Annotated[Principal, require("can_view_calendar")]
Manager = Annotated[Principal, require("can_manage_calendar")]
UNPROCESSABLE = status.HTTP_422_UNPROCESSABLE_CONTENT
CHECKBOXES = ("registration", "active")


def get_viewable_event(event_id: int, user: Viewer, session: SessionDep) -> CalendarEvent:
    """An event the user's roles concern; any other is not found (404)."""
    return calendar_service.get_visible(session, user, event_id)


def get_managed_event(event_id: int, user: Manager, session: SessionDep) -> CalendarEvent:
    """An event management may adjust or cancel."""
    return calendar_service.get_event(session, event_id)


def get_managed_template(template_id: int, user: Manager, session: SessionDep) -> EventTemplate:
    """A template management may edit."""
    return calendar_service.get_template(session, template_id)


ViewableEvent = Annotated[CalendarEvent, Depends(get_viewable_event)]
ManagedEvent = Annotated[CalendarEvent, Depends(get_managed_event)]
ManagedTemplate = Annotated[EventTemplate, Depends(get_managed_template)]


def _clock(moment: datetime) -> str:
    """The time of day in Helsinki, in the current language (e.g. 18.00)."""
    return format_time(local(moment), "short", locale=i18n.locale(i18n.get_language()))


def labels() -> dict[str, Any]:
    return {
        "kind_labels": calendar_labels.KIND_LABELS,
        "mode_labels": calendar_labels.MODE_LABELS,
        "audience_label": calendar_labels.audience_label,
        "event_title": calendar_labels.title,
        "event_description": calendar_labels.description,
        "clock": _clock,
        "participation_options": [(p.value, participation_name(p)) for p in Participation],
    }


def form_choices(session: SessionDep, every_house: str) -> dict[str, Any]:
    """Options for the select fields of the event and template forms, in the current language."""
    houses = [("", every_house)] + [
        (str(h.id), f"{h.name} ({h.code})") for h in calendar_labels.house_options(session)
    ]
    return {
        "kind_options": [(k.value, _(calendar_labels.KIND_LABELS[k])) for k in EventKind],
        "audience_options": [(a.value, _(calendar_labels.AUDIENCE_LABELS[a])) for a in Audience],
        "mode_options": [(m.value, _(calendar_labels.MODE_LABELS[m])) for m in Mode],
        "year_options": [(y.value, _(calendar_labels.YEAR_LABELS[y])) for y in YearRule],
        "weekday_options": [("", _("A fixed day of the month"))]
        + [(str(i), _(label)) for i, label in enumerate(calendar_labels.WEEKDAY_LABELS)],
        "week_options": [(str(n), _(label)) for n, label in calendar_labels.WEEK_LABELS.items()],
        "house_options": houses,
        **labels(),
    }


def _participation(raw: str | None) -> Participation | None:
    try:
        return Participation(raw) if raw else None
    except ValueError:
        return None


def _month(raw: str | None) -> tuple[int, int]:
    """The month asked for (?month=YYYY-MM), this month if none or not valid."""
    if raw:
        try:
            year, month = (int(part) for part in raw.split("-"))
            date(year, month, 1)
            if 1900 <= year <= 2999:
                return year, month
        except ValueError:
            pass
    now = today()
    return now.year, now.month


def _weeks(year: int, month: int) -> list[list[date | None]]:
    """The month's weeks, Monday first; days of other months are None."""
    grid = calendar_module.Calendar(firstweekday=0).monthdatescalendar(year, month)
    return [[d if d.month == month else None for d in week] for week in grid]


# The day heading of the month's agenda (the month as a list, on narrow screens).
_AGENDA_DAY = {"fi": "cccc d. MMMM", "sv": "EEEE d MMMM", "en": "EEEE d MMMM"}


def _weekdays() -> list[tuple[str, str]]:
    """(full name, short name) of the days of the week, Monday first, in the current language:
    the month grid's column headings show the short name and explain it with the full one."""
    loc = i18n.locale(i18n.get_language())
    short = get_day_names("abbreviated", context="stand-alone", locale=loc)
    return [
        (_(label), short[i][:1].upper() + short[i][1:])
        for i, label in enumerate(calendar_labels.WEEKDAY_LABELS)
    ]


def _agenda(by_day: dict[date, list[CalendarEvent]]) -> list[tuple[date, str, list[CalendarEvent]]]:
    """The days of the month that have events, in order: (day, its heading, its events)."""
    lang = i18n.get_language()
    loc = i18n.locale(lang)
    agenda = []
    for day in sorted(by_day):
        heading = format_date(day, _AGENDA_DAY.get(lang, _AGENDA_DAY["fi"]), locale=loc)
        agenda.append((day, heading[:1].upper() + heading[1:], by_day[day]))
    return agenda


def _shift(year: int, month: int, by: int) -> str:
    index = year * 12 + month - 1 + by
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@router.get("/calendar", name="calendar")
def calendar_page(
    request: Request,
    session: SessionDep,
    user: Viewer,
    month: str | None = None,
    view: str | None = None,
    participation: str | None = None,
) -> Response:
    """The calendar as a month grid or as a list of coming events, filtered to the user."""
    kind = _participation(participation)
    year, month_number = _month(month)
    context: dict[str, Any] = {
        "view": "list" if view == "list" else "month",
        "participation": kind.value if kind else "",
        "year": year,
        "month_number": month_number,
        "month_value": f"{year:04d}-{month_number:02d}",
        "month_first": date(year, month_number, 1),
        "previous_month": _shift(year, month_number, -1),
        "next_month": _shift(year, month_number, 1),
        "today": today(),
        "weekdays": _weekdays(),
        **labels(),
    }
    if context["view"] == "list":
        events = calendar_service.upcoming(session, user, participation=kind)
    else:
        events = calendar_service.month_events(session, user, year, month_number, kind)
        by_day: dict[date, list[CalendarEvent]] = {}
        for event in events:
            by_day.setdefault(local(event.starts_at).date(), []).append(event)
        context.update(weeks=_weeks(year, month_number), by_day=by_day, agenda=_agenda(by_day))
    context["events"] = events
    context["houses"] = calendar_labels.house_names(session, {e.house_id for e in events})
    return render(request, "calendar/index.html", context)


# ---- personal feed -------------------------------------------------------------------------


def _feed_page(
    request: Request, session: SessionDep, user: Principal, token: str | None = None
) -> Response:
    context = {
        "feed": calendar_feeds.active_feed(session, user.id),
        "feed_url": calendar_feeds.feed_url(token) if token else None,
    }
    return render(request, "calendar/feed.html", context)


@router.get("/calendar/feed", name="calendar_feed")
def feed_page(request: Request, session: SessionDep, user: Viewer) -> Response:
    """My calendar feed: create, renew or revoke the secret address."""
    return _feed_page(request, session, user)


@router.post("/calendar/feed")
def create_feed(request: Request, session: SessionDep, user: Viewer) -> Response:
    """A new secret address (the old one stops working); shown on this answer only."""
    token, _feed = calendar_feeds.create_feed(session, user)
    return _feed_page(request, session, user, token)


@router.post("/calendar/feed/revoke")
def revoke_feed(session: SessionDep, user: Viewer) -> Response:
    """Stop the secret address."""
    calendar_feeds.revoke_feed(session, user)
    return RedirectResponse("/calendar/feed", status_code=303)


@router.get("/calendar/feed/{token}.ics", name="calendar_feed_file")
def feed_file(token: str, session: SessionDep, background: BackgroundTasks, bind: Bind) -> Response:
    """The person's events for calendar programs; the secret in the address is the login."""
    principal = calendar_feeds.principal_for_token(session, token)
    if principal is None:
        return Response("Not found", status_code=404, media_type="text/plain")
    background.add_task(calendar_feeds.note_feed_use, bind, token, utcnow())
    events = calendar_feeds.feed_events(session, principal)
    lang = principal.person.language.value
    with use_language(lang):
        body = calendar_feeds.calendar_file(events, lang, name=_("Haso annual calendar"))
    headers = {"Cache-Control": "private, max-age=900"}
    return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)


# ---- events --------------------------------------------------------------------------------


def _errors_for_form(errors: dict[str, str]) -> dict[str, str]:
    """The service names the start starts_at; the form has a date and a time field."""
    return {("starts_on" if k == "starts_at" else k): v for k, v in errors.items()}


def _event_form(
    request: Request,
    session: SessionDep,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {"values": values, "errors": errors or {}, **form_choices(session, _("No house"))}
    return render(request, "calendar/event_form.html", context, status_code=status_code)


@router.get("/calendar/events/new", name="new_calendar_event")
def new_event_form(request: Request, session: SessionDep, user: Manager) -> Response:
    """The form for adding a one-off event."""
    values = {
        "starts_on": (today() + timedelta(days=30)).isoformat(),
        "starts_time": "18:00",
        "duration_minutes": 120,
        "audience": Audience.all_chairs.value,
        "participation": Participation.information.value,
        "invitation_days": 21,
        "reminder_days": 2,
    }
    return _event_form(request, session, values)


@router.post("/calendar/events/new")
def create_event(request: Request, session: SessionDep, user: Manager, form: FormData) -> Response:
    """Add the event and show it."""
    values: dict[str, Any] = dict(form)
    values.setdefault("registration", "off")
    try:
        data = parse(EventForm, values)
        event = calendar_service.create_event(session, data.to_create(), user)
    except ValidationFailed as exc:
        errors = _errors_for_form(exc.errors)
        return _event_form(request, session, values, errors, UNPROCESSABLE)
    return RedirectResponse(f"/calendar/events/{event.id}", status_code=303)


@router.get("/calendar/events/{event_id}", name="calendar_event")
def event_page(
    request: Request, session: SessionDep, user: Viewer, event: ViewableEvent
) -> Response:
    """One event: time, place, link, audience, kind of participation, calendar file."""
    meeting = calendar_linked.meeting_of(session, event)
    context = {
        "event": event,
        "houses": calendar_labels.house_names(session, {event.house_id}),
        "back_month": local(event.starts_at).strftime("%Y-%m"),
        "meeting": meeting
        if meeting and policies.can_view_meetings(user, meeting.house_id)
        else None,
        **labels(),
    }
    return render(request, "calendar/detail.html", context)


@router.get("/calendar/events/{event_id}/calendar.ics", name="calendar_event_ics")
def event_file(user: Viewer, event: ViewableEvent) -> Response:
    """The event as an iCalendar file (a cancelled one says so)."""
    body = calendar_feeds.calendar_file([event], user.person.language.value)
    headers = {"Content-Disposition": f'attachment; filename="event-{event.id}.ics"'}
    return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)


def _adjust_form(
    request: Request,
    event: CalendarEvent,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {"event": event, "values": values, "errors": errors or {}, **labels()}
    return render(request, "calendar/adjust_form.html", context, status_code=status_code)


@router.get("/calendar/events/{event_id}/edit", name="edit_calendar_event")
def adjust_form(request: Request, user: Manager, event: ManagedEvent) -> Response:
    """The form for adjusting an event's time, place, link and description."""
    starts = local(event.starts_at)
    values: dict[str, Any] = event.model_dump()
    values.update(
        starts_on=starts.date().isoformat(),
        starts_time=starts.strftime("%H:%M"),
        duration_minutes=calendar_service.duration_minutes(event),
    )
    return _adjust_form(request, event, values)


@router.post("/calendar/events/{event_id}/edit")
def adjust_event(
    request: Request, session: SessionDep, user: Manager, event: ManagedEvent, form: FormData
) -> Response:
    """Save the adjustment; a stale form is shown again with a conflict message."""
    values: dict[str, Any] = dict(form)
    try:
        data = parse(AdjustForm, values)
        calendar_service.adjust_event(session, event, data.to_adjust(), user)
    except ValidationFailed as exc:
        errors = _errors_for_form(exc.errors)
        return _adjust_form(request, event, values, errors, UNPROCESSABLE)
    except Conflict:
        values["version"] = event.version
        return _adjust_form(request, event, values, {"": conflict()}, 409)
    return RedirectResponse(f"/calendar/events/{event.id}", status_code=303)


@router.post("/calendar/events/{event_id}/cancel")
def cancel_event(session: SessionDep, user: Manager, event: ManagedEvent) -> Response:
    """Cancel the event; it stays visible as cancelled."""
    calendar_service.cancel_event(session, event, user)
    return RedirectResponse(f"/calendar/events/{event.id}", status_code=303)


def conflict() -> str:
    return _(
        "Someone else saved this in the meantime. Your changes are kept below: compare them "
        "with the saved version and save again."
    )


# ---- templates -----------------------------------------------------------------------------
