"""The pages' templates: the one Jinja environment, with the request's user and CSRF token."""

import html
import re
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from app import policies
from app.config import get_settings
from app.jinja import env
from app.services.mail.reach import LANGUAGE_NAMES
from app.services.overview.menu import site_menu

# Pages show their buttons by the same predicates the routes enforce (mail never needs them).
env.globals["policies"] = policies
env.globals["site_menu"] = site_menu
templates = Jinja2Templates(env=env)


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """Render a page with the user, the CSRF token and the settings available."""
    ctx: dict[str, Any] = {
        "user": getattr(request.state, "principal", None),
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "debug": get_settings().debug,
        "errors": {},
        "values": {},
    }
    ctx.update(context or {})
    if ctx.get("errors"):
        # The error summary names each field as its label does: a first rendering finds the
        # labels of the page's fields, the second shows them in the summary.
        first = templates.get_template(name).render({**ctx, "request": request})
        ctx["field_labels"] = field_labels(first)
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)


_LABEL = re.compile(r'<label[^>]*\bfor="field-([^"]+)"[^>]*>(.*?)</label>', re.S)
_TAGS = re.compile(r"<[^>]+>")


def field_labels(page: str) -> dict[str, str]:
    """The visible label of each form field (id field-NAME) on a rendered page, by NAME, as
    plain text (the mark of a required field left out)."""
    found: dict[str, str] = {}
    for name, inner in _LABEL.findall(page):
        text = html.unescape(_TAGS.sub("", inner)).strip().rstrip("*").strip()
        found.setdefault(name, " ".join(text.split()))
    return found


def confirm_send(
    request: Request,
    *,
    heading: str,
    what: str,
    reach: Any,
    channel: str,
    action: str,
    button: str,
    back: str,
    hidden: dict[str, Any] | None = None,
) -> HTMLResponse:
    """The confirmation page before a send to many people (app/services/mail/reach.py): the
    same form posted again with `confirmed` set to the number of recipients shown."""
    context = {
        "heading": heading,
        "what": what,
        "reach": reach,
        "channel": channel,
        "action": action,
        "button": button,
        "back": back,
        "hidden": hidden or {},
        "language_names": LANGUAGE_NAMES,
    }
    response = render(request, "confirm_send.html", context)
    response.headers["Cache-Control"] = "no-store"
    return response
