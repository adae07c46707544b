"""Newsletters in the JSON API: the archive a caller may read, and new drafts."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status

from app import policies
from app.deps import SessionDep, require_api
from app.models.newsletter_schemas import NewsletterCreate, NewsletterPublic
from app.models.newsletters import Newsletter, NewsletterKind
from app.services.access.roles import Principal
from app.services.mail import markdown
from app.services.newsletters import editions as newsletters_service

router = APIRouter(prefix="/api/v1/newsletters", tags=["newsletters"])

Reader = Annotated[Principal, require_api("can_list_newsletters", "read")]
Writer = Annotated[Principal, require_api("can_write_newsletters", "write")]


def get_readable(newsletter_id: int, user: Reader, session: SessionDep) -> Newsletter:
    """A newsletter the caller may read; any other is 404."""
    found = newsletters_service.get(session, newsletter_id)
    if not policies.can_read_newsletter(user, found):
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return found


Readable = Annotated[Newsletter, Depends(get_readable)]


def _public(newsletter: Newsletter) -> NewsletterPublic:
    public = NewsletterPublic.model_validate(newsletter, from_attributes=True)
    public.body_html = str(markdown.to_html(newsletter.body_md))
    return public


@router.get("", response_model=list[NewsletterPublic])
def list_newsletters(
    session: SessionDep, user: Reader, kind: NewsletterKind | None = None
) -> list[NewsletterPublic]:
    """The newsletters the caller may read, newest first (sent ones of their audiences; drafts
    to their writers)."""
    return [_public(n) for n in newsletters_service.readable(session, user, kind)]


@router.get("/{newsletter_id}", response_model=NewsletterPublic)
def read_newsletter(newsletter: Readable) -> NewsletterPublic:
    """One newsletter, with its Markdown and its sanitised HTML."""
    return _public(newsletter)


@router.post("", response_model=NewsletterPublic, status_code=201)
def create_newsletter(
    session: SessionDep, user: Writer, data: NewsletterCreate
) -> NewsletterPublic:
    """Start a draft of a kind the caller may write (house_id for a house bulletin)."""
    return _public(newsletters_service.create(session, data, user))
