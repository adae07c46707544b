"""Initiative discussion API: comments, attachments (metadata, upload, file), following."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, File, UploadFile
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel

from app import policies
from app.deps import ApiUser, SessionDep, permit
from app.models.initiatives import CommentInput, Initiative, InitiativeAttachment
from app.routers.api import ERROR_RESPONSES
from app.services.initiatives import attachments as attachments_service
from app.services.initiatives import comments as comments_service
from app.services.initiatives import following as following_service
from app.services.initiatives import records as initiatives_service

router = APIRouter(prefix="/api/v1", tags=["initiatives"], responses=ERROR_RESPONSES)


class CommentPublic(BaseModel):
    """A comment; parent_id names the top-level comment a reply belongs to."""

    id: int
    parent_id: int | None
    author_id: int | None
    author_name: str
    body: str
    created_at: datetime


class AttachmentPublic(BaseModel):
    """An attachment's metadata; url is where its bytes are downloaded."""

    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by_id: int | None
    uploaded_by_name: str
    created_at: datetime
    url: str


class FollowState(BaseModel):
    """Whether the caller follows the initiative."""

    following: bool


def _visible(session: SessionDep, user: ApiUser, initiative_id: int, scope: str) -> Initiative:
    initiative = initiatives_service.get_visible(session, initiative_id, user)
    permit(policies.has_scope(user, scope))
    return initiative


def get_readable_initiative(initiative_id: int, user: ApiUser, session: SessionDep) -> Initiative:
    """An initiative the caller may see (scope read); 404 if not visible."""
    return _visible(session, user, initiative_id, "read")


def get_followable_initiative(initiative_id: int, user: ApiUser, session: SessionDep) -> Initiative:
    """An initiative the caller may see, for following (scope write)."""
    return _visible(session, user, initiative_id, "write")


def get_commentable_initiative(
    initiative_id: int, user: ApiUser, session: SessionDep
) -> Initiative:
    """An initiative the caller may comment on (scope write); 403 if they only see it."""
    initiative = _visible(session, user, initiative_id, "write")
    permit(policies.can_comment_initiative(user, initiative))
    return initiative


def get_attachable_initiative(initiative_id: int, user: ApiUser, session: SessionDep) -> Initiative:
    """An initiative the caller may attach files to (scope write); 403 if they only see it."""
    initiative = _visible(session, user, initiative_id, "write")
    permit(policies.can_attach_to_initiative(user, initiative))
    return initiative


ReadableInitiative = Annotated[Initiative, Depends(get_readable_initiative)]
FollowableInitiative = Annotated[Initiative, Depends(get_followable_initiative)]
CommentableInitiative = Annotated[Initiative, Depends(get_commentable_initiative)]
AttachableInitiative = Annotated[Initiative, Depends(get_attachable_initiative)]


def _attachment(row: attachments_service.AttachmentRow) -> AttachmentPublic:
    a = row.attachment
    assert a.id is not None
    return AttachmentPublic(
        id=a.id,
        filename=a.filename,
        content_type=a.content_type,
        size=a.size,
        sha256=a.sha256,
        uploaded_by_id=a.uploaded_by_id,
        uploaded_by_name=row.uploader,
        created_at=a.created_at,
        url=f"/api/v1/initiatives/{a.initiative_id}/attachments/{a.id}",
    )


@router.get("/initiatives/{initiative_id}/comments", response_model=list[CommentPublic])
def list_comments(session: SessionDep, initiative: ReadableInitiative) -> list[CommentPublic]:
    """Every comment, oldest first; replies carry their top-level comment's id."""
    assert initiative.id is not None
    return [
        CommentPublic(
            id=c.id or 0,
            parent_id=c.parent_id,
            author_id=c.author_id,
            author_name=name,
            body=c.body,
            created_at=c.created_at,
        )
        for c, name in comments_service.flat(session, initiative.id)
    ]


@router.post("/initiatives/{initiative_id}/comments", response_model=CommentPublic, status_code=201)
def post_comment(
    session: SessionDep, user: ApiUser, initiative: CommentableInitiative, data: CommentInput
) -> CommentPublic:
    """Post a comment; a reply to a reply joins the top-level comment's thread."""
    comment = comments_service.add(session, initiative, user, data)
    assert comment.id is not None
    return CommentPublic(
        id=comment.id,
        parent_id=comment.parent_id,
        author_id=comment.author_id,
        author_name=user.person.name,
        body=comment.body,
        created_at=comment.created_at,
    )


@router.get("/initiatives/{initiative_id}/attachments", response_model=list[AttachmentPublic])
def list_attachments(session: SessionDep, initiative: ReadableInitiative) -> list[AttachmentPublic]:
    """The attachments' metadata, oldest first."""
    assert initiative.id is not None
    return [_attachment(row) for row in attachments_service.list_for(session, initiative.id)]


@router.post(
    "/initiatives/{initiative_id}/attachments", response_model=AttachmentPublic, status_code=201
)
def upload_attachment(
    session: SessionDep,
    user: ApiUser,
    initiative: AttachableInitiative,
    file: Annotated[UploadFile, File(description="PDF, image or office document")],
) -> AttachmentPublic:
    """Attach one file (multipart, field "file"); 422 for a refused type or size."""
    attachment = attachments_service.store(
        session, initiative, user, file.filename or "", file.file
    )
    return _attachment(attachments_service.AttachmentRow(attachment, user.person.name, ""))


@router.get(
    "/initiatives/{initiative_id}/attachments/{attachment_id}",
    response_class=FileResponse,
    responses={200: {"description": "The file, as a download"}},
)
def download_attachment(
    attachment_id: int, session: SessionDep, initiative: ReadableInitiative
) -> Response:
    """The file's bytes, with the content type it was stored as."""
    attachment: InitiativeAttachment = attachments_service.get(session, initiative, attachment_id)
    return FileResponse(
        attachments_service.path_of(attachment),
        media_type=attachment.content_type,
        headers=attachments_service.download_headers(attachment),
    )


@router.put("/initiatives/{initiative_id}/follow", response_model=FollowState)
def follow(session: SessionDep, user: ApiUser, initiative: FollowableInitiative) -> FollowState:
    """Follow the initiative (idempotent)."""
    following_service.follow(session, initiative, user.id)
    return FollowState(following=True)


@router.delete("/initiatives/{initiative_id}/follow", response_model=FollowState)
def unfollow(session: SessionDep, user: ApiUser, initiative: FollowableInitiative) -> FollowState:
    """Stop following the initiative (idempotent)."""
    following_service.unfollow(session, initiative, user.id)
    return FollowState(following=False)
