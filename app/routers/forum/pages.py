"""Cooperation forum pages: sessions, agenda building, publication, minutes, print, calendar."""

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.engine import Engine

from app import policies
from app.config import get_settings
from app.db import get_bind
from app.deps import FormData, SessionDep, require, today
from app.errors import Conflict, ValidationFailed
from app.forms import parse
from app.i18n import _, ngettext
from app.jinja import fmt_date, local, participation_name
from app.models.forum import AgendaItem, ForumSession, ItemKind
from app.models.forum_schemas import (
    ItemInput,
    SessionEditForm,
    SessionForm,
)
from app.models.participation import Participation
from app.models.types import utcnow
from app.services.access.roles import Principal
from app.services.forum import agenda as forum_agenda
from app.services.forum import minutes as minutes_service
from app.services.forum import sessions as forum_service
from app.services.initiatives import lifecycle
from app.services.mail import delivery as mail_service
from app.services.mail import reach as mail_reach
from app.templating import confirm_send, render

router = APIRouter()

Viewer = Annotated[Principal, require("can_view_forum")]
Manager = Annotated[Principal, require("can_manage_forum")]
Bind = Annotated[Engine, Depends(get_bind)]
UNPROCESSABLE = status.HTTP_422_UNPROCESSABLE_CONTENT


def get_viewable_session(session_id: int, user: Viewer, session: SessionDep) -> ForumSession:
    """A session the user may see; an unpublished one does not exist for the chairs (404)."""
    found = forum_service.get(session, session_id)
    if not policies.can_view_forum_session(user, found):
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return found


def get_managed_session(session_id: int, user: Manager, session: SessionDep) -> ForumSession:
    """A session the user may change (management)."""
    return forum_service.get(session, session_id)


def get_managed_item(item_id: int, user: Manager, session: SessionDep) -> AgendaItem:
    """An agenda item the user may change (management)."""
    return forum_service.get_item(session, item_id)


ViewableSession = Annotated[ForumSession, Depends(get_viewable_session)]
ManagedSession = Annotated[ForumSession, Depends(get_managed_session)]
ManagedItem = Annotated[AgendaItem, Depends(get_managed_item)]


def back(forum_session_id: int | None, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/forum/sessions/{forum_session_id}{anchor}", status_code=303)


def choices() -> dict[str, Any]:
    """Options for the select fields, in the current language."""
    return {
        "kind_options": [
            (k.value, _(forum_service.KIND_LABELS[k])) for k in ItemKind if k != ItemKind.initiative
        ],
        "outcome_options": [("", _("No outcome"))]
        + [(o.value, _(label)) for o, label in lifecycle.OUTCOME_LABELS.items()],
        "participation_options": [(p.value, participation_name(p)) for p in Participation],
        "kind_labels": forum_service.KIND_LABELS,
        "state_labels": lifecycle.STATE_LABELS,
        "outcome_labels": lifecycle.OUTCOME_LABELS,
    }


@router.get("/forum", name="forum")
def forum_index(request: Request, session: SessionDep, user: Viewer) -> Response:
    """Sessions the user may see; for management also the queue of waiting initiatives."""
    lists = forum_service.visible_sessions(session, user, utcnow())
    waiting = forum_service.queue(session) if policies.can_manage_forum(user) else []
    context = {"upcoming": lists.upcoming, "past": lists.past, "waiting": waiting}
    return render(request, "forum/list.html", context)


# ---- sessions ------------------------------------------------------------------------------


def _session_form(
    request: Request,
    values: dict[str, Any],
    forum_session: ForumSession | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "values": values,
        "forum_session": forum_session,
        "errors": errors or {},
        **choices(),
    }
    return render(request, "forum/session_form.html", context, status_code=status_code)


@router.get("/forum/sessions/new", name="new_forum_session")
def new_session_form(request: Request, user: Manager) -> Response:
    """The form for scheduling a session."""
    day = today() + timedelta(days=30)
    values = {
        "title": _("Cooperation forum"),
        "starts_on": day.isoformat(),
        "starts_time": "14:00",
        "duration_minutes": 120,
        "participation": "planning",
    }
    return _session_form(request, values)


@router.post("/forum/sessions/new")
def create_session(
    request: Request, session: SessionDep, user: Manager, form: FormData
) -> Response:
    """Schedule the session and go to its page to build the agenda. A date too near to publish
    the agenda with the notice is said at once, and scheduled only when ticked anyway."""
    values = dict(form)
    try:
        data = parse(SessionForm, values)
        wanted = data.to_create()
        deadline = forum_service.notice_deadline_for(wanted.starts_at)
        if deadline is not None and today() > deadline and values.get("late_ok") != "on":
            message = _(
                "With this date the agenda should have been published by %(deadline)s: that "
                "day has passed, and only an administrator can publish it late. Choose a later "
                "date, or tick the box to schedule it anyway.",
                deadline=fmt_date(deadline, "long"),
            )
            values["late_asked"] = "1"
            raise ValidationFailed({"late_ok": message})
        created = forum_service.create_session(session, wanted, user)
    except ValidationFailed as exc:
        return _session_form(request, values, None, exc.errors, UNPROCESSABLE)
    return back(created.id)


@router.get("/forum/sessions/{session_id}/edit", name="edit_forum_session")
def edit_session_form(request: Request, user: Manager, forum_session: ManagedSession) -> Response:
    """The form for changing a session's time, place and link."""
    starts = local(forum_session.starts_at)
    values = forum_session.model_dump()
    values.update(starts_on=starts.date().isoformat(), starts_time=starts.strftime("%H:%M"))
    return _session_form(request, values, forum_session)


@router.post("/forum/sessions/{session_id}/edit")
def update_session(
    request: Request,
    session: SessionDep,
    user: Manager,
    forum_session: ManagedSession,
    form: FormData,
) -> Response:
    """Save the changes; a stale form is shown again with a conflict message."""
    values: dict[str, Any] = dict(form)
    try:
        data = parse(SessionEditForm, values)
        forum_service.update_session(session, forum_session, data.to_update(), user)
    except ValidationFailed as exc:
        return _session_form(request, values, forum_session, exc.errors, UNPROCESSABLE)
    except Conflict:
        values["version"] = forum_session.version
        return _session_form(request, values, forum_session, {"": conflict()}, 409)
    return back(forum_session.id)


def conflict() -> str:
    return _(
        "Someone else saved this in the meantime. Your changes are kept below: compare them "
        "with the saved version and save again."
    )


def detail(
    request: Request,
    session: SessionDep,
    user: Principal,
    forum_session: ForumSession,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    assert forum_session.id is not None
    now = utcnow()
    agenda = forum_service.items(session, forum_session.id)
    manage = policies.can_manage_forum(user)
    context = {
        "forum_session": forum_session,
        "items": agenda,
        "initiatives": forum_service.initiatives_of(session, agenda),
        "manage": manage,
        "show_minutes": policies.can_view_forum_minutes(user, forum_session),
        "waiting": forum_service.queue(session) if manage else [],
        "owners": minutes_service.follow_up_owners(session, agenda),
        "started": forum_service.has_started(forum_session, now),
        "deadline": forum_service.notice_deadline(forum_session),
        "late": today() > forum_service.notice_deadline(forum_session),
        "changed": forum_service.changed_since_publication(forum_session),
        "changes": forum_agenda.changes_since_publication(session, forum_session) if manage else [],
        "can_override": policies.can_override_forum_notice(user),
        "ends_at": forum_service.ends_at(forum_session),
        "notice_days": get_settings().forum_notice_days,
        "errors": errors or {},
        "values": values or {"planned_minutes": 15, "participation": "planning", "kind": "theme"},
        **choices(),
    }
    return render(request, "forum/detail.html", context, status_code=status_code)


@router.get("/forum/sessions/{session_id}", name="forum_session")
def session_page(
    request: Request, session: SessionDep, user: Viewer, forum_session: ViewableSession
) -> Response:
    """A session: time, place, the agenda with its minutes, and management's actions."""
    return detail(request, session, user, forum_session)


@router.post("/forum/sessions/{session_id}/items")
def add_item(
    request: Request,
    session: SessionDep,
    user: Manager,
    forum_session: ManagedSession,
    form: FormData,
) -> Response:
    """Add a budget matter, a theme or a free item at the end of the agenda."""
    values = dict(form)
    try:
        forum_agenda.add_item(session, forum_session, parse(ItemInput, values), user)
    except ValidationFailed as exc:
        return detail(request, session, user, forum_session, exc.errors, values, UNPROCESSABLE)
    return back(forum_session.id, "#agenda-title")


@router.post("/forum/sessions/{session_id}/items/from-initiative")
def add_from_initiative(
    request: Request,
    session: SessionDep,
    user: Manager,
    forum_session: ManagedSession,
    form: FormData,
) -> Response:
    """Put a waiting initiative on the agenda with one click."""
    try:
        initiative_id = int(form.get("initiative_id", ""))
    except ValueError:
        errors = {"initiative_id": _("Choose an initiative from the queue.")}
        return detail(request, session, user, forum_session, errors, None, UNPROCESSABLE)
    try:
        forum_agenda.add_initiative(session, forum_session, initiative_id, user)
    except ValidationFailed as exc:
        return detail(request, session, user, forum_session, exc.errors, None, UNPROCESSABLE)
    return back(forum_session.id, "#agenda-title")


@router.post("/forum/sessions/{session_id}/publish")
def publish_agenda(
    request: Request,
    session: SessionDep,
    user: Manager,
    forum_session: ManagedSession,
    form: FormData,
    background: BackgroundTasks,
    bind: Bind,
) -> Response:
    """Publish the agenda and mail it to the participants; late only with an admin override.
    Confirmed first: without `confirmed` the page shows whom the mail reaches."""
    override = form.get("override") in ("on", "1", "true")
    if not form.get("confirmed"):
        try:
            minutes_service.check_publishable(session, forum_session, user, override=override)
        except ValidationFailed as exc:
            return detail(request, session, user, forum_session, exc.errors, None, UNPROCESSABLE)
        people = forum_service.participants(session, today())
        again = forum_session.agenda_published_at is not None
        return confirm_send(
            request,
            heading=_("Confirm the updated agenda") if again else _("Confirm the agenda"),
            what=_(
                "The agenda of %(title)s on %(date)s",
                title=forum_session.title,
                date=fmt_date(forum_session.starts_at),
            ),
            reach=mail_reach.of_people(people),
            channel=_("Mail, at once, with a calendar file; the chairs see it in the portal."),
            action=f"/forum/sessions/{forum_session.id}/publish",
            button=ngettext(
                "Publish and mail %(num)s person",
                "Publish and mail %(num)s people",
                len({p.id for p in people}),
            ),
            back=f"/forum/sessions/{forum_session.id}",
            hidden={"override": "on"} if override else {},
        )
    try:
        minutes_service.publish_agenda(session, forum_session, user, override=override)
    except ValidationFailed as exc:
        return detail(request, session, user, forum_session, exc.errors, None, UNPROCESSABLE)
    background.add_task(mail_service.send_pending, bind)
    return back(forum_session.id)


@router.post("/forum/sessions/{session_id}/publish-minutes")
def publish_minutes(
    request: Request,
    session: SessionDep,
    user: Manager,
    forum_session: ManagedSession,
    background: BackgroundTasks,
    bind: Bind,
) -> Response:
    """Publish the minutes to every chair; their decisions answer the initiatives."""
    try:
        published = minutes_service.publish_minutes(session, forum_session, user)
    except ValidationFailed as exc:
        return detail(request, session, user, forum_session, exc.errors, None, UNPROCESSABLE)
    background.add_task(mail_service.send_pending, bind)
    if published.notes:
        # Said on a page of its own: a redirect would lose why an initiative was not changed.
        context = {"forum_session": forum_session, "published": published}
        return render(request, "forum/minutes_published.html", context)
    return back(forum_session.id)


@router.get("/forum/sessions/{session_id}/print", name="forum_session_print")
def print_page(
    request: Request, session: SessionDep, user: Viewer, forum_session: ViewableSession
) -> Response:
    """The agenda and (for those who may read them) the minutes, laid out for printing."""
    assert forum_session.id is not None
    agenda = forum_service.items(session, forum_session.id)
    context = {
        "forum_session": forum_session,
        "items": agenda,
        "initiatives": forum_service.initiatives_of(session, agenda),
        "show_minutes": policies.can_view_forum_minutes(user, forum_session),
        "ends_at": forum_service.ends_at(forum_session),
        "owners": minutes_service.follow_up_owners(session, agenda),
        "base_url": get_settings().base_url.rstrip("/"),
        **choices(),
    }
    return render(request, "forum/print.html", context)


@router.get("/forum/sessions/{session_id}/calendar.ics", name="forum_session_ics")
def calendar_file(session: SessionDep, user: Viewer, forum_session: ViewableSession) -> Response:
    """The session as an iCalendar event."""
    body = minutes_service.calendar(session, forum_session)
    headers = {"Content-Disposition": f'attachment; filename="forum-{forum_session.id}.ics"'}
    return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)


# ---- agenda items --------------------------------------------------------------------------
