"""Cooperation forum API: sessions, agenda items, minutes, publishing the agenda."""

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, status
from sqlalchemy.engine import Engine

from app import policies
from app.db import get_bind
from app.deps import SessionDep, require_api
from app.errors import ValidationFailed
from app.i18n import _
from app.models.forum import AgendaItem, ForumSession
from app.models.forum_schemas import (
    ItemCreate,
    ItemInput,
    ItemPublic,
    MinutesInput,
    MinutesPublished,
    MinutesRecorded,
    PublishInput,
    SessionCreate,
    SessionDetailPublic,
    SessionPublic,
    SessionUpdate,
)
from app.models.participation import Participation
from app.models.types import utcnow
from app.services.access.roles import Principal
from app.services.forum import agenda as forum_agenda
from app.services.forum import minutes as minutes_service
from app.services.forum import sessions as forum_service
from app.services.mail import delivery as mail_service

router = APIRouter(prefix="/api/v1/forum", tags=["forum"])

Reader = Annotated[Principal, require_api("can_view_forum", "read")]
Writer = Annotated[Principal, require_api("can_manage_forum", "write")]
Bind = Annotated[Engine, Depends(get_bind)]
MINUTES_FIELDS = (
    "discussion",
    "decision",
    "outcome",
    "follow_up",
    "follow_up_owner_id",
    "follow_up_due",
    "recorded_at",
)


def get_viewable_session(session_id: int, user: Reader, session: SessionDep) -> ForumSession:
    """A session the caller may read; an unpublished one is 404 to the chairs."""
    found = forum_service.get(session, session_id)
    if not policies.can_view_forum_session(user, found):
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return found


def get_managed_session(session_id: int, user: Writer, session: SessionDep) -> ForumSession:
    """A session the caller may change (management, scope write)."""
    return forum_service.get(session, session_id)


def get_managed_item(item_id: int, user: Writer, session: SessionDep) -> AgendaItem:
    """An agenda item whose minutes the caller may record (management, scope write)."""
    return forum_service.get_item(session, item_id)


ViewableSession = Annotated[ForumSession, Depends(get_viewable_session)]
ManagedSession = Annotated[ForumSession, Depends(get_managed_session)]
ManagedItem = Annotated[AgendaItem, Depends(get_managed_item)]


def _session(forum_session: ForumSession) -> SessionPublic:
    return SessionPublic.model_validate(forum_session, from_attributes=True)


def _item(item: AgendaItem, minutes: bool) -> ItemPublic:
    public = ItemPublic.model_validate(item, from_attributes=True)
    if minutes:
        return public
    # Chairs read the minutes only once they are published.
    return public.model_copy(update=dict.fromkeys(MINUTES_FIELDS))


def _items(session: SessionDep, user: Principal, forum_session: ForumSession) -> list[ItemPublic]:
    minutes = policies.can_view_forum_minutes(user, forum_session)
    return [_item(i, minutes) for i in forum_service.items(session, forum_session.id or 0)]


@router.get("/sessions", response_model=list[SessionPublic])
def list_sessions(session: SessionDep, user: Reader) -> list[SessionPublic]:
    """The sessions the caller may see, upcoming (soonest first) then past (newest first)."""
    lists = forum_service.visible_sessions(session, user, utcnow())
    return [_session(s) for s in lists.upcoming + lists.past]


@router.post("/sessions", response_model=SessionPublic, status_code=201)
def create_session(session: SessionDep, user: Writer, data: SessionCreate) -> SessionPublic:
    """Schedule a session (starts_at without a zone is Helsinki time)."""
    return _session(forum_service.create_session(session, data, user))


@router.get("/sessions/{session_id}", response_model=SessionDetailPublic)
def read_session(
    session: SessionDep, user: Reader, forum_session: ViewableSession
) -> SessionDetailPublic:
    """One session with its agenda (and the minutes, to those who may read them)."""
    detail = SessionDetailPublic.model_validate(forum_session, from_attributes=True)
    detail.items = _items(session, user, forum_session)
    return detail


@router.patch("/sessions/{session_id}", response_model=SessionPublic)
def update_session(
    session: SessionDep, user: Writer, forum_session: ManagedSession, data: SessionUpdate
) -> SessionPublic:
    """Change the given fields; 409 if the version is stale."""
    return _session(forum_service.update_session(session, forum_session, data, user))


@router.get("/sessions/{session_id}/items", response_model=list[ItemPublic])
def list_items(
    session: SessionDep, user: Reader, forum_session: ViewableSession
) -> list[ItemPublic]:
    """The agenda in order."""
    return _items(session, user, forum_session)


@router.post("/sessions/{session_id}/items", response_model=ItemPublic, status_code=201)
def add_item(
    session: SessionDep, user: Writer, forum_session: ManagedSession, data: ItemCreate
) -> ItemPublic:
    """Add an item at the end: an initiative from the queue (initiative_id) or a free item."""
    if data.initiative_id is not None:
        item = forum_agenda.add_initiative(
            session, forum_session, data.initiative_id, user, extra=data
        )
    else:
        if not data.title.strip():
            raise ValidationFailed({"title": _("This field is required.")})
        free = ItemInput(
            kind=data.kind,
            title=data.title,
            description=data.description,
            presenter=data.presenter,
            planned_minutes=data.planned_minutes,
            participation=data.participation or Participation.planning,
        )
        item = forum_agenda.add_item(session, forum_session, free, user)
    return _item(item, True)


@router.put("/items/{item_id}/minutes", response_model=MinutesRecorded)
def record_minutes(
    session: SessionDep,
    user: Writer,
    item: ManagedItem,
    data: MinutesInput,
    background: BackgroundTasks,
    bind: Bind,
) -> MinutesRecorded:
    """Record an item's minutes; with an outcome the initiative is answered. 409 if stale.

    If the initiative cannot be answered, the minutes are still saved and initiative_note
    says why it was left as it was.
    """
    forum_session = forum_service.get(session, item.session_id)
    result = minutes_service.record(session, forum_session, item, data, user)
    background.add_task(mail_service.send_pending, bind)
    return MinutesRecorded(
        item=_item(result.item, True),
        initiative_answered=result.answered,
        initiative_note=result.note,
    )


@router.post("/sessions/{session_id}/publish", response_model=SessionPublic)
def publish_agenda(
    session: SessionDep,
    user: Writer,
    forum_session: ManagedSession,
    data: PublishInput,
    background: BackgroundTasks,
    bind: Bind,
) -> SessionPublic:
    """Publish the agenda and mail the participants; 422 after the notice unless overridden."""
    minutes_service.publish_agenda(session, forum_session, user, override=data.override)
    background.add_task(mail_service.send_pending, bind)
    return _session(forum_session)


@router.post("/sessions/{session_id}/publish-minutes", response_model=MinutesPublished)
def publish_minutes(
    session: SessionDep,
    user: Writer,
    forum_session: ManagedSession,
    background: BackgroundTasks,
    bind: Bind,
) -> MinutesPublished:
    """Publish the minutes to every chair (once the session has begun and every item has its
    minutes). Each decision with an outcome answers its initiative now, and its followers are
    told; the answer lists the initiatives answered and why any other was not changed."""
    published = minutes_service.publish_minutes(session, forum_session, user)
    background.add_task(mail_service.send_pending, bind)
    return MinutesPublished(
        session=_session(forum_session),
        answered_initiative_ids=[i.id for i in published.answered if i.id is not None],
        notes=published.notes,
    )
