"""Authorization matrix entries for the accessibility statement and feedback form (public) and
the administrators' feedback list."""

from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from app.models.accessibility import FeedbackForm
from app.services.accessibility import feedback as accessibility
from tests.authz.roles import ADMIN, EVERYONE, Rule

MATRIX: dict[str, Rule] = {
    "GET /accessibility": Rule(EVERYONE),
    "GET /accessibility/feedback": Rule(EVERYONE),
    "POST /accessibility/feedback": Rule(EVERYONE),
    "GET /admin/accessibility-feedback": Rule(ADMIN),
    "GET /admin/accessibility-feedback/{feedback_id}": Rule(ADMIN),
    "POST /admin/accessibility-feedback/{feedback_id}/answer": Rule(ADMIN),
}


def extend_world(session: Session, world: dict[str, Any]) -> dict[str, Any]:
    """One feedback message from an anonymous visitor."""
    feedback = accessibility.submit(
        session, FeedbackForm(email="visitor@example.com", problem="Kontrasti"), None, "fi"
    )
    return {"accessibility_feedback": feedback}


PARAMS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "feedback_id": lambda world: world["accessibility_feedback"].id,
}
SECTIONS: dict[str, Callable[[dict[str, Any]], Any]] = {}
