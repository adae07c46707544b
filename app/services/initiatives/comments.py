"""The discussion on an initiative: comments with one level of replies, and what its page shows.

A reply to a reply joins the thread of the top-level comment it belongs to: the page offers a
reply form only under top-level comments, and an API client replying deeper is not refused but
placed where the page would have put it.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.config import get_settings
from app.errors import Forbidden, ValidationFailed
from app.i18n import _
from app.models.initiatives import CommentInput, Initiative, InitiativeComment
from app.models.people import Person
from app.models.types import utcnow
from app.services.access.roles import Principal
from app.services.initiatives import attachments as attachments_service
from app.services.initiatives import following as following_service
from app.services.initiatives import policies
from app.services.platform import audit

MAX_BODY = 10000


@dataclass
class CommentView:
    """A comment with its author's name and, for a top-level comment, its replies."""

    comment: InitiativeComment
    author: str
    replies: list["CommentView"] = field(default_factory=list)


def add(
    session: Session,
    initiative: Initiative,
    user: Principal,
    data: CommentInput,
    now: datetime | None = None,
) -> InitiativeComment:
    """Post a comment or a reply; the body is required, a parent must be on this initiative."""
    if not policies.can_comment_initiative(user, initiative):
        raise Forbidden()
    assert initiative.id is not None
    body = data.body.strip()
    if not body:
        raise ValidationFailed({"body": _("This field is required.")})
    if len(body) > MAX_BODY:
        raise ValidationFailed({"body": _("Enter at most %(n)s characters.", n=MAX_BODY)})
    parent_id = None
    if data.parent_id is not None:
        parent = session.get(InitiativeComment, data.parent_id)
        if parent is None or parent.initiative_id != initiative.id:
            raise ValidationFailed(
                {"parent_id": _("The comment you replied to is not on this initiative.")}
            )
        parent_id = parent.parent_id or parent.id
    comment = InitiativeComment(
        initiative_id=initiative.id,
        parent_id=parent_id,
        author_id=user.id,
        body=body,
        created_at=now or utcnow(),
    )
    session.add(comment)
    session.flush()
    audit.record(session, user.id, "create", comment)
    return comment


def flat(session: Session, initiative_id: int) -> list[tuple[InitiativeComment, str]]:
    """Every comment of an initiative with its author's name, oldest first."""
    rows = session.exec(
        select(InitiativeComment, Person)
        .outerjoin(Person, col(Person.id) == InitiativeComment.author_id)
        .where(InitiativeComment.initiative_id == initiative_id)
        .order_by(col(InitiativeComment.created_at), col(InitiativeComment.id))
    )
    return [(comment, person.name if person else "") for comment, person in rows]


def threads(session: Session, initiative_id: int) -> list[CommentView]:
    """Top-level comments oldest first, each with its replies oldest first."""
    top: list[CommentView] = []
    by_id: dict[int, CommentView] = {}
    replies: list[CommentView] = []
    for comment, author in flat(session, initiative_id):
        view = CommentView(comment, author)
        if comment.parent_id is None:
            assert comment.id is not None
            by_id[comment.id] = view
            top.append(view)
        else:
            replies.append(view)
    for reply in replies:
        parent = by_id.get(reply.comment.parent_id or 0)
        if parent is not None:
            parent.replies.append(reply)
    return top


def discussion_context(session: Session, initiative: Initiative, user: Principal) -> dict[str, Any]:
    """What initiatives/_discussion.html needs: comments, attachments, following, the limits."""
    assert initiative.id is not None
    return {
        "comments": threads(session, initiative.id),
        "attachments": attachments_service.list_for(session, initiative.id),
        "is_following": following_service.is_following(session, initiative, user.id),
        "attachment_accept": attachments_service.accept_attribute(),
        "attachment_types": attachments_service.allowed_labels(),
        "attachment_limit": attachments_service.megabytes(get_settings().attachment_max_bytes),
    }
