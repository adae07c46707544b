"""Initiative pages: the list and its CSV export, filing, the detail page with every move, editing.

Who may see an initiative is decided by policies.can_view_initiative; anyone else gets 404, so
the page does not reveal that an initiative exists.
"""

import math
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.engine import Engine

from app import policies
from app.db import get_bind
from app.deps import CurrentUser, FormData, SessionDep, permit, require, today
from app.errors import Conflict, ValidationFailed
from app.forms import parse
from app.i18n import _
from app.models.initiatives import (
    AnswerInput,
    EvaluationInput,
    Initiative,
    InitiativeCreate,
    InitiativeUpdate,
    Scope,
    State,
)
from app.models.participation import Participation
from app.services.access.roles import Principal
from app.services.initiatives import comments as comments_service
from app.services.initiatives import export as export_service
from app.services.initiatives import lifecycle, views
from app.services.initiatives import lists as initiative_lists
from app.services.initiatives import notifications as notifications_service
from app.services.initiatives import records as initiatives_service
from app.services.initiatives import transitions as transitions_service
from app.services.mail import delivery as mail_service
from app.templating import render

router = APIRouter()
PER_PAGE = 25
UNPROCESSABLE = status.HTTP_422_UNPROCESSABLE_CONTENT


def get_viewable_initiative(
    initiative_id: int, user: CurrentUser, session: SessionDep
) -> Initiative:
    """An initiative the user may see; 404 for everyone else, so its existence stays hidden."""
    return initiatives_service.get_visible(session, initiative_id, user)


def get_editable_initiative(
    initiative_id: int, user: CurrentUser, session: SessionDep
) -> Initiative:
    """An initiative whose text the user may edit now; 404 or 403 otherwise."""
    initiative = get_viewable_initiative(initiative_id, user, session)
    permit(policies.can_edit_initiative(user, initiative))
    return initiative


def get_movable_initiative(
    initiative_id: int, action: str, user: CurrentUser, session: SessionDep
) -> Initiative:
    """An initiative on which the user is one of the actors of a move; 404 or 403 otherwise.

    Whether the move is possible from the current state is the service's answer (422 with the
    reason), so an actor learns why rather than meeting a bare refusal.
    """
    initiative = get_viewable_initiative(initiative_id, user, session)
    move = lifecycle.find(action)
    if move is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    permit(bool(move.actors & policies.initiative_actor_roles(user, initiative)))
    return initiative


def get_reviewable_initiative(
    initiative_id: int, user: CurrentUser, session: SessionDep
) -> Initiative:
    """An initiative whose review date the user may set (a handler or an evaluator)."""
    initiative = get_viewable_initiative(initiative_id, user, session)
    permit(policies.can_set_review(user, initiative))
    return initiative


ViewableInitiative = Annotated[Initiative, Depends(get_viewable_initiative)]
EditableInitiative = Annotated[Initiative, Depends(get_editable_initiative)]
MovableInitiative = Annotated[Initiative, Depends(get_movable_initiative)]
ReviewableInitiative = Annotated[Initiative, Depends(get_reviewable_initiative)]
Bind = Annotated[Engine, Depends(get_bind)]


# ---- the list and the export -----------------------------------------------------------------


@router.get("/initiatives", name="initiatives")
def list_initiatives(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The initiatives the user may see, filtered, a page at a time."""
    filters, values = views.filters_from(request.query_params)
    page = views.positive_int(request.query_params.get("page")) or 1
    day = today()
    found, total = initiative_lists.search(
        session, user, filters, day, limit=PER_PAGE, offset=(page - 1) * PER_PAGE
    )
    pages = max(1, math.ceil(total / PER_PAGE))
    if page > pages and total:
        page = pages
        found, total = initiative_lists.search(
            session, user, filters, day, limit=PER_PAGE, offset=(page - 1) * PER_PAGE
        )
    context = {
        "initiatives": found,
        "total": total,
        "page": page,
        "pages": pages,
        "values": values,
        "houses": export_service.houses_by_id(session, [i.house_id for i in found]),
        "house_options": views.house_filter_options(session, user),
        "years": initiative_lists.years(session, user),
        "overdue": {i.id for i in found if initiative_lists.is_overdue(i, day)},
        "state_labels": lifecycle.STATE_LABELS,
        "states": list(State),
        "participations": list(Participation),
    }
    return render(request, "initiatives/list.html", context)


@router.get(
    "/initiatives/export.csv",
    name="initiatives_export",
    dependencies=[require("can_export_initiatives")],
)
def export_initiatives(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The filtered list as CSV for Excel: management and administrators."""
    filters, _values = views.filters_from(request.query_params)
    day = today()
    found = initiative_lists.all_matching(session, user, filters, day)
    body = export_service.to_csv(session, found, day)
    return Response(
        content=body.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="aloitteet-{day.isoformat()}.csv"'},
    )


# ---- filing --------------------------------------------------------------------------------


def _new_form(
    request: Request,
    session: SessionDep,
    user: Principal,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "values": values,
        "errors": errors or {},
        "house_choices": views.filing_houses(session, user),
        "can_company": policies.can_file_company_initiative(user),
        "participations": list(Participation),
    }
    return render(request, "initiatives/new.html", context, status_code=status_code)


@router.get(
    "/initiatives/new", name="new_initiative", dependencies=[require("can_start_initiative")]
)
def new_initiative_form(request: Request, session: SessionDep, user: CurrentUser) -> Response:
    """The form for filing an initiative, or suggesting one to the house's committee."""
    choices = views.filing_houses(session, user)
    values: dict[str, Any] = {
        "scope": "house" if choices else "company",
        "participation": Participation.initiative.value,
    }
    if len(choices) == 1:
        values["house_id"] = choices[0].house.id
    return _new_form(request, session, user, values)


@router.post("/initiatives/new", dependencies=[require("can_start_initiative")])
def create_initiative(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    form: FormData,
    background: BackgroundTasks,
    bind: Bind,
) -> Response:
    """File the draft (or the suggestion) and open it."""
    values: dict[str, Any] = dict(form)
    data = dict(values)
    if data.get("scope") == Scope.company.value:
        data.pop("house_id", None)  # the house select still posts a value; it does not apply
    try:
        initiative = initiatives_service.create(session, parse(InitiativeCreate, data), user)
    except ValidationFailed as exc:
        return _new_form(request, session, user, values, exc.errors, UNPROCESSABLE)
    background.add_task(mail_service.send_pending, bind)
    return RedirectResponse(f"/initiatives/{initiative.id}", status_code=303)


# ---- the detail page and the moves ---------------------------------------------------------


def _detail(
    request: Request,
    session: SessionDep,
    user: Principal,
    initiative: Initiative,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
    done: str = "",
) -> Response:
    context = views.detail_context(session, user, initiative, today(), done)
    # initiatives/_discussion.html (comments, attachments, following) needs its own facts.
    context.update(comments_service.discussion_context(session, initiative, user))
    context.update(errors=errors or {}, values=values or {})
    return render(request, "initiatives/detail.html", context, status_code=status_code)


@router.get("/initiatives/{initiative_id}", name="initiative")
def initiative_page(
    request: Request, session: SessionDep, user: CurrentUser, initiative: ViewableInitiative
) -> Response:
    """An initiative: its text, state, deadlines, answer, evaluations, history and moves."""
    assert initiative.id is not None
    notifications_service.mark_read(session, user.person, initiative.id)
    # ?done=ACTION after a move: the page confirms what the move did (views.done_notice).
    done = str(request.query_params.get("done", ""))[:30]
    return _detail(request, session, user, initiative, done=done)


def _move_input(action: str, values: dict[str, str]) -> dict[str, Any]:
    """The service's keyword arguments for a move, from the posted form."""
    note = values.get("note", "")
    if len(note) > 10000:
        raise ValidationFailed({"note": _("Enter at most %(n)s characters.", n=10000)})
    found: dict[str, Any] = {"note": note, "version": views.positive_int(values.get("version"))}
    if action == "assign":
        found["assignee_id"] = views.positive_int(values.get("assignee_id"))
    elif action == "answer":
        fields = {k: values.get(k, "") for k in ("outcome", "answer")}
        found["answer"] = parse(AnswerInput, fields)
    elif action == "evaluate":
        fields = {k: values.get(k, "") for k in ("rating", "comment")}
        found["evaluation"] = parse(EvaluationInput, fields)
    return found


# Moves that close an initiative for good: confirmed on the page before they are made.
IRREVERSIBLE = ("withdraw", "decline")


@router.post("/initiatives/{initiative_id}/transitions/{action}", name="initiative_transition")
def make_transition(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    initiative: MovableInitiative,
    action: str,
    form: FormData,
    background: BackgroundTasks,
    bind: Bind,
) -> Response:
    """Make one move of the lifecycle; a refused move shows its reason at the form. A move that
    cannot be undone (withdrawing, declining) needs its confirmation box ticked."""
    values: dict[str, Any] = dict(form)
    try:
        if action in IRREVERSIBLE and form.get("confirm") not in ("on", "1", "true"):
            raise ValidationFailed(
                {"confirm": _("Tick the box to confirm: this cannot be undone.")}
            )
        transitions_service.transition(
            session, initiative, action, user, **_move_input(action, values)
        )
    except ValidationFailed as exc:
        errors, kept = views.errors_at_form(user, initiative, action, exc.errors, values)
        return _detail(request, session, user, initiative, errors, kept, UNPROCESSABLE)
    except Conflict:
        message = _(
            "Someone else changed this initiative in the meantime. Check its state below and "
            "try again if the step is still needed."
        )
        session.refresh(initiative)
        return _detail(
            request, session, user, initiative, {"": message}, {}, status.HTTP_409_CONFLICT
        )
    background.add_task(mail_service.send_pending, bind)
    return RedirectResponse(f"/initiatives/{initiative.id}?done={action}", status_code=303)


@router.post("/initiatives/{initiative_id}/review", name="initiative_review")
def set_review(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    initiative: ReviewableInitiative,
    form: FormData,
) -> Response:
    """Set (or clear) the day on which the outcome is to be evaluated."""
    values: dict[str, Any] = {"review_on": form.get("review_on", "")}
    try:
        raw = str(values["review_on"]).strip()
        try:
            review_on = date.fromisoformat(raw) if raw else None
        except ValueError:
            raise ValidationFailed({"review_on": _("Enter a date as YYYY-MM-DD.")}) from None
        version = views.positive_int(form.get("version"))
        transitions_service.set_review(session, initiative, review_on, user, version)
    except ValidationFailed as exc:
        return _detail(request, session, user, initiative, exc.errors, values, UNPROCESSABLE)
    except Conflict:
        message = _(
            "Someone else changed this initiative in the meantime. Check its state below and "
            "try again if the step is still needed."
        )
        session.refresh(initiative)
        return _detail(
            request, session, user, initiative, {"": message}, values, status.HTTP_409_CONFLICT
        )
    return RedirectResponse(f"/initiatives/{initiative.id}", status_code=303)


# ---- editing -------------------------------------------------------------------------------


def _edit_form(
    request: Request,
    initiative: Initiative,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    conflict: bool = False,
) -> Response:
    context = {
        "initiative": initiative,
        "values": values,
        "errors": errors or {},
        "conflict": conflict,
        "participations": list(Participation),
    }
    return render(request, "initiatives/edit.html", context, status_code=status_code)


@router.get("/initiatives/{initiative_id}/edit", name="edit_initiative")
def edit_initiative_form(
    request: Request, user: CurrentUser, initiative: EditableInitiative
) -> Response:
    """The form for editing the title, text and kind of participation."""
    values = {
        "title": initiative.title,
        "body": initiative.body,
        "participation": initiative.participation.value,
        "version": initiative.version,
    }
    return _edit_form(request, initiative, values)


@router.post("/initiatives/{initiative_id}/edit")
def save_initiative(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    initiative: EditableInitiative,
    form: FormData,
) -> Response:
    """Save the edit; a stale form is shown again with the typed text kept."""
    values: dict[str, Any] = dict(form)
    try:
        initiatives_service.update(session, initiative, parse(InitiativeUpdate, values), user)
    except ValidationFailed as exc:
        return _edit_form(request, initiative, values, exc.errors, UNPROCESSABLE)
    except Conflict:
        message = _(
            "Someone else saved this initiative in the meantime. Your text is kept below: "
            "compare it with the saved version and save again."
        )
        session.refresh(initiative)
        # The form now carries the saved version, so saving again is a deliberate overwrite.
        values["version"] = initiative.version
        return _edit_form(
            request, initiative, values, {"": message}, status.HTTP_409_CONFLICT, conflict=True
        )
    return RedirectResponse(f"/initiatives/{initiative.id}", status_code=303)
