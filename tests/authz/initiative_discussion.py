"""Authorization matrix entries for the initiative comment, attachment and follow routes.

They use "initiative_a" from tests/authz/initiatives.py (a submitted house-A initiative filed by
chair_a, whose PARAMS fill {initiative_id}) and add a PDF attached to it. Everyone who sees the
initiative may read, comment and follow; its filer, the house's committee, its manager and
management may attach files; everyone else gets 404.
"""

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlmodel import Session

from app.config import ROOT, get_settings
from app.models.initiatives import InitiativeAttachment
from tests.authz.roles import HOUSE_A_MEMBERS, HOUSE_A_ORGANISERS, Rule

PDF = b"%PDF-1.7\n%%EOF\n"

MATRIX: dict[str, Rule] = {
    "POST /initiatives/{initiative_id}/comments": Rule(HOUSE_A_MEMBERS),
    "POST /initiatives/{initiative_id}/attachments": Rule(HOUSE_A_ORGANISERS),
    "GET /initiatives/{initiative_id}/attachments/{attachment_id}": Rule(HOUSE_A_MEMBERS),
    "POST /initiatives/{initiative_id}/follow": Rule(HOUSE_A_MEMBERS),
    "POST /initiatives/{initiative_id}/unfollow": Rule(HOUSE_A_MEMBERS),
    "GET /api/v1/initiatives/{initiative_id}/comments": Rule(HOUSE_A_MEMBERS),
    "POST /api/v1/initiatives/{initiative_id}/comments": Rule(HOUSE_A_MEMBERS),
    "GET /api/v1/initiatives/{initiative_id}/attachments": Rule(HOUSE_A_MEMBERS),
    "POST /api/v1/initiatives/{initiative_id}/attachments": Rule(HOUSE_A_ORGANISERS),
    "GET /api/v1/initiatives/{initiative_id}/attachments/{attachment_id}": Rule(HOUSE_A_MEMBERS),
    "PUT /api/v1/initiatives/{initiative_id}/follow": Rule(HOUSE_A_MEMBERS),
    "DELETE /api/v1/initiatives/{initiative_id}/follow": Rule(HOUSE_A_MEMBERS),
}


def _attachment_folder() -> Path:
    """The folder the download routes read; never the repository's own var/ in tests."""
    settings = get_settings()
    if Path(settings.attachment_dir).resolve().is_relative_to(ROOT.resolve()):
        settings.attachment_dir = Path(tempfile.mkdtemp(prefix="portal-authz-attachments-"))
    folder = Path(settings.attachment_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def extend_world(session: Session, world: dict[str, Any]) -> dict[str, Any]:
    """A PDF attached to initiative_a, its bytes on disk so that allowed roles get 200."""
    initiative = world["initiative_a"]
    storage_name = "a" * 31 + str(initiative.id % 10)
    (_attachment_folder() / storage_name).write_bytes(PDF)
    attachment = InitiativeAttachment(
        initiative_id=initiative.id,
        uploaded_by_id=world["people"]["chair_a"].id,
        filename="liite.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
        storage_name=storage_name,
    )
    session.add(attachment)
    session.flush()
    return {"discussion_attachment": attachment}


PARAMS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "attachment_id": lambda world: world["discussion_attachment"].id,
}
SECTIONS: dict[str, Callable[[dict[str, Any]], Any]] = {}
