"""The pages' templates: the one Jinja environment, with the request's user and CSRF token."""

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from app import policies
from app.config import get_settings
from app.jinja import env

# Pages show their buttons by the same predicates the routes enforce (mail never needs them).
env.globals["policies"] = policies
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
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)
