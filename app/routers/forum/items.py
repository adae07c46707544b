"""The forum's agenda items: editing, moving and removing them, and their minutes."""

from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import Response

from app.deps import FormData, SessionDep, today
from app.errors import Conflict, ValidationFailed
from app.forms import parse
from app.i18n import _
from app.models.forum import AgendaItem
from app.models.forum_schemas import (
    ItemUpdate,
    MinutesInput,
)
from app.models.types import utcnow
from app.routers.forum.pages import (
    UNPROCESSABLE,
    Bind,
    ManagedItem,
    Manager,
    back,
    choices,
    conflict,
    detail,
)
from app.services.forum import agenda as forum_agenda
from app.services.forum import minutes as minutes_service
from app.services.forum import sessions as forum_service
from app.services.mail import delivery as mail_service
from app.templating import render

router = APIRouter()


def _item_form(
    request: Request,
    session: SessionDep,
    item: AgendaItem,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "item": item,
        "forum_session": forum_service.get(session, item.session_id),
        "values": values,
        "errors": errors or {},
        **choices(),
    }
    return render(request, "forum/item_form.html", context, status_code=status_code)


@router.get("/forum/items/{item_id}/edit", name="edit_agenda_item")
def edit_item_form(
    request: Request, session: SessionDep, user: Manager, item: ManagedItem
) -> Response:
    """The form for an agenda item."""
    return _item_form(request, session, item, item.model_dump())


@router.post("/forum/items/{item_id}/edit")
def update_item(
    request: Request, session: SessionDep, user: Manager, item: ManagedItem, form: FormData
) -> Response:
    """Save the item; a stale form is shown again with a conflict message."""
    values: dict[str, Any] = dict(form)
    forum_session = forum_service.get(session, item.session_id)
    try:
        data = parse(ItemUpdate, values)
        forum_agenda.update_item(session, forum_session, item, data, user)
    except ValidationFailed as exc:
        return _item_form(request, session, item, values, exc.errors, UNPROCESSABLE)
    except Conflict:
        values["version"] = item.version
        return _item_form(request, session, item, values, {"": conflict()}, 409)
    return back(item.session_id, f"#item-{item.id}")


@router.post("/forum/items/{item_id}/move")
def move_item(
    request: Request, session: SessionDep, user: Manager, item: ManagedItem, form: FormData
) -> Response:
    """Move an item one place up or down."""
    forum_session = forum_service.get(session, item.session_id)
    try:
        forum_agenda.move_item(session, forum_session, item, form.get("direction", ""), user)
    except ValidationFailed as exc:
        return detail(request, session, user, forum_session, exc.errors, None, UNPROCESSABLE)
    return back(item.session_id, f"#item-{item.id}")


@router.post("/forum/items/{item_id}/remove")
def remove_item(
    request: Request, session: SessionDep, user: Manager, item: ManagedItem
) -> Response:
    """Take an item off the agenda."""
    forum_session = forum_service.get(session, item.session_id)
    try:
        forum_agenda.remove_item(session, forum_session, item, user)
    except ValidationFailed as exc:
        return detail(request, session, user, forum_session, exc.errors, None, UNPROCESSABLE)
    return back(item.session_id, "#agenda-title")


def _minutes_form(
    request: Request,
    session: SessionDep,
    item: AgendaItem,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    conflict: bool = False,
) -> Response:
    forum_session = forum_service.get(session, item.session_id)
    owners = forum_service.participants(session, today())
    context = {
        "item": item,
        "forum_session": forum_session,
        "initiative": forum_service.initiatives_of(session, [item]).get(item.initiative_id or 0),
        "owner_options": [("", _("Nobody"))] + [(p.id, p.name) for p in owners],
        "values": values,
        "errors": errors or {},
        "conflict": conflict,
        "started": forum_service.has_started(forum_session, utcnow()),
        **choices(),
    }
    return render(request, "forum/minutes.html", context, status_code=status_code)


@router.get("/forum/items/{item_id}/minutes", name="agenda_item_minutes")
def minutes_form(
    request: Request, session: SessionDep, user: Manager, item: ManagedItem
) -> Response:
    """The form for an item's minutes."""
    return _minutes_form(request, session, item, item.model_dump())


@router.post("/forum/items/{item_id}/minutes")
def save_minutes(
    request: Request,
    session: SessionDep,
    user: Manager,
    item: ManagedItem,
    form: FormData,
    background: BackgroundTasks,
    bind: Bind,
) -> Response:
    """Save the minutes; a decision with an outcome answers the item's initiative."""
    values: dict[str, Any] = dict(form)
    forum_session = forum_service.get(session, item.session_id)
    try:
        data = parse(MinutesInput, values)
        result = minutes_service.record(session, forum_session, item, data, user)
    except ValidationFailed as exc:
        return _minutes_form(request, session, item, values, exc.errors, UNPROCESSABLE)
    except Conflict:
        values["version"] = item.version
        return _minutes_form(request, session, item, values, {"": conflict()}, 409, True)
    background.add_task(mail_service.send_pending, bind)
    if result.note:
        # Said on a page of its own: a redirect would lose why the initiative was not changed.
        context = {"item": item, "forum_session": forum_session, "result": result}
        return render(request, "forum/minutes_saved.html", context)
    return back(item.session_id, f"#item-{item.id}")
