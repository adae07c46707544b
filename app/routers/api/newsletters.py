"""Newsletters in the JSON API: the archive a caller may read, new drafts, and sending, which
the caller confirms with the number of recipients the reach endpoint gave."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status

from app import policies
from app.deps import SessionDep, permit, require_api
from app.models.newsletter_schemas import (
    LanguageReach,
    NewsletterCreate,
    NewsletterPublic,
    NewsletterReach,
    NewsletterSend,
)
from app.models.newsletters import Newsletter, NewsletterKind
from app.models.types import local_date, utcnow
from app.services.access.roles import Principal
from app.services.mail import markdown
from app.services.newsletters import editions as newsletters_service
from app.services.newsletters import reach as newsletter_reach

router = APIRouter(prefix="/api/v1/newsletters", tags=["newsletters"])

Reader = Annotated[Principal, require_api("can_list_newsletters", "read")]
Writer = Annotated[Principal, require_api("can_write_newsletters", "write")]


def get_readable(newsletter_id: int, user: Reader, session: SessionDep) -> Newsletter:
    """A newsletter the caller may read; any other is 404."""
    found = newsletters_service.get(session, newsletter_id)
    if not policies.can_read_newsletter(user, found):
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return found


def get_managed(newsletter_id: int, user: Reader, session: SessionDep) -> Newsletter:
    """A newsletter the caller writes (403 for one they may only read, 404 for any other)."""
    found = get_readable(newsletter_id, user, session)
    permit(policies.can_manage_newsletter(user, found))
    return found


Readable = Annotated[Newsletter, Depends(get_readable)]
Managed = Annotated[Newsletter, Depends(get_managed)]


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


@router.get("/{newsletter_id}/reach", response_model=NewsletterReach)
def reach(session: SessionDep, newsletter: Managed) -> NewsletterReach:
    """Whom the newsletter would reach if it were sent now: how many people, by which channel,
    how many read each language (and whether that language has a text of its own: if not, its
    readers get the Finnish text), and a few names. Sending needs its `recipients` number."""
    found = newsletter_reach.of(session, newsletter, local_date(utcnow()))
    return NewsletterReach(
        recipients=found.recipients,
        channel=found.channel,
        languages=[
            LanguageReach(language=row.language, recipients=row.recipients, own_text=row.own_text)
            for row in found.languages
        ],
        sample=found.sample,
    )


@router.post("/{newsletter_id}/send", response_model=NewsletterPublic)
def send_newsletter(
    session: SessionDep, user: Writer, newsletter: Managed, data: NewsletterSend
) -> NewsletterPublic:
    """Send the newsletter now, or schedule it (`scheduled_at`), once confirmed.

    **Confirmation required.** `confirm_recipients` must be the number of people the newsletter
    reaches, as `GET /api/v1/newsletters/{newsletter_id}/reach` gives it (`recipients`). Without
    it, or when it differs from the audience of the moment (someone moved in or out, or
    unsubscribed), the request is refused with 422 at the field `confirm_recipients` and nothing
    is sent. The audience is resolved again when the newsletter goes; a scheduled newsletter
    can be cancelled on its page until its sending begins.
    """
    newsletters_service.schedule(
        session,
        newsletter,
        user,
        data.version,
        data.scheduled_at,
        confirm_recipients=data.confirm_recipients,
    )
    return _public(newsletter)
