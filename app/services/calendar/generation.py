"""Turning the annual calendar's templates into dated events for the coming months.

Each occurrence has a unique key (template, month, house), so running the generation twice,
or in two schedulers at once, adds every event exactly once. Events management has adjusted
by hand are never overwritten.
"""

import calendar as calendar_module
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import null
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.models.calendar import CalendarEvent, EventTemplate, YearRule
from app.models.types import HELSINKI, local_date, utcnow
from app.services.access import audiences
from app.services.platform import audit

# Copied from a template to its events; a template edit updates them in future events.
TEXT_FIELDS = (
    "kind",
    "title_fi",
    "title_sv",
    "title_en",
    "description_fi",
    "description_sv",
    "description_en",
    "participation",
    "mode",
    "place",
    "link",
    "registration",
    "capacity",
    "invitation_days",
    "reminder_days",
)


@dataclass(frozen=True)
class Occurrence:
    """One dated occurrence of a template: its start and end in UTC."""

    month: int
    starts_at: datetime
    ends_at: datetime

    def key(self, template_id: int, house_id: int | None) -> str:
        """The occurrence key stored in CalendarEvent.occurrence_key."""
        year = self.starts_at.astimezone(HELSINKI).year
        return f"{template_id}:{year:04d}-{self.month:02d}:{house_id if house_id else '-'}"


def store_null_day(template: EventTemplate) -> None:
    """Make a new template's empty day stay empty (the column's default would fill it in)."""
    if template.day is None:
        template.day = null()  # type: ignore[assignment]


def months_of(template: EventTemplate) -> list[int]:
    """The template's months as numbers (bad entries skipped; the service validates them)."""
    found: set[int] = set()
    for part in template.months.split(","):
        part = part.strip()
        if part.isdigit() and 1 <= int(part) <= 12:
            found.add(int(part))
    return sorted(found)


def year_matches(rule: YearRule, year: int) -> bool:
    """Whether a template recurs in a year."""
    if rule == YearRule.even:
        return year % 2 == 0
    if rule == YearRule.odd:
        return year % 2 == 1
    return True


def day_in_month(template: EventTemplate, year: int, month: int) -> date:
    """The day of the month the rule gives: a fixed day, or the n-th (5 = last) weekday."""
    if template.weekday is None:
        return date(year, month, template.day or 1)
    first = date(year, month, 1)
    offset = (template.weekday - first.weekday()) % 7
    candidates = list(range(1 + offset, calendar_module.monthrange(year, month)[1] + 1, 7))
    week = template.week or 1
    return date(year, month, candidates[min(week, len(candidates)) - 1])


def occurrence(template: EventTemplate, year: int, month: int) -> Occurrence:
    """The occurrence in one month, at the template's Helsinki time, converted to UTC."""
    day = day_in_month(template, year, month)
    local_start = datetime.combine(day, template.start_time, tzinfo=HELSINKI)
    # A wall time that does not exist (the spring DST gap) is moved on by zoneinfo's fold rule;
    # the round trip through UTC gives the real instant.
    starts_at = local_start.astimezone(UTC)
    return Occurrence(month, starts_at, starts_at + timedelta(minutes=template.duration_minutes))


def occurrences(template: EventTemplate, year: int) -> list[Occurrence]:
    """The template's occurrences in a year, in date order."""
    if not year_matches(template.years, year):
        return []
    return [occurrence(template, year, month) for month in months_of(template)]


def add_months(day: date, months: int) -> date:
    """The same day some months later (the last day of a shorter month)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar_module.monthrange(year, month)[1]))


def window(today: date, months: int) -> tuple[date, date]:
    """The days whose occurrences are generated: today up to (not including) months ahead."""
    return today, add_months(today, months)


def _houses_for(session: Session, template: EventTemplate) -> list[int | None]:
    if template.audience in audiences.HOUSE_AUDIENCES and template.house_id is None:
        return list(audiences.house_ids(session))
    return [template.house_id]


def _existing_keys(session: Session, template_id: int) -> set[str]:
    rows = session.exec(
        select(CalendarEvent.occurrence_key).where(CalendarEvent.template_id == template_id)
    )
    return {key for key in rows if key}


def _new_event(
    template: EventTemplate, found: Occurrence, house_id: int | None, key: str, now: datetime
) -> CalendarEvent:
    event = CalendarEvent(
        title_fi=template.title_fi,
        template_id=template.id,
        occurrence_key=key,
        starts_at=found.starts_at,
        ends_at=found.ends_at,
        audience=template.audience,
        house_id=house_id,
        created_at=now,
        updated_at=now,
    )
    for name in TEXT_FIELDS:
        setattr(event, name, getattr(template, name))
    return event


def generate_template(
    session: Session,
    template: EventTemplate,
    today: date | None = None,
    months: int = 12,
    actor_id: int | None = None,
) -> list[CalendarEvent]:
    """Add the template's missing events in the window; returns the events added."""
    if not template.active or template.id is None:
        return []
    now = utcnow()
    today = today or local_date(now)
    first, last = window(today, months)
    existing = _existing_keys(session, template.id)
    houses = _houses_for(session, template)
    added: list[CalendarEvent] = []
    for year in range(first.year, last.year + 1):
        for found in occurrences(template, year):
            if not first <= local_date(found.starts_at) < last:
                continue
            for house_id in houses:
                key = found.key(template.id, house_id)
                if key in existing:
                    continue
                event = _new_event(template, found, house_id, key, now)
                try:
                    # A savepoint: another scheduler may have inserted the same key meanwhile.
                    with session.begin_nested():
                        session.add(event)
                        session.flush()
                except IntegrityError:
                    existing.add(key)
                    continue
                audit.record(session, actor_id, "create", event)
                existing.add(key)
                added.append(event)
    return added


def generate(session: Session, today: date | None = None, months: int = 12) -> list[CalendarEvent]:
    """Turn every active template into its events for the coming months (idempotent)."""
    templates = session.exec(
        select(EventTemplate)
        .where(col(EventTemplate.active).is_(True))
        .order_by(col(EventTemplate.id))
    )
    added: list[CalendarEvent] = []
    for template in list(templates):
        added.extend(generate_template(session, template, today, months))
    return added


def _future_unadjusted(session: Session, template_id: int, now: datetime) -> list[CalendarEvent]:
    return list(
        session.exec(
            select(CalendarEvent).where(
                CalendarEvent.template_id == template_id,
                col(CalendarEvent.starts_at) > now,
                col(CalendarEvent.adjusted_at).is_(None),
            )
        )
    )


def _month_of(event: CalendarEvent) -> tuple[int, int] | None:
    """The (year, month) an event's occurrence key names."""
    if not event.occurrence_key:
        return None
    try:
        year, month = event.occurrence_key.split(":")[1].split("-")
        return int(year), int(month)
    except (IndexError, ValueError):
        return None


def _fits_audience(template: EventTemplate, event: CalendarEvent) -> bool:
    """Whether an event still belongs to the template's audience after an edit."""
    if template.audience not in audiences.HOUSE_AUDIENCES:
        return True
    if event.house_id is None:
        return False
    return template.house_id is None or template.house_id == event.house_id


def sync_template(
    session: Session, template: EventTemplate, actor_id: int | None, now: datetime | None = None
) -> None:
    """Carry a template edit into its future events that nobody adjusted by hand.

    Their text, place and time follow the template; an occurrence the rule no longer gives
    (a month dropped, a deactivated template) is cancelled rather than deleted, so that
    registrations and links to it keep working, and comes back if the rule gives it again.
    (An event cancelled by hand is adjusted, so it never comes back this way.)
    """
    now = now or utcnow()
    assert template.id is not None
    months = set(months_of(template))
    for event in _future_unadjusted(session, template.id, now):
        before = audit.snapshot(event)
        when = _month_of(event)
        keep = (
            template.active
            and when is not None
            and when[1] in months
            and year_matches(template.years, when[0])
            and _fits_audience(template, event)
        )
        if keep and when is not None:
            found = occurrence(template, when[0], when[1])
            if found.starts_at > now:  # never moved into the past by an edit of the rule
                event.starts_at, event.ends_at = found.starts_at, found.ends_at
            for name in TEXT_FIELDS:
                setattr(event, name, getattr(template, name))
            event.audience = template.audience
            if template.audience not in audiences.HOUSE_AUDIENCES:
                event.house_id = None
            event.cancelled_at = None
        elif event.cancelled_at is None:
            event.cancelled_at = now
        if audit.snapshot(event) == before:
            continue  # nothing of this event changed: its version (the ICS SEQUENCE) stays
        event.updated_at = now
        event.version += 1
        session.add(event)
        session.flush()
        audit.record(session, actor_id, "update", event, before)
