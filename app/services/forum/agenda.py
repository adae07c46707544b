"""The forum's agenda: adding, editing, ordering and removing items; initiatives onto it."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.errors import ValidationFailed
from app.i18n import _
from app.models.audit import AuditEntry
from app.models.forum import AgendaItem, ForumSession, ItemKind
from app.models.forum_schemas import ItemCreate, ItemInput, ItemUpdate
from app.models.initiatives import Initiative, Scope
from app.models.types import utcnow
from app.services.access.roles import Principal
from app.services.forum import sessions as forum_service
from app.services.platform import audit, versioning

# ---- the agenda ----------------------------------------------------------------------------


def check_agenda_open(forum_session: ForumSession) -> None:
    """Refuse agenda changes once the minutes are published."""
    if forum_session.minutes_published_at is not None:
        raise ValidationFailed(
            {"": _("The minutes of this session are published; its agenda can no longer change.")}
        )


def _touch(session: Session, forum_session: ForumSession, now: datetime) -> None:
    """Mark the agenda changed (so it may be published again) and bump the session's version.

    Against the version read with the session: an agenda change and a publication that run
    at the same time cannot both commit (PostgreSQL re-checks the version under READ
    COMMITTED), so a change is either refused as a conflict or seen as unpublished.
    """
    versioning.bump(session, forum_session, forum_session.version)
    forum_service.mark_changed(forum_session, now)
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
    if not data.title.strip():
        raise ValidationFailed({"title": _("This field is required.")})
    assert forum_session.id is not None
    _touch(session, forum_session, now)
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
    session.add(item)
    session.flush()
    audit.record(session, user.id, "create", item)
    return item


def _open_agenda_items(session: Session, initiative_id: int) -> int:
    """How many items point to the initiative on agendas whose minutes are not published."""
    return session.exec(
        select(func.count())
        .select_from(AgendaItem)
        .join(ForumSession, col(ForumSession.id) == AgendaItem.session_id)
        .where(
            AgendaItem.initiative_id == initiative_id,
            col(ForumSession.minutes_published_at).is_(None),
        )
    ).one()


def add_initiative(
    session: Session,
    forum_session: ForumSession,
    initiative_id: int,
    user: Principal,
    now: datetime | None = None,
    extra: ItemCreate | None = None,
) -> AgendaItem:
    """Put a queued company initiative on the agenda: its title and participation by default.

    Two managers adding the same initiative to two agendas at once: the initiative's row is
    locked first (FOR UPDATE on PostgreSQL; SQLite lets one writer at a time anyway), so the
    second waits and then finds it on the first agenda; and after the insert the open agendas
    are counted again. What remains: there is no database constraint, because an initiative
    may rightly come back on a later session once the first one's minutes are published, and
    a partial unique index cannot see the other table's minutes_published_at.
    """
    now = now or utcnow()
    check_agenda_open(forum_session)
    initiative = session.exec(
        select(Initiative)
        .where(Initiative.id == initiative_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if initiative is None or initiative.scope != Scope.company:
        raise ValidationFailed({"initiative_id": _("There is no such company initiative.")})
    if initiative_id not in {i.id for i in forum_service.queue(session)}:
        raise ValidationFailed(
            {
                "initiative_id": _(
                    "This initiative is not waiting for the forum, or it is already on an agenda."
                )
            }
        )
    assert forum_session.id is not None
    with session.begin_nested():  # a refused duplicate leaves nothing behind, not even the bump
        _touch(session, forum_session, now)
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
        session.flush()
        if _open_agenda_items(session, initiative_id) > 1:
            raise ValidationFailed(
                {
                    "initiative_id": _(
                        "Someone else put this initiative on an agenda at the same moment."
                    )
                }
            )
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
    with session.begin_nested():  # both versions move, or neither (the page catches Conflict)
        versioning.bump(session, item, data.version)
        _touch(session, forum_session, now)
    item.kind = kind
    item.title = data.title.strip()
    item.description = data.description.strip()
    item.presenter = data.presenter.strip()
    item.planned_minutes = data.planned_minutes
    item.participation = data.participation
    session.add(item)
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
    _touch(session, forum_session, now)
    agenda = forum_service.items(session, forum_session.id or 0)
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
    _touch(session, forum_session, now)
    session.delete(item)
    session.flush()
    for number, row in enumerate(forum_service.items(session, forum_session.id or 0), start=1):
        row.position = number
        session.add(row)
    session.flush()
    audit.record(session, user.id, "delete", item, before)


# What makes a session's change worth telling the participants of.
_SESSION_FIELDS = {"title", "starts_at", "duration_minutes", "place", "remote_link"}


@dataclass(frozen=True)
class AgendaChange:
    """One change since the last publication: added, removed, changed or moved (an item's
    title), or session (its time, place or link); worded per reader in the templates
    (_agenda_changes.html)."""

    kind: str
    title: str = ""


def changes_since_publication(session: Session, forum_session: ForumSession) -> list[AgendaChange]:
    """What changed in the agenda since it was last published, from the audit log: items
    added, removed, changed or moved, and the session's own time, place or link."""
    assert forum_session.id is not None
    session_key = str(forum_session.id)
    published = [
        entry.id or 0
        for entry in session.exec(
            select(AuditEntry).where(
                AuditEntry.entity == "forum_session", AuditEntry.entity_id == session_key
            )
        )
        if "agenda_published_at" in (entry.after or {})
    ]
    if not published:
        return []
    current = {str(i.id): i for i in forum_service.items(session, forum_session.id)}
    entries = session.exec(
        select(AuditEntry)
        .where(
            col(AuditEntry.id) > max(published),
            col(AuditEntry.entity).in_(["agenda_item", "forum_session"]),
        )
        .order_by(col(AuditEntry.id))
    )
    out: list[AgendaChange] = []
    for entry in entries:
        after, before = entry.after or {}, entry.before or {}
        change: AgendaChange | None = None
        if entry.entity == "forum_session":
            if entry.entity_id == session_key and _SESSION_FIELDS & set(after):
                change = AgendaChange("session")
        elif entry.action == "create" and after.get("session_id") == forum_session.id:
            change = AgendaChange("added", str(after.get("title", "")))
        elif entry.action == "delete" and before.get("session_id") == forum_session.id:
            change = AgendaChange("removed", str(before.get("title", "")))
        elif entry.action == "update" and entry.entity_id in current:
            moved = set(after) <= {"position", "version"}
            change = AgendaChange("moved" if moved else "changed", current[entry.entity_id].title)
        if change is not None and change not in out:
            out.append(change)
    return out
