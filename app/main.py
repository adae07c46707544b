"""The application factory: routers, middleware, error pages, the scheduler's lifespan."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

import anyio.to_thread
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError, OperationalError, StatementError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app import forms
from app.config import get_settings
from app.db import TextRefused
from app.deps import LoginRequired, verify_csrf
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.i18n import LANGUAGES, _
from app.middleware import LANGUAGE_HINT, ConcurrencyLimit, PortalMiddleware
from app.routers import API_ROUTERS, PAGE_ROUTERS
from app.routers.api import ERROR_RESPONSES
from app.services.finances import cache as finance_cache
from app.templating import render

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).parent / "static"


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the scheduler with the app when enabled; stop it with the app."""
    from app import i18n, scheduler

    # The catalogues are compiled from the .po files once, here, rather than by the first
    # requests of each language, each thread of which compiled its own copy meanwhile.
    for language in i18n.LANGUAGES:
        i18n.translations(language)
    # Worker threads for the admitted requests (ConcurrencyLimit) and for the tasks some of them
    # run after their response (mail); more threads would only compete for the same lock.
    limiter = anyio.to_thread.current_default_thread_limiter()
    limiter.total_tokens = get_settings().max_concurrent_requests + 4
    started = scheduler.start_if_enabled()
    try:
        yield
    finally:
        if started:
            scheduler.shutdown()


def _error_page(request: Request, status_code: int, headline: str, detail: str) -> Response:
    return render(
        request, "error.html", {"headline": headline, "detail": detail}, status_code=status_code
    )


def install_error_handlers(app: FastAPI) -> None:
    """Clear answers for every failure, in the user's language."""

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        # A link from a mail names the reader's language: the login page speaks it too.
        hint = request.query_params.get(LANGUAGE_HINT, "")
        lang = f"&{LANGUAGE_HINT}={hint}" if hint in LANGUAGES else ""
        return RedirectResponse(f"/login?next={quote(target)}{lang}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _is_api(request):
            return JSONResponse(
                {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
            )
        messages = {
            403: (_("Access denied"), _("You do not have permission to see this page.")),
            404: (_("Page not found"), _("The page does not exist or it has been removed.")),
            405: (_("Not allowed"), _("This address does not accept that kind of request.")),
            413: (_("Too large"), _("The request is too large.")),
        }
        if exc.status_code == 403 and exc.detail == "csrf":
            headline, detail = (
                _("The form has expired"),
                _("Please go back, reload the page and send the form again."),
            )
        else:
            headline, detail = messages.get(
                exc.status_code, (_("Something went wrong"), str(exc.detail))
            )
        return _error_page(request, exc.status_code, headline, detail)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"field": forms.field_name(tuple(e["loc"])), "reason": forms.reason(dict(e))}
            for e in exc.errors()
        ]
        if _is_api(request):
            return JSONResponse({"detail": errors}, status_code=422)
        detail = "; ".join(f"{e['field']}: {e['reason']}" for e in errors)
        return _error_page(request, 422, _("Check the input"), detail)

    @app.exception_handler(ValidationFailed)
    async def validation_failed(request: Request, exc: ValidationFailed) -> Response:
        errors = [{"field": k, "reason": v} for k, v in exc.errors.items()]
        if _is_api(request):
            return JSONResponse({"detail": errors}, status_code=422)
        detail = "; ".join(e["reason"] for e in errors)
        return _error_page(request, 422, _("Check the input"), detail)

    @app.exception_handler(TextRefused)
    @app.exception_handler(StatementError)
    async def text_refused(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, TextRefused) and not isinstance(
            getattr(exc, "orig", None), TextRefused
        ):
            raise exc
        reason = forms.NUL_REASON()
        if _is_api(request):
            return JSONResponse({"detail": [{"field": "", "reason": reason}]}, status_code=422)
        return _error_page(request, 422, _("Check the input"), reason)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return await http_error(request, StarletteHTTPException(404))

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return await http_error(request, StarletteHTTPException(403))

    @app.exception_handler(Conflict)
    async def conflict(request: Request, exc: Conflict) -> Response:
        message = _("Someone else changed this in the meantime. Reload the page and try again.")
        if _is_api(request):
            return JSONResponse({"detail": message}, status_code=409)
        return _error_page(request, 409, _("Changed in the meantime"), message)

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def out_of_range(request: Request, exc: Exception) -> Response:
        # A number too large for the database (e.g. an id of 30 digits) finds nothing.
        return await http_error(request, StarletteHTTPException(404))

    @app.exception_handler(OperationalError)
    async def database_down(request: Request, exc: OperationalError) -> Response:
        log.error("database unavailable: %s", exc)
        message = _("The service is temporarily unavailable. Please try again in a moment.")
        if _is_api(request):
            return JSONResponse({"detail": message}, status_code=503)
        return _error_page(request, 503, _("Temporarily unavailable"), message)


def create_app() -> FastAPI:
    """Build the portal's ASGI application."""
    settings = get_settings()
    finance_cache.register()
    app = FastAPI(
        title="Asukasportaali",
        version="0.1.0",
        description="Resident-participation portal: JSON API (bearer tokens).",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(verify_csrf)],
        debug=False,
    )
    app.state.settings = settings
    app.add_middleware(PortalMiddleware)
    app.add_middleware(ConcurrencyLimit)  # outermost: a waiting request holds nothing
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in PAGE_ROUTERS:
        app.include_router(router, include_in_schema=False)
    for router in API_ROUTERS:
        app.include_router(router, responses=ERROR_RESPONSES)
    return app


app = create_app()
