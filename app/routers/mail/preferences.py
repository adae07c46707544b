"""Mail choices: how each kind of mail comes to me (at once, in a digest, or not at all)."""

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from app.deps import FormData, SessionDep, require
from app.errors import ValidationFailed
from app.services.access.roles import Principal
from app.services.mail import preferences
from app.templating import render

router = APIRouter()

Chooser = Annotated[Principal, require("can_choose_mail")]


def _page(
    request: Request,
    session: SessionDep,
    user: Principal,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    current = preferences.all_for(session, user.id)
    topics = [
        {
            "topic": topic.value,
            "label": preferences.TOPIC_LABELS[topic],
            "help": preferences.TOPIC_HELP[topic],
            "choices": [
                (choice.value, preferences.label(topic, choice))
                for choice in preferences.allowed(topic)
            ],
        }
        for topic in preferences.topics_for(user)
    ]
    context = {
        "topics": topics,
        "values": values if values is not None else {t.value: c.value for t, c in current.items()},
        "errors": errors or {},
    }
    return render(request, "account/notifications.html", context, status_code=status_code)


@router.get("/account/notifications", name="mail_preferences")
def mail_choices(request: Request, session: SessionDep, user: Chooser) -> Response:
    """My choice for each kind of mail."""
    return _page(request, session, user)


@router.post("/account/notifications")
def save_mail_choices(
    request: Request, session: SessionDep, user: Chooser, form: FormData
) -> Response:
    """Save my choices; a choice a topic does not offer is refused at its field."""
    try:
        preferences.update(session, user, form)
    except ValidationFailed as exc:
        return _page(request, session, user, values=form, errors=exc.errors, status_code=422)
    return RedirectResponse("/account/notifications?saved=1", status_code=303)
