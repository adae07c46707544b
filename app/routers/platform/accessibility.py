"""The accessibility statement, the feedback form (both public) and the administrators' list."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import RedirectResponse, Response

from app.deps import FormData, OptionalUser, SessionDep, require, today
from app.errors import ValidationFailed
from app.forms import parse
from app.i18n import get_language
from app.models.accessibility import AccessibilityFeedback, AnswerForm, FeedbackForm
from app.services.access.roles import Principal
from app.services.accessibility import feedback as accessibility_service
from app.templating import render

router = APIRouter()

Handler = Annotated[Principal, require("can_handle_accessibility_feedback")]
UNPROCESSABLE = status.HTTP_422_UNPROCESSABLE_CONTENT
# A field people never see (hidden): a bot that fills it in is thanked, and nothing is stored.
HONEYPOT = "website"


def get_handled_feedback(
    feedback_id: int, user: Handler, session: SessionDep
) -> AccessibilityFeedback:
    """A feedback message, for an administrator."""
    return accessibility_service.get(session, feedback_id)


HandledFeedback = Annotated[AccessibilityFeedback, Depends(get_handled_feedback)]


@router.get("/accessibility", name="accessibility_statement")
def statement(request: Request, user: OptionalUser) -> Response:
    """The accessibility statement (saavutettavuusseloste), in the page's language."""
    context = {**accessibility_service.statement_facts(), "lang": get_language()}
    return render(request, "accessibility/statement.html", context)


def _feedback_form(
    request: Request,
    user: Principal | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {"values": values, "errors": errors or {}, "sent": False}
    return render(request, "accessibility/feedback.html", context, status_code=status_code)


@router.get("/accessibility/feedback", name="accessibility_feedback")
def feedback_form(request: Request, user: OptionalUser, sent: bool = False) -> Response:
    """The feedback form; a logged-in person's name and email are filled in (changeable)."""
    values = {"name": user.person.name, "email": user.person.email} if user else {}
    context = {"values": values, "sent": sent}
    return render(request, "accessibility/feedback.html", context)


@router.post("/accessibility/feedback")
def send_feedback(
    request: Request, session: SessionDep, user: OptionalUser, values: FormData
) -> Response:
    """Store a feedback message and tell the administrators."""
    done = RedirectResponse("/accessibility/feedback?sent=1", status_code=303)
    if values.pop(HONEYPOT, ""):
        return done
    try:
        data = parse(FeedbackForm, values)
        accessibility_service.submit(session, data, user.person if user else None, get_language())
    except ValidationFailed as exc:
        return _feedback_form(request, user, values, exc.errors, UNPROCESSABLE)
    return done


@router.get("/admin/accessibility-feedback", name="accessibility_feedback_list")
def feedback_list(request: Request, session: SessionDep, user: Handler) -> Response:
    """Every feedback message with its deadline and state."""
    context = {"messages": accessibility_service.listing(session), "today": today()}
    return render(request, "accessibility/admin_list.html", context)


def _detail(
    request: Request,
    feedback: AccessibilityFeedback,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "feedback": feedback,
        "today": today(),
        "values": values or {},
        "errors": errors or {},
    }
    return render(request, "accessibility/admin_detail.html", context, status_code=status_code)


@router.get("/admin/accessibility-feedback/{feedback_id}", name="accessibility_feedback_detail")
def feedback_detail(request: Request, user: Handler, feedback: HandledFeedback) -> Response:
    """One message, with its answer or the form to record it."""
    return _detail(request, feedback)


@router.post("/admin/accessibility-feedback/{feedback_id}/answer")
def answer_feedback(
    request: Request,
    session: SessionDep,
    user: Handler,
    feedback: HandledFeedback,
    values: FormData,
) -> Response:
    """Record the answer; it is mailed to the sender."""
    try:
        data = parse(AnswerForm, values)
        accessibility_service.record_answer(session, feedback, data, user.person)
    except ValidationFailed as exc:
        return _detail(request, feedback, values, exc.errors, UNPROCESSABLE)
    return RedirectResponse(f"/admin/accessibility-feedback/{feedback.id}", status_code=303)
