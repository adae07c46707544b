"""Unsubscribing from a newsletter by the signed link in its mail: no login, the token in the
address is the proof. The pages speak the language of the person the link belongs to."""

from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.responses import Response

from app.deps import SessionDep, csrf_exempt
from app.errors import NotFound
from app.i18n import _, set_language
from app.services.mail import unsubscribe as unsubscribe_service
from app.services.newsletters import editions as newsletters_service
from app.templating import render

router = APIRouter()


def _invalid_link(request: Request) -> Response:
    context = {
        "headline": _("This unsubscribe link is not valid"),
        "detail": _(
            "The link may have been cut or changed. Log in and change your mail choices on "
            "your account page instead."
        ),
    }
    return render(request, "error.html", context, status_code=status.HTTP_404_NOT_FOUND)


def _page(request: Request, found: Any, token: str, done: bool) -> Response:
    # The reader's language, whoever's browser opens the link (a mail provider's included).
    set_language(found.person.language.value)
    topic_kind = {topic: kind for kind, topic in newsletters_service.TOPICS.items()}
    context = {
        "subscription": found,
        "list_name": _(newsletters_service.KIND_LABELS[topic_kind[found.topic]]),
        "token": token,
        "done": done,
    }
    return render(request, "newsletters/unsubscribe.html", context)


@router.get("/unsubscribe/{token}", name="unsubscribe")
def unsubscribe_page(request: Request, session: SessionDep, token: str) -> Response:
    """Which newsletter the link stops, with a button (a visit alone changes nothing)."""
    try:
        found = unsubscribe_service.resolve(session, token)
    except NotFound:
        return _invalid_link(request)
    return _page(request, found, token, done=found.off)


@router.post("/unsubscribe/{token}")
@csrf_exempt
def unsubscribe_now(request: Request, session: SessionDep, token: str) -> Response:
    """Turn the newsletter off: the page's button, or a mail provider's one-click POST."""
    try:
        found = unsubscribe_service.apply(session, token)
    except NotFound:
        return _invalid_link(request)
    return _page(request, found, token, done=True)
