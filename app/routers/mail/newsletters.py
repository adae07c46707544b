"""Newsletter pages: the archive, writing (in Finnish, and in Swedish and English if wished),
previews per language, test send, the confirmation before sending, scheduling and cancelling."""

import re
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.engine import Engine

from app import policies
from app.db import get_bind
from app.deps import FormData, SessionDep, permit, require
from app.errors import Conflict, ValidationFailed
from app.forms import parse
from app.i18n import _, get_language
from app.jinja import local, participation_name
from app.models.newsletter_schemas import NewsletterForm, NewsletterUpdate, ScheduleForm
from app.models.newsletters import Newsletter, NewsletterKind, NewsletterStatus
from app.models.participation import Participation
from app.models.types import utcnow
from app.services.access.roles import Principal
from app.services.mail import delivery as mail_service
from app.services.mail import markdown
from app.services.newsletters import content as newsletter_content
from app.services.newsletters import editions as newsletters_service
from app.services.newsletters import reach as newsletter_reach
from app.services.newsletters import sending
from app.templating import render

router = APIRouter()

Reader = Annotated[Principal, require("can_list_newsletters")]
Writer = Annotated[Principal, require("can_write_newsletters")]
Bind = Annotated[Engine, Depends(get_bind)]
UNPROCESSABLE = status.HTTP_422_UNPROCESSABLE_CONTENT


def get_readable(newsletter_id: int, user: Reader, session: SessionDep) -> Newsletter:
    """A newsletter the user may read; one they may not does not exist for them (404)."""
    found = newsletters_service.get(session, newsletter_id)
    if not policies.can_read_newsletter(user, found):
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return found


def get_managed(newsletter_id: int, user: Reader, session: SessionDep) -> Newsletter:
    """A newsletter the user writes (preview, test, schedule, cancel)."""
    found = newsletters_service.get(session, newsletter_id)
    permit(policies.can_manage_newsletter(user, found))
    return found


def get_editable(newsletter_id: int, user: Reader, session: SessionDep) -> Newsletter:
    """A newsletter whose text the user may still change."""
    found = newsletters_service.get(session, newsletter_id)
    permit(policies.can_edit_newsletter(user, found))
    return found


Readable = Annotated[Newsletter, Depends(get_readable)]
Managed = Annotated[Newsletter, Depends(get_managed)]
Editable = Annotated[Newsletter, Depends(get_editable)]


def _back(newsletter_id: int | None, query: str = "") -> RedirectResponse:
    return RedirectResponse(f"/newsletters/{newsletter_id}{query}", status_code=303)


def _labels() -> dict[str, Any]:
    return {
        "kind_labels": newsletters_service.KIND_LABELS,
        "status_labels": newsletters_service.STATUS_LABELS,
        "language_names": newsletter_content.LANGUAGE_NAMES,
        "participation_options": [(p.value, participation_name(p)) for p in Participation],
    }


def _conflict() -> str:
    return _(
        "Someone else saved this in the meantime. Your changes are kept below: compare them "
        "with the saved version and save again."
    )


# ---- the archive ---------------------------------------------------------------------------


@router.get("/newsletters", name="newsletters")
def archive(request: Request, session: SessionDep, user: Reader) -> Response:
    """The newsletters the user may read, newest first, by kind if chosen."""
    chosen = request.query_params.get("kind", "")
    kind = NewsletterKind(chosen) if chosen in NewsletterKind.__members__ else None
    rows = newsletters_service.readable(session, user, kind)
    kind_options = [("", _("All newsletters"))] + [
        (k.value, _(label)) for k, label in newsletters_service.KIND_LABELS.items()
    ]
    context = {
        "newsletters": rows,
        "kind_options": kind_options,
        "values": {"kind": kind.value if kind else ""},
        **_labels(),
    }
    return render(request, "newsletters/list.html", context)


# ---- writing -------------------------------------------------------------------------------


def _form(
    request: Request,
    session: SessionDep,
    user: Principal,
    values: dict[str, Any],
    newsletter: Newsletter | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    previews: list[newsletter_content.Preview] | None = None,
) -> Response:
    kinds = newsletters_service.writable_kinds(user)
    context = {
        "values": values,
        "newsletter": newsletter,
        "errors": errors or {},
        "kind_options": [(k.value, _(newsletters_service.KIND_LABELS[k])) for k in kinds],
        "house_options": [("", _("Choose the house"))]
        + [(h.id, h.name) for h in newsletters_service.writable_houses(session, user)],
        "previews": previews or [],
        **_labels(),
    }
    return render(request, "newsletters/form.html", context, status_code=status_code)


@router.get("/newsletters/new", name="new_newsletter")
def new_form(request: Request, session: SessionDep, user: Writer) -> Response:
    """The form for starting a newsletter, with the kinds the user may write."""
    kinds = newsletters_service.writable_kinds(user)
    values = {
        "kind": kinds[0].value if kinds else "",
        "participation": Participation.information.value,
        "include_events": "on",
        "include_initiatives": "on",
    }
    return _form(request, session, user, values)


@router.post("/newsletters/new")
def create(request: Request, session: SessionDep, user: Writer, form: FormData) -> Response:
    """Save the draft and show it."""
    values = dict(form)
    try:
        data = parse(NewsletterForm, values)
        created = newsletters_service.create(session, data, user)
    except ValidationFailed as exc:
        return _form(request, session, user, values, None, exc.errors, UNPROCESSABLE)
    return _back(created.id)


@router.get("/newsletters/{newsletter_id}/edit", name="edit_newsletter")
def edit_form(
    request: Request, session: SessionDep, user: Reader, newsletter: Editable
) -> Response:
    """The form for changing a newsletter's text."""
    values = newsletter.model_dump()
    for name in ("include_events", "include_initiatives"):
        values[name] = "on" if values[name] else ""
    return _form(request, session, user, values, newsletter)


@router.post("/newsletters/{newsletter_id}/edit")
def update(
    request: Request, session: SessionDep, user: Reader, newsletter: Editable, form: FormData
) -> Response:
    """Save the changes; a stale form comes back with a conflict message."""
    values: dict[str, Any] = dict(form)
    try:
        data = parse(NewsletterUpdate, values)
        newsletters_service.update(session, newsletter, data, user)
    except ValidationFailed as exc:
        return _form(request, session, user, values, newsletter, exc.errors, UNPROCESSABLE)
    except Conflict:
        values["version"] = newsletter.version
        return _form(request, session, user, values, newsletter, {"": _conflict()}, 409)
    return _back(newsletter.id)


@router.post("/newsletters/{newsletter_id}/preview")
def preview_unsaved(
    request: Request, session: SessionDep, user: Reader, newsletter: Managed, form: FormData
) -> Response:
    """The edit form again with the mail as it would look with the text typed (not saved)."""
    values: dict[str, Any] = dict(form)
    texts = ("title", "body_md", "title_sv", "body_md_sv", "title_en", "body_md_en")
    unsaved = newsletter_content.with_changes(
        newsletter,
        **{name: str(values.get(name, "")) for name in texts},
        include_events=values.get("include_events") == "on",
        include_initiatives=values.get("include_initiatives") == "on",
    )
    shown = sending.preview(session, unsaved, user.person, utcnow())
    return _form(request, session, user, values, newsletter, previews=shown)


# ---- reading, testing, scheduling ----------------------------------------------------------


def _detail(
    request: Request,
    session: SessionDep,
    user: Principal,
    newsletter: Newsletter,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    assert newsletter.id is not None
    manage = policies.can_manage_newsletter(user, newsletter)
    went = newsletter.status in (NewsletterStatus.sending, NewsletterStatus.sent)
    scheduled = newsletter.scheduled_at
    title, title_lang = newsletter_content.title_in(newsletter, get_language())
    body_md, body_lang = newsletter_content.body_in(newsletter, get_language())
    context = {
        "newsletter": newsletter,
        "manage": manage,
        "title": title,
        "title_lang": title_lang,
        "body_html": markdown.to_html(body_md),
        "body_lang": body_lang,
        "progress": newsletters_service.progress(session, newsletter.id) if manage else None,
        "previews": []
        if went or not manage
        else sending.preview(session, newsletter, user.person, utcnow()),
        "house": newsletters_service.house_of(session, newsletter),
        "tested": request.query_params.get("tested") == "1",
        "errors": errors or {},
        "values": values
        or {"scheduled_at": local(scheduled).strftime("%Y-%m-%dT%H:%M") if scheduled else ""},
        "went": went,
        **_labels(),
    }
    return render(request, "newsletters/detail.html", context, status_code=status_code)


@router.get("/newsletters/{newsletter_id}", name="newsletter")
def read(request: Request, session: SessionDep, user: Reader, newsletter: Readable) -> Response:
    """A newsletter; for its writers also its state, progress, preview and actions."""
    return _detail(request, session, user, newsletter)


@router.post("/newsletters/{newsletter_id}/test")
def test_send(
    session: SessionDep,
    user: Reader,
    newsletter: Managed,
    background: BackgroundTasks,
    bind: Bind,
) -> Response:
    """Mail the newsletter to the writer alone, at once."""
    sending.test_send(session, newsletter, user.person)
    background.add_task(mail_service.send_pending, bind)
    return _back(newsletter.id, "?tested=1#test-title")


def _confirmation(
    request: Request,
    newsletter: Newsletter,
    found: newsletter_reach.Reach,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The confirmation before sending: whom, how many, by which channel, in which languages."""
    context = {
        "newsletter": newsletter,
        "reach": found,
        "values": values,
        "errors": errors or {},
        "confirmation": newsletters_service.CONFIRMATION,
        **_labels(),
    }
    return render(request, "newsletters/confirm.html", context, status_code=status_code)


def _when(values: dict[str, Any]) -> tuple[ScheduleForm, datetime | None]:
    """The form's sending time: None for now, or the chosen time (ValidationFailed if none)."""
    data = parse(ScheduleForm, values)
    if not data.send_now and data.scheduled_at is None:
        raise ValidationFailed({"scheduled_at": _("Choose the time, or send now.")})
    return data, None if data.send_now else data.scheduled_at


@router.get("/newsletters/{newsletter_id}/confirm", name="confirm_newsletter")
def confirm(request: Request, session: SessionDep, user: Reader, newsletter: Managed) -> Response:
    """The step before sending ("send now", or scheduling with ?scheduled_at=): how many people
    it reaches and in which languages; only its button sends. It changes nothing itself."""
    query = request.query_params
    values: dict[str, Any] = {"version": str(newsletter.version)}
    if "scheduled_at" in query and not query.get("send_now"):
        values["scheduled_at"] = query.get("scheduled_at", "")
    else:
        values["send_now"] = "on"
    try:
        data, at = _when(values)
        when, found = newsletters_service.check_schedule(session, newsletter, at)
    except ValidationFailed as exc:
        return _detail(request, session, user, newsletter, exc.errors, values, UNPROCESSABLE)
    values["when"] = None if data.send_now else when
    return _confirmation(request, newsletter, found, values)


@router.post("/newsletters/{newsletter_id}/schedule")
def schedule(
    request: Request, session: SessionDep, user: Reader, newsletter: Managed, form: FormData
) -> Response:
    """Schedule sending at a Helsinki time, or now, once confirmed: the confirmation page's
    button carries the number of recipients it showed. Without it (or when the audience has
    changed since) nothing is sent and the confirmation page comes back with the reason."""
    values: dict[str, Any] = dict(form)
    confirmation = newsletters_service.CONFIRMATION
    if not re.fullmatch(r"[0-9]{1,9}", str(values.get(confirmation, ""))):
        values.pop(confirmation, None)  # not the confirmation page's number: not confirmed
    try:
        data, at = _when(values)
    except ValidationFailed as exc:
        return _detail(request, session, user, newsletter, exc.errors, values, UNPROCESSABLE)
    try:
        newsletters_service.schedule(
            session,
            newsletter,
            user,
            data.version,
            at,
            confirm_recipients=data.confirm_recipients,
        )
    except ValidationFailed as exc:
        if set(exc.errors) == {confirmation}:
            when, found = newsletters_service.check_schedule(session, newsletter, at)
            values["when"] = None if data.send_now else when
            return _confirmation(request, newsletter, found, values, exc.errors, UNPROCESSABLE)
        return _detail(request, session, user, newsletter, exc.errors, values, UNPROCESSABLE)
    except Conflict:
        return _detail(request, session, user, newsletter, {"": _conflict()}, values, 409)
    return _back(newsletter.id)


@router.post("/newsletters/{newsletter_id}/cancel")
def cancel(
    request: Request, session: SessionDep, user: Reader, newsletter: Managed, form: FormData
) -> Response:
    """Stop a scheduled newsletter."""
    try:
        version = int(form.get("version", newsletter.version))
        newsletters_service.cancel(session, newsletter, user, version)
    except ValueError:
        errors = {"": _("Reload the page and try again.")}
        return _detail(request, session, user, newsletter, errors, None, UNPROCESSABLE)
    except ValidationFailed as exc:
        return _detail(request, session, user, newsletter, exc.errors, None, UNPROCESSABLE)
    except Conflict:
        return _detail(request, session, user, newsletter, {"": _conflict()}, None, 409)
    return _back(newsletter.id)
