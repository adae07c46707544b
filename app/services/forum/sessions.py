"""The cooperation forum: sessions, their agendas, the queue of initiatives, publication."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from app.config import get_settings
from app.errors import NotFound, ValidationFailed
from app.i18n import N_, _
from app.models.forum import AgendaItem, ForumSession, ItemKind
from app.models.forum_schemas import SessionCreate, SessionUpdate
from app.models.initiatives import Initiative
from app.models.people import Person, StaffKind, StaffRole
from app.models.types import local_date, to_utc, utcnow
from app.models.yte import YteMember, YteTerm
from app.services.access.roles import Principal
from app.services.forum import policies
from app.services.initiatives import lists as initiative_lists
from app.services.platform import audit, versioning

MAX_YEARS_AHEAD = 5  # a session further ahead is a typo (and year 9999 would overflow its end)
# The audit action of an administrator letting the notice be broken: an agenda published late,
# or a session with a published agenda moved to a time that leaves less than the notice.
LATE_NOTICE = "late_publication"


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


def notice_deadline_for(starts_at: datetime) -> date | None:
    """The last day to publish the agenda of a session starting then (naive: Helsinki time);
    None for a time outside the calendar (the session's own checks refuse it)."""
    try:
        return local_date(to_utc(starts_at)) - timedelta(days=get_settings().forum_notice_days)
    except (OverflowError, ValueError):
        return None


def changed_since_publication(forum_session: ForumSession) -> bool:
    """Whether the session or its agenda changed after the agenda was last published.

    Every change bumps the session's version against the version it read, and so does the
    publication: a change that races a publication either conflicts or was read after it, and
    then its updated_at is set past agenda_published_at (see _mark_changed).
    """
    published = forum_session.agenda_published_at
    return published is None or forum_session.updated_at > published


def is_late(starts_at: datetime, now: datetime) -> bool:
    """Whether publishing now, for a session starting then, gives less than the notice."""
    deadline = local_date(starts_at) - timedelta(days=get_settings().forum_notice_days)
    return local_date(now) > deadline


def mark_changed(forum_session: ForumSession, now: datetime) -> None:
    """Set updated_at so that the change counts as made after the last publication.

    The change was read after that publication (the version bump guarantees it), so it is
    later whatever the clocks of two application servers say.
    """
    published = forum_session.agenda_published_at
    if published is not None and now <= published:
        now = published + timedelta(microseconds=1)
    forum_session.updated_at = now


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


def _check_start(
    raw: datetime, now: datetime, errors: dict[str, str], field: str = "starts_on"
) -> datetime:
    """The start in UTC; a field error if it is not in the future or too far ahead."""
    try:
        starts_at = to_utc(raw)
    except OverflowError:  # e.g. the year 1, which has no UTC equivalent
        starts_at = now
    if starts_at <= now:
        errors[field] = _("The session must be in the future.")
    elif starts_at > now + timedelta(days=366 * MAX_YEARS_AHEAD):
        errors[field] = _(
            "A session can be scheduled at most %(years)s years ahead.", years=MAX_YEARS_AHEAD
        )
    return starts_at


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
    starts_at = _check_start(data.starts_at, now, errors)
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
    """Change the time, place or link; only the fields given change; stale versions conflict.

    Once the agenda is published, moving the start so that less than the notice is left is
    refused unless an administrator overrides it (audited as a late publication). Any change
    after publication leaves the agenda to be published again (mailed as an updated agenda).
    """
    now = now or utcnow()
    given = data.model_fields_set - {"version", "override"}
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name in given:
        value = getattr(data, name)
        if name == "remote_link":
            value = _check_link(value, errors)
        elif name == "starts_at" and value is not None:
            value = _check_start(value, now, errors)
        elif name in ("title", "place") and value is not None:
            value = value.strip()
        if value is None and name != "remote_link":
            errors[name] = _("This field is required.")
        values[name] = value
    if errors:
        raise ValidationFailed(errors)
    late = _late_move(forum_session, values.get("starts_at"), user, data.override, now)
    before = audit.snapshot(forum_session)
    versioning.bump(session, forum_session, data.version)
    for name, value in values.items():
        setattr(forum_session, name, value)
    mark_changed(forum_session, now)
    session.add(forum_session)
    session.flush()
    audit.record(session, user.id, LATE_NOTICE if late else "update", forum_session, before)
    return forum_session


def _late_move(
    forum_session: ForumSession,
    starts_at: datetime | None,
    user: Principal,
    override: bool,
    now: datetime,
) -> bool:
    """Whether a move of a published session breaks the notice; refused unless overridden.

    The participants have the published time: a new one needs the notice as much as the
    first publication did (the agenda is then published again, with the same rule).
    """
    if (
        starts_at is None
        or starts_at == forum_session.starts_at
        or forum_session.agenda_published_at is None
        or not is_late(starts_at, now)
    ):
        return False
    days = get_settings().forum_notice_days
    message = _(
        "The agenda is published: a new time must leave at least %(days)s days' notice.",
        days=days,
    )
    if not policies.can_override_forum_notice(user):
        raise ValidationFailed({"starts_on": message})
    if not override:
        raise ValidationFailed(
            {"override": message + " " + _("Tick the box to move the session anyway.")}
        )
    return True


# ---- labels --------------------------------------------------------------------------------

KIND_LABELS = {
    ItemKind.initiative: N_("Initiative"),
    ItemKind.budget: N_("Budget matter"),
    ItemKind.theme: N_("Theme"),
    ItemKind.other: N_("Other matter"),
}
