"""Per-request plumbing: language, CSRF cookie, security headers, the body size limit and how
many requests are served at once."""

import asyncio
import secrets
import weakref

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import db, i18n
from app.config import get_settings

LANGUAGE_COOKIE = "portal_lang"
LANGUAGE_HINT = "lang"  # the query parameter with which mail links name the reader's language
CSRF_COOKIE = "portal_csrf"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def too_large_message() -> str:
    """The answer to an oversized request, in the request's language."""
    return i18n.gettext("The request is too large.")


class PortalMiddleware:
    """Chooses the language, issues the CSRF cookie, adds security headers and refuses bodies
    larger than settings.request_limit before reading them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        settings = get_settings()
        if scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            db.begin_writing()
        i18n.begin_request(
            i18n.pick_language(
                # ?lang= in a link from a mail: the reader's language, before they log in.
                request.query_params.get(LANGUAGE_HINT),
                request.cookies.get(LANGUAGE_COOKIE),
                request.headers.get("accept-language"),
                settings.default_language,
            )
        )
        limit = settings.request_limit
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            too_large = (
                JSONResponse({"detail": too_large_message()}, status_code=413)
                if scope["path"].startswith("/api/")
                else PlainTextResponse(too_large_message(), status_code=413)
            )
            await too_large(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            # A body sent without a length (chunked) is counted as it arrives.
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise HTTPException(413, detail=too_large_message())
            return message

        csrf = request.cookies.get(CSRF_COOKIE)
        new_csrf = None
        if not csrf or len(csrf) < 20:
            csrf = new_csrf = secrets.token_urlsafe(32)
        scope.setdefault("state", {})["csrf_token"] = csrf
        secure = settings.cookie_secure or scope.get("scheme") == "https"

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", CSP)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
                if secure:
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000")
                headers.append("Content-Language", i18n.get_language())
                if new_csrf:
                    cookie = f"{CSRF_COOKIE}={new_csrf}; Path=/; SameSite=Lax; HttpOnly"
                    headers.append("Set-Cookie", cookie + ("; Secure" if secure else ""))
            await send(message)

        await self.app(scope, limited_receive, send_wrapper)


class ConcurrencyLimit:
    """Lets at most `settings.max_concurrent_requests` requests into the application at once;
    the rest wait their turn here, in the event loop, holding nothing.

    A request takes a worker thread for each of its steps (dependencies, the handler) and a
    database connection for its whole length. Without this limit, under a burst of clients every
    thread could be held by a new request waiting for a connection while the requests holding
    the connections waited for a thread (found at 64 clients in bench/); and one Python process
    answers fastest with a few requests in hand rather than dozens competing for its lock.
    """

    def __init__(self, app: ASGIApp, limit: int | None = None) -> None:
        self.app = app
        self.limit = limit  # None: the setting
        self._gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]
        self._gates = weakref.WeakKeyDictionary()

    def _gate(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        gate = self._gates.get(loop)
        if gate is None:
            gate = self._gates[loop] = asyncio.Semaphore(
                self.limit or get_settings().max_concurrent_requests
            )
        return gate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        gate = self._gate()
        await gate.acquire()
        held = True

        async def send_and_release(message: Message) -> None:
            nonlocal held
            await send(message)
            # The answer is out: what the request still runs after it (mail to send) does not
            # keep the next request waiting.
            if held and message["type"] == "http.response.body" and not message.get("more_body"):
                held = False
                gate.release()

        try:
            await self.app(scope, receive, send_and_release)
        finally:
            if held:
                gate.release()
