"""The cooperation forum: sessions, their agendas, the queue of initiatives, publication."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from app import policies
from app.config import get_settings
from app.errors import NotFound, ValidationFailed
from app.i18n import N_, _
from app.models.forum import AgendaItem, ForumSession, ItemKind
from app.models.forum_schemas import ItemCreate, ItemInput, ItemUpdate, SessionCreate, SessionUpdate
from app.models.initiatives import Initiative, Outcome, Scope
from app.models.people import Person, StaffKind, StaffRole
from app.models.types import utcnow
from app.models.yte import YteMember, YteTerm
from app.services import audit, initiative_lists, versioning
from app.services.roles import Principal

HELSINKI = ZoneInfo("Europe/Helsinki")


def local_date(moment: datetime) -> date:
    """The Helsinki calendar day of a timestamp."""
    return moment.astimezone(HELSINKI).date()


def to_utc(moment: datetime) -> datetime:
    """A timestamp in UTC; one without a time zone is taken as Helsinki time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=HELSINKI)
    return moment.astimezone(UTC)


def session_url(forum_session: ForumSession) -> str:
    """The session page's absolute address (for mails and calendars)."""
    return f"{get_settings().base_url.rstrip('/')}/forum/sessions/{forum_session.id}"


def get(session: Session, session_id: int) -> ForumSession:
    """A session by id, or NotFound."""
    found = session.get(ForumSession, session_id)
    if found is None:
        raise NotFound()
    return found


def get_item(session: Session, item_id: int) -> AgendaItem:
    """An agenda item by id, or NotFound."""
    found = session.get(AgendaItem, item_id)
    if found is None:
        raise NotFound()
    return found


def ends_at(forum_session: ForumSession) -> datetime:
    """When the session is planned to end."""
    return forum_session.starts_at + timedelta(minutes=forum_session.duration_minutes)


def has_started(forum_session: ForumSession, now: datetime) -> bool:
    """Whether the session's start time has come (its minutes can be recorded)."""
    return forum_session.starts_at <= now


def notice_deadline(forum_session: ForumSession) -> date:
    """The last day on which publishing the agenda still gives the notice."""
    days = get_settings().forum_notice_days
    return local_date(forum_session.starts_at) - timedelta(days=days)


def changed_since_publication(forum_session: ForumSession) -> bool:
    """Whether the session or its agenda changed after the agenda was last published."""
    published = forum_session.agenda_published_at
    return published is None or forum_session.updated_at > published


# ---- lists ---------------------------------------------------------------------------------


@dataclass
class SessionLists:
    """The sessions a user may see, split around now."""

    upcoming: list[ForumSession]
    past: list[ForumSession]


def visible_sessions(session: Session, user: Principal, now: datetime) -> SessionLists:
    """Upcoming (soonest first) and past (newest first) sessions the user may see."""
    query = select(ForumSession).order_by(col(ForumSession.starts_at), col(ForumSession.id))
    rows = [s for s in session.exec(query) if policies.can_view_forum_session(user, s)]
    upcoming = [s for s in rows if ends_at(s) >= now]
    past = [s for s in rows if ends_at(s) < now]
    past.reverse()
    return SessionLists(upcoming=upcoming, past=past)


def items(session: Session, session_id: int) -> list[AgendaItem]:
    """A session's agenda in order."""
    return list(
        session.exec(
            select(AgendaItem)
            .where(AgendaItem.session_id == session_id)
            .order_by(col(AgendaItem.position), col(AgendaItem.id))
        )
    )


def _on_open_agendas(session: Session) -> set[int]:
    """Initiatives already on the agenda of a session whose minutes are not yet published."""
    rows = session.exec(
        select(AgendaItem.initiative_id)
        .join(ForumSession, col(ForumSession.id) == AgendaItem.session_id)
        .where(
            col(AgendaItem.initiative_id).is_not(None),
            col(ForumSession.minutes_published_at).is_(None),
        )
    )
    return {i for i in rows if i is not None}


def queue(session: Session) -> list[Initiative]:
    """Company initiatives awaiting the forum that are not yet on any open agenda."""
    taken = _on_open_agendas(session)
    return [i for i in initiative_lists.forum_queue(session) if i.id not in taken]


def initiatives_of(session: Session, agenda: list[AgendaItem]) -> dict[int, Initiative]:
    """The initiatives an agenda points to, by id."""
    ids = {i.initiative_id for i in agenda if i.initiative_id is not None}
    if not ids:
        return {}
    found = session.exec(select(Initiative).where(col(Initiative.id).in_(ids)))
    return {i.id: i for i in found if i.id is not None}


def participants(session: Session, today: date) -> list[Person]:
    """Who takes part: active management staff and the current Haso-yte term's members."""
    management = select(StaffRole.person_id).where(StaffRole.kind == StaffKind.management)
    yte = (
        select(YteMember.person_id)
        .join(YteTerm, col(YteTerm.id) == YteMember.term_id)
        .where(YteTerm.starts_on <= today, YteTerm.ends_on >= today)
    )
    return list(
        session.exec(
            select(Person)
            .where(
                col(Person.is_active).is_(True),
                col(Person.id).in_(management) | col(Person.id).in_(yte),
            )
            .order_by(col(Person.name), col(Person.id))
        )
    )


# ---- sessions ------------------------------------------------------------------------------


def _check_link(link: str | None, errors: dict[str, str]) -> str | None:
    link = (link or "").strip()
    if link and not link.lower().startswith(("https://", "http://")):
        errors["remote_link"] = _("Enter a web address that starts with https://.")
    return link or None


def create_session(
    session: Session, data: SessionCreate, user: Principal, now: datetime | None = None
) -> ForumSession:
    """Schedule a session (management)."""
    now = now or utcnow()
    errors: dict[str, str] = {}
    link = _check_link(data.remote_link, errors)
    starts_at = to_utc(data.starts_at)
    if starts_at <= now:
        errors["starts_on"] = _("The session must be in the future.")
    if not data.place.strip():
        errors["place"] = _("This field is required.")
    if errors:
        raise ValidationFailed(errors)
    forum_session = ForumSession(
        title=data.title.strip(),
        starts_at=starts_at,
        duration_minutes=data.duration_minutes,
        place=data.place.strip(),
        remote_link=link,
        participation=data.participation,
        created_by_id=user.id,
        created_at=now,
        updated_at=now,
    )
    session.add(forum_session)
    session.flush()
    audit.record(session, user.id, "create", forum_session)
    return forum_session


def update_session(
    session: Session,
    forum_session: ForumSession,
    data: SessionUpdate,
    user: Principal,
    now: datetime | None = None,
) -> ForumSession:
    """Change the time, place or link; only the fields given change; stale versions conflict."""
    now = now or utcnow()
    given = data.model_fields_set - {"version"}
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name in given:
        value = getattr(data, name)
        if name == "remote_link":
            value = _check_link(value, errors)
        elif name == "starts_at" and value is not None:
            value = to_utc(value)
        elif name in ("title", "place") and value is not None:
            value = value.strip()
        if value is None and name != "remote_link":
            errors[name] = _("This field is required.")
        values[name] = value
    if errors:
        raise ValidationFailed(errors)
    before = audit.snapshot(forum_session)
    versioning.bump(session, forum_session, data.version)
    for name, value in values.items():
        setattr(forum_session, name, value)
    forum_session.updated_at = now
    session.add(forum_session)
    session.flush()
    audit.record(session, user.id, "update", forum_session, before)
    return forum_session


# ---- the agenda ----------------------------------------------------------------------------


def check_agenda_open(forum_session: ForumSession) -> None:
    """Refuse agenda changes once the minutes are published."""
    if forum_session.minutes_published_at is not None:
        raise ValidationFailed(
            {"": _("The minutes of this session are published; its agenda can no longer change.")}
        )


def _touch(session: Session, forum_session: ForumSession, now: datetime) -> None:
    """Mark the agenda changed (so it may be published again), without a version conflict."""
    forum_session.updated_at = now
    session.add(forum_session)


def _next_position(session: Session, session_id: int) -> int:
    last = session.exec(
        select(func.max(AgendaItem.position)).where(AgendaItem.session_id == session_id)
    ).one()
    return int(last or 0) + 1


def add_item(
    session: Session,
    forum_session: ForumSession,
    data: ItemInput,
    user: Principal,
    now: datetime | None = None,
) -> AgendaItem:
    """Add a budget matter, a theme or a free item at the end of the agenda."""
    now = now or utcnow()
    check_agenda_open(forum_session)
    if data.kind == ItemKind.initiative:
        raise ValidationFailed({"kind": _("Add initiatives from the queue of initiatives.")})
    assert forum_session.id is not None
    item = AgendaItem(
        session_id=forum_session.id,
        position=_next_position(session, forum_session.id),
        kind=data.kind,
        title=data.title.strip(),
        description=data.description.strip(),
        presenter=data.presenter.strip(),
        planned_minutes=data.planned_minutes,
        participation=data.participation,
    )
    if not item.title:
        raise ValidationFailed({"title": _("This field is required.")})
    session.add(item)
    _touch(session, forum_session, now)
    session.flush()
    audit.record(session, user.id, "create", item)
    return item


def add_initiative(
    session: Session,
    forum_session: ForumSession,
    initiative_id: int,
    user: Principal,
    now: datetime | None = None,
    extra: ItemCreate | None = None,
) -> AgendaItem:
    """Put a queued company initiative on the agenda: its title and participation by default."""
    now = now or utcnow()
    check_agenda_open(forum_session)
    initiative = session.get(Initiative, initiative_id)
    if initiative is None or initiative.scope != Scope.company:
        raise ValidationFailed({"initiative_id": _("There is no such company initiative.")})
    if initiative_id not in {i.id for i in queue(session)}:
        raise ValidationFailed(
            {
                "initiative_id": _(
                    "This initiative is not waiting for the forum, or it is already on an agenda."
                )
            }
        )
    assert forum_session.id is not None
    item = AgendaItem(
        session_id=forum_session.id,
        position=_next_position(session, forum_session.id),
        kind=ItemKind.initiative,
        initiative_id=initiative_id,
        title=(extra.title.strip() if extra and extra.title.strip() else initiative.title),
        description=extra.description.strip() if extra else "",
        presenter=extra.presenter.strip() if extra else "",
        planned_minutes=extra.planned_minutes if extra else 15,
        participation=(extra.participation if extra and extra.participation else None)
        or initiative.participation,
    )
    session.add(item)
    _touch(session, forum_session, now)
    session.flush()
    audit.record(session, user.id, "create", item)
    return item


def update_item(
    session: Session,
    forum_session: ForumSession,
    item: AgendaItem,
    data: ItemUpdate,
    user: Principal,
    now: datetime | None = None,
) -> AgendaItem:
    """Edit an item's text, presenter, time and participation; stale versions conflict."""
    now = now or utcnow()
    check_agenda_open(forum_session)
    if not data.title.strip():
        raise ValidationFailed({"title": _("This field is required.")})
    # An initiative item stays one; a free item cannot become one without an initiative.
    kind = ItemKind.initiative if item.initiative_id is not None else data.kind
    if kind == ItemKind.initiative and item.initiative_id is None:
        raise ValidationFailed({"kind": _("Add initiatives from the queue of initiatives.")})
    before = audit.snapshot(item)
    versioning.bump(session, item, data.version)
    item.kind = kind
    item.title = data.title.strip()
    item.description = data.description.strip()
    item.presenter = data.presenter.strip()
    item.planned_minutes = data.planned_minutes
    item.participation = data.participation
    session.add(item)
    _touch(session, forum_session, now)
    session.flush()
    audit.record(session, user.id, "update", item, before)
    return item


def move_item(
    session: Session,
    forum_session: ForumSession,
    item: AgendaItem,
    direction: str,
    user: Principal,
    now: datetime | None = None,
) -> None:
    """Swap an item with its neighbour above ("up") or below ("down"); at an end, nothing."""
    now = now or utcnow()
    check_agenda_open(forum_session)
    if direction not in ("up", "down"):
        raise ValidationFailed({"direction": _("Choose one of the options.")})
    before = audit.snapshot(item)
    agenda = items(session, forum_session.id or 0)
    # Renumber first: positions may have gaps or ties after removals.
    for number, row in enumerate(agenda, start=1):
        row.position = number
    index = next(i for i, row in enumerate(agenda) if row.id == item.id)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(agenda):
        agenda[index].position, agenda[other].position = (
            agenda[other].position,
            agenda[index].position,
        )
    session.add_all(agenda)
    _touch(session, forum_session, now)
    session.flush()
    audit.record(session, user.id, "update", item, before)


def remove_item(
    session: Session,
    forum_session: ForumSession,
    item: AgendaItem,
    user: Principal,
    now: datetime | None = None,
) -> None:
    """Take an item off the agenda (an initiative returns to the queue)."""
    now = now or utcnow()
    check_agenda_open(forum_session)
    if item.recorded_at is not None:
        raise ValidationFailed({"": _("Minutes have been recorded for this item.")})
    before = audit.snapshot(item)
    session.delete(item)
    session.flush()
    for number, row in enumerate(items(session, forum_session.id or 0), start=1):
        row.position = number
        session.add(row)
    _touch(session, forum_session, now)
    session.flush()
    audit.record(session, user.id, "delete", item, before)


# ---- labels --------------------------------------------------------------------------------

KIND_LABELS = {
    ItemKind.initiative: N_("Initiative"),
    ItemKind.budget: N_("Budget matter"),
    ItemKind.theme: N_("Theme"),
    ItemKind.other: N_("Other matter"),
}
OUTCOME_LABELS = {
    Outcome.accepted: N_("Accepted"),
    Outcome.partly_accepted: N_("Partly accepted"),
    Outcome.rejected: N_("Rejected"),
}
