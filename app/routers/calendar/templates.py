"""The calendar's event templates: the list, a new template and editing one; each change generates
the coming year's events at once."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from app.deps import FormData, SessionDep
from app.errors import Conflict, ValidationFailed
from app.forms import parse
from app.i18n import _
from app.models.calendar import Audience, EventTemplate
from app.models.calendar_schemas import (
    TemplateInput,
    TemplateUpdate,
)
from app.models.participation import Participation
from app.routers.calendar.pages import (
    CHECKBOXES,
    UNPROCESSABLE,
    ManagedTemplate,
    Manager,
    conflict,
    form_choices,
    labels,
)
from app.services.calendar import events as calendar_service
from app.services.calendar import labels as calendar_labels
from app.templating import render

router = APIRouter()


@router.get("/calendar/templates", name="calendar_templates")
def templates_page(request: Request, session: SessionDep, user: Manager) -> Response:
    """The annual calendar's recurring templates."""
    rows = calendar_service.list_templates(session)
    context = {
        "templates": rows,
        "houses": calendar_labels.house_names(session, {t.house_id for t in rows}),
        "rule_text": calendar_labels.rule_text,
        **labels(),
    }
    return render(request, "calendar/templates.html", context)


def _template_form(
    request: Request,
    session: SessionDep,
    values: dict[str, Any],
    template: EventTemplate | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "values": values,
        "template": template,
        "errors": errors or {},
        **form_choices(session, _("Every house (one event per house)")),
    }
    return render(request, "calendar/template_form.html", context, status_code=status_code)


def _checkboxes(values: dict[str, Any]) -> dict[str, Any]:
    """An unticked box is not sent: it means no."""
    for name in CHECKBOXES:
        values.setdefault(name, "off")
    return values


@router.get("/calendar/templates/new", name="new_calendar_template")
def new_template_form(request: Request, session: SessionDep, user: Manager) -> Response:
    """The form for a new recurring template."""
    values = {
        "months": "",
        "day": 15,
        "week": 1,
        "start_time": "18:00",
        "duration_minutes": 120,
        "audience": Audience.all_chairs.value,
        "participation": Participation.information.value,
        "invitation_days": 21,
        "reminder_days": 2,
        "active": "on",
    }
    return _template_form(request, session, values)


@router.post("/calendar/templates/new")
def create_template(
    request: Request, session: SessionDep, user: Manager, form: FormData
) -> Response:
    """Add the template; its events for the coming year appear at once."""
    values = _checkboxes(dict(form))
    try:
        data = parse(TemplateInput, values)
        calendar_service.create_template(session, data, user)
    except ValidationFailed as exc:
        return _template_form(request, session, values, None, exc.errors, UNPROCESSABLE)
    return RedirectResponse("/calendar/templates", status_code=303)


@router.get("/calendar/templates/{template_id}/edit", name="edit_calendar_template")
def edit_template_form(
    request: Request, session: SessionDep, user: Manager, template: ManagedTemplate
) -> Response:
    """The form for changing a template (and deactivating it)."""
    values: dict[str, Any] = template.model_dump()
    values.update(
        start_time=template.start_time.strftime("%H:%M"),
        active="on" if template.active else "off",
        registration="on" if template.registration else "off",
    )
    return _template_form(request, session, values, template)


@router.post("/calendar/templates/{template_id}/edit")
def update_template(
    request: Request,
    session: SessionDep,
    user: Manager,
    template: ManagedTemplate,
    form: FormData,
) -> Response:
    """Save the template; future events nobody adjusted follow it."""
    values = _checkboxes(dict(form))
    try:
        data = parse(TemplateUpdate, values)
        calendar_service.update_template(session, template, data, user)
    except ValidationFailed as exc:
        return _template_form(request, session, values, template, exc.errors, UNPROCESSABLE)
    except Conflict:
        values["version"] = template.version
        return _template_form(request, session, values, template, {"": conflict()}, 409)
    return RedirectResponse("/calendar/templates", status_code=303)
