"""The annual calendar: templates, events people see by their roles, adjusting and cancelling."""

import calendar as calendar_module
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_
from sqlmodel import Session, col, select

from app.errors import NotFound, ValidationFailed
from app.i18n import _
from app.models.calendar import CalendarEvent, EventKind, EventTemplate
from app.models.calendar_schemas import EventAdjust, EventCreate, TemplateInput, TemplateUpdate
from app.models.houses import House
from app.models.participation import Participation
from app.models.types import HELSINKI, local_date, to_utc, utcnow
from app.services.access import audiences
from app.services.access.roles import Principal
from app.services.calendar import event_mail
from app.services.calendar import generation as calendar_generation
from app.services.platform import audit, versioning

MAX_DURATION = 24 * 60  # minutes; longer is a typo
MAX_LEAD_DAYS = 365
MAX_YEARS_AHEAD = 5

# ---- templates -----------------------------------------------------------------------------


def list_templates(session: Session) -> list[EventTemplate]:
    """Every template, active ones first, then by first month and title."""
    rows = list(session.exec(select(EventTemplate)))
    return sorted(
        rows,
        key=lambda t: (
            not t.active,
            (calendar_generation.months_of(t) or [13])[0],
            t.title_fi,
        ),
    )


def get_template(session: Session, template_id: int) -> EventTemplate:
    """A template by id, or NotFound."""
    found = session.get(EventTemplate, template_id)
    if found is None:
        raise NotFound()
    return found


def _check_months(raw: str, errors: dict[str, str]) -> str:
    months: list[int] = []
    for part in raw.replace(" ", "").split(","):
        if not part.isdigit() or not 1 <= int(part) <= 12:
            errors["months"] = _("Enter months as numbers from 1 to 12, separated by commas.")
            return raw
        if int(part) in months:
            errors["months"] = _("Each month may be given only once.")
            return raw
        months.append(int(part))
    return ",".join(str(m) for m in sorted(months))


def _check_common(session: Session, data: Any, errors: dict[str, str], per_house: bool) -> None:
    """Checks shared by templates and events: duration, lead days, audience, capacity, link."""
    if not 0 < data.duration_minutes <= MAX_DURATION:
        errors["duration_minutes"] = _(
            "The duration must be between 1 and %(max)s minutes.", max=MAX_DURATION
        )
    if not 0 <= data.invitation_days <= MAX_LEAD_DAYS:
        errors["invitation_days"] = _(
            "Enter a number of days from 0 to %(max)s.", max=MAX_LEAD_DAYS
        )
    if data.reminder_days < 0:
        errors["reminder_days"] = _("Enter a number of days from 0 to %(max)s.", max=MAX_LEAD_DAYS)
    elif data.reminder_days > data.invitation_days:
        errors["reminder_days"] = _(
            "The reminder must go out no earlier than the invitation: at most %(days)s days "
            "before.",
            days=data.invitation_days,
        )
    if data.audience in audiences.HOUSE_AUDIENCES:
        missing = data.house_id is None and not per_house
        unknown = data.house_id is not None and session.get(House, data.house_id) is None
        if missing or unknown:
            errors["house_id"] = _("Choose the house.")
    elif data.house_id is not None:
        errors["house_id"] = _("Only an event for one house's residents or committee has a house.")
    if data.registration and data.capacity is not None and data.capacity < 1:
        errors["capacity"] = _("Enter a value of at least %(n)s.", n=1)
    link = data.link.strip()
    if link and not link.lower().startswith(("https://", "http://")):
        errors["link"] = _("Enter a web address that starts with https://.")
    if not data.title_fi.strip():
        errors["title_fi"] = _("This field is required.")


def _template_values(session: Session, data: TemplateInput) -> dict[str, Any]:
    """The template's columns from valid input, or ValidationFailed with every field's reason."""
    errors: dict[str, str] = {}
    months = _check_months(data.months, errors)
    day = data.day
    if data.weekday is None:
        if day is None or not 1 <= day <= 28:
            errors["day"] = _("Enter a day from 1 to 28, or choose a weekday.")
    else:
        day = None
        if not 0 <= data.weekday <= 6:
            errors["weekday"] = _("Choose one of the options.")
        if not 1 <= data.week <= 5:
            errors["week"] = _("Choose one of the options.")
    _check_common(session, data, errors, per_house=True)
    if errors:
        raise ValidationFailed(errors)
    values = data.model_dump(exclude={"version"})
    values.update(months=months, day=day, link=data.link.strip(), place=data.place.strip())
    values["week"] = data.week if data.weekday is not None else 1
    for name in ("title_fi", "title_sv", "title_en"):
        values[name] = values[name].strip()
    if not data.registration:
        values["capacity"] = None
    return values


def create_template(
    session: Session, data: TemplateInput, user: Principal, today: date | None = None
) -> EventTemplate:
    """Add a template and generate its events for the coming year at once."""
    values = _template_values(session, data)
    now = utcnow()
    template = EventTemplate(**values, created_at=now, updated_at=now)
    calendar_generation.store_null_day(template)
    session.add(template)
    session.flush()
    audit.record(session, user.id, "create", template)
    calendar_generation.generate_template(session, template, today, actor_id=user.id)
    return template


def update_template(
    session: Session,
    template: EventTemplate,
    data: TemplateUpdate,
    user: Principal,
    now: datetime | None = None,
) -> EventTemplate:
    """Save an edit (stale versions conflict); future events nobody adjusted follow it."""
    now = now or utcnow()
    values = _template_values(session, data)
    before = audit.snapshot(template)
    versioning.bump(session, template, data.version)
    for name, value in values.items():
        setattr(template, name, value)
    template.updated_at = now
    session.add(template)
    session.flush()
    audit.record(session, user.id, "update", template, before)
    calendar_generation.sync_template(session, template, user.id, now)
    calendar_generation.generate_template(session, template, local_date(now), actor_id=user.id)
    return template


# ---- seeing events -------------------------------------------------------------------------


# Entries that are editorial tasks for management (when a newsletter is due), not events anyone
# attends: they appear in management's calendar only, never in residents' or chairs' calendars
# and feeds.
EDITORIAL_KINDS = (EventKind.chairs_newsletter, EventKind.residents_newsletter)


def _editor(user: Principal) -> bool:
    return user.is_management or user.is_admin


def visible(user: Principal) -> ColumnElement[bool]:
    """The events a person's roles concern, as SQL."""
    table = CalendarEvent.__table__.c  # type: ignore[attr-defined]
    concerns = audiences.clause(user, table.audience, table.house_id)
    if _editor(user):
        return concerns
    return and_(concerns, table.kind.not_in([k.value for k in EDITORIAL_KINDS]))


def list_events(
    session: Session,
    user: Principal,
    start: datetime,
    end: datetime,
    include_cancelled: bool = False,
    participation: Participation | None = None,
    limit: int | None = None,
) -> list[CalendarEvent]:
    """The person's events overlapping [start, end), in time order."""
    query = select(CalendarEvent).where(
        visible(user), col(CalendarEvent.ends_at) > start, col(CalendarEvent.starts_at) < end
    )
    if not include_cancelled:
        query = query.where(col(CalendarEvent.cancelled_at).is_(None))
    if participation is not None:
        query = query.where(CalendarEvent.participation == participation)
    query = query.order_by(col(CalendarEvent.starts_at), col(CalendarEvent.id))
    if limit is not None:
        query = query.limit(limit)
    return list(session.exec(query))


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The UTC instants from the start of one Helsinki day to the start of the day after last."""
    start = datetime.combine(first, time(0), tzinfo=HELSINKI).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=HELSINKI)
    return start, end.astimezone(UTC)


def month_events(
    session: Session,
    user: Principal,
    year: int,
    month: int,
    participation: Participation | None = None,
) -> list[CalendarEvent]:
    """The person's events in a Helsinki calendar month."""
    last = calendar_module.monthrange(year, month)[1]
    start, end = day_bounds(date(year, month, 1), date(year, month, last))
    return list_events(session, user, start, end, participation=participation)


def range_events(
    session: Session, user: Principal, first: date, last: date, include_cancelled: bool = False
) -> list[CalendarEvent]:
    """The person's events on the Helsinki days first..last."""
    start, end = day_bounds(first, last)
    return list_events(session, user, start, end, include_cancelled=include_cancelled)


def upcoming(
    session: Session,
    user: Principal,
    now: datetime | None = None,
    months: int = 12,
    participation: Participation | None = None,
    limit: int = 200,
) -> list[CalendarEvent]:
    """The person's coming events (those still going on included)."""
    now = now or utcnow()
    end = now + timedelta(days=31 * months)
    return list_events(session, user, now, end, participation=participation, limit=limit)


def get_event(session: Session, event_id: int) -> CalendarEvent:
    """An event by id, or NotFound."""
    found = session.get(CalendarEvent, event_id)
    if found is None:
        raise NotFound()
    return found


def get_visible(session: Session, user: Principal, event_id: int) -> CalendarEvent:
    """An event the person's roles concern, or NotFound (others may not know it exists)."""
    found = get_event(session, event_id)
    if not audiences.includes(user, found.audience, found.house_id):
        raise NotFound()
    if found.kind in EDITORIAL_KINDS and not _editor(user):
        raise NotFound()
    return found


# ---- changing events -----------------------------------------------------------------------


def _check_start(raw: datetime, now: datetime, errors: dict[str, str]) -> datetime:
    try:
        starts_at = to_utc(raw)
    except OverflowError:
        starts_at = now
    if starts_at <= now:
        errors["starts_at"] = _("An event cannot be placed in the past.")
    elif starts_at > now + timedelta(days=366 * MAX_YEARS_AHEAD):
        errors["starts_at"] = _(
            "An event can be scheduled at most %(years)s years ahead.", years=MAX_YEARS_AHEAD
        )
    return starts_at


def create_event(
    session: Session, data: EventCreate, user: Principal, now: datetime | None = None
) -> CalendarEvent:
    """Add a one-off event by hand (management)."""
    now = now or utcnow()
    errors: dict[str, str] = {}
    starts_at = _check_start(data.starts_at, now, errors)
    _check_common(session, data, errors, per_house=False)
    if errors:
        raise ValidationFailed(errors)
    values = data.model_dump(exclude={"starts_at", "duration_minutes"})
    values.update(link=data.link.strip(), place=data.place.strip(), title_fi=data.title_fi.strip())
    if not data.registration:
        values["capacity"] = None
    event = CalendarEvent(
        **values,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=data.duration_minutes),
        created_by_id=user.id,
        created_at=now,
        updated_at=now,
    )
    session.add(event)
    session.flush()
    audit.record(session, user.id, "create", event)
    return event


def adjust_event(
    session: Session,
    event: CalendarEvent,
    data: EventAdjust,
    user: Principal,
    now: datetime | None = None,
) -> CalendarEvent:
    """Change an event's time, place, link or description; the template never overwrites it."""
    now = now or utcnow()
    errors: dict[str, str] = {}
    if event.cancelled_at is not None:
        raise ValidationFailed({"": _("A cancelled event cannot be changed.")})
    try:
        starts_at = to_utc(data.starts_at)
    except OverflowError:
        starts_at = now
    if starts_at != event.starts_at:
        starts_at = _check_start(data.starts_at, now, errors)
    if not 0 < data.duration_minutes <= MAX_DURATION:
        errors["duration_minutes"] = _(
            "The duration must be between 1 and %(max)s minutes.", max=MAX_DURATION
        )
    link = data.link.strip()
    if link and not link.lower().startswith(("https://", "http://")):
        errors["link"] = _("Enter a web address that starts with https://.")
    if errors:
        raise ValidationFailed(errors)
    before = audit.snapshot(event)
    versioning.bump(session, event, data.version)
    if starts_at != event.starts_at:
        # Registrants are reminded again before the new time (the reminder's key has the version).
        event.reminders_sent_at = None
    event.starts_at = starts_at
    event.ends_at = starts_at + timedelta(minutes=data.duration_minutes)
    event.place = data.place.strip()
    event.link = link
    event.description_fi = data.description_fi
    event.description_sv = data.description_sv
    event.description_en = data.description_en
    event.adjusted_at = now
    event.updated_at = now
    session.add(event)
    session.flush()
    audit.record(session, user.id, "update", event, before)
    return event


def cancel_event(
    session: Session, event: CalendarEvent, user: Principal, now: datetime | None = None
) -> CalendarEvent:
    """Cancel an event (kept, marked cancelled, so that calendars that have it learn of it).

    A cancellation by hand is an adjustment: a later edit of the template never revives it.
    """
    now = now or utcnow()
    if event.cancelled_at is not None:
        return event
    before = audit.snapshot(event)
    event.cancelled_at = now
    event.adjusted_at = now
    event.updated_at = now
    event.version += 1
    session.add(event)
    session.flush()
    audit.record(session, user.id, "cancel", event, before)
    event_mail.notify_cancelled(session, event)
    return event


def duration_minutes(event: CalendarEvent) -> int:
    """The event's length in minutes."""
    return int((event.ends_at - event.starts_at).total_seconds() // 60)
