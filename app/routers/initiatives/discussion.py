"""Pages: comment on an initiative, attach and download files, follow and unfollow it.

The forms live in initiatives/_discussion.html, included in the initiative's page. A refused
form is answered with that page again (status 422), the errors tied to the form's fields.
"""

import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, status
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from app import policies
from app.deps import CurrentUser, FormData, SessionDep, permit, today
from app.errors import ValidationFailed
from app.forms import parse
from app.models.initiatives import CommentInput, Initiative, InitiativeAttachment
from app.services.access.roles import Principal
from app.services.initiatives import attachments as attachments_service
from app.services.initiatives import comments as comments_service
from app.services.initiatives import following as following_service
from app.services.initiatives import records as initiatives_service
from app.services.initiatives import views
from app.templating import render

router = APIRouter()


def get_viewable_initiative(
    initiative_id: int, user: CurrentUser, session: SessionDep
) -> Initiative:
    """An initiative the user may see; 404 otherwise, so its existence is not revealed."""
    return initiatives_service.get_visible(session, initiative_id, user)


def get_commentable_initiative(
    initiative: Annotated[Initiative, Depends(get_viewable_initiative)], user: CurrentUser
) -> Initiative:
    """An initiative the user may comment on; 403 if they only see it."""
    permit(policies.can_comment_initiative(user, initiative))
    return initiative


def get_attachable_initiative(
    initiative: Annotated[Initiative, Depends(get_viewable_initiative)], user: CurrentUser
) -> Initiative:
    """An initiative the user may attach files to; 403 if they only see it."""
    permit(policies.can_attach_to_initiative(user, initiative))
    return initiative


def get_viewable_attachment(
    attachment_id: int,
    initiative: Annotated[Initiative, Depends(get_viewable_initiative)],
    session: SessionDep,
) -> InitiativeAttachment:
    """An attachment of a visible initiative; 404 if it belongs to another one."""
    return attachments_service.get(session, initiative, attachment_id)


async def uploaded_file(request: Request) -> UploadFile | None:
    """The form's "file" part, if one was sent (the form is already parsed for the CSRF check)."""
    form = await request.form()
    value = form.get("file")
    return value if isinstance(value, UploadFile) else None


ViewableInitiative = Annotated[Initiative, Depends(get_viewable_initiative)]
CommentableInitiative = Annotated[Initiative, Depends(get_commentable_initiative)]
AttachableInitiative = Annotated[Initiative, Depends(get_attachable_initiative)]
ViewableAttachment = Annotated[InitiativeAttachment, Depends(get_viewable_attachment)]
Upload = Annotated[UploadFile | None, Depends(uploaded_file)]


def _refused(
    request: Request,
    session: SessionDep,
    user: Principal,
    initiative: Initiative,
    values: dict[str, Any],
    errors: dict[str, str],
) -> Response:
    """The initiative's page again, the refused form showing its errors and the typed text."""
    context = views.detail_context(session, user, initiative, today())
    context.update(comments_service.discussion_context(session, initiative, user))
    context.update(discussion_errors=errors, discussion_values=values)
    return render(
        request,
        "initiatives/detail.html",
        context,
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
    )


@router.post("/initiatives/{initiative_id}/comments", name="initiative_comment")
def post_comment(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    initiative: CommentableInitiative,
    form: FormData,
) -> Response:
    """Post a comment, or a reply to a top-level comment (parent_id)."""
    values = dict(form)
    try:
        data = parse(CommentInput, values)
        comment = comments_service.add(session, initiative, user, data)
    except ValidationFailed as exc:
        return _refused(request, session, user, initiative, values, exc.errors)
    return RedirectResponse(
        f"/initiatives/{initiative.id}#comment-{comment.id}", status_code=status.HTTP_303_SEE_OTHER
    )


@router.post("/initiatives/{initiative_id}/attachments", name="initiative_attach")
def post_attachment(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    initiative: AttachableInitiative,
    upload: Upload,
) -> Response:
    """Attach one file; a refused file is not stored and the form says why."""
    try:
        attachment = attachments_service.store(
            session,
            initiative,
            user,
            (upload.filename or "") if upload else "",
            upload.file if upload else io.BytesIO(),
        )
    except ValidationFailed as exc:
        return _refused(request, session, user, initiative, {}, exc.errors)
    return RedirectResponse(
        f"/initiatives/{initiative.id}#attachment-{attachment.id}",
        status_code=status.HTTP_303_SEE_OTHER,
    )


@router.get(
    "/initiatives/{initiative_id}/attachments/{attachment_id}", name="initiative_attachment"
)
def download_attachment(user: CurrentUser, attachment: ViewableAttachment) -> Response:
    """The file, as a download that the browser never renders in the portal's origin."""
    return FileResponse(
        attachments_service.path_of(attachment),
        media_type=attachment.content_type,
        headers=attachments_service.download_headers(attachment),
    )


@router.post("/initiatives/{initiative_id}/follow", name="initiative_follow")
def follow(session: SessionDep, user: CurrentUser, initiative: ViewableInitiative) -> Response:
    """Follow the initiative: be told of every change."""
    following_service.follow(session, initiative, user.id)
    return RedirectResponse(
        f"/initiatives/{initiative.id}#follow", status_code=status.HTTP_303_SEE_OTHER
    )


@router.post("/initiatives/{initiative_id}/unfollow", name="initiative_unfollow")
def unfollow(session: SessionDep, user: CurrentUser, initiative: ViewableInitiative) -> Response:
    """Stop following the initiative."""
    following_service.unfollow(session, initiative, user.id)
    return RedirectResponse(
        f"/initiatives/{initiative.id}#follow", status_code=status.HTTP_303_SEE_OTHER
    )
