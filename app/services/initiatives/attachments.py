"""Initiative attachments: checked by content and name, stored under random names, served safely.

A file is accepted only when its extension is on the list below AND its leading bytes (for
office documents, the zip's inner structure) say the same type. It is copied in chunks to a
temporary file in the attachment folder, refused as soon as it passes the size limit, then
renamed to a random name; the name the user gave is only ever shown, never used as a path.
"""

import codecs
import hashlib
import os
import re
import secrets
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote

from babel.numbers import format_decimal
from sqlalchemy import event
from sqlmodel import Session, col, select

from app import i18n
from app.config import get_settings
from app.errors import Forbidden, NotFound, ValidationFailed
from app.i18n import _
from app.models.initiatives import Initiative, InitiativeAttachment
from app.models.people import Person
from app.models.types import utcnow
from app.services.access.roles import Principal
from app.services.initiatives import policies
from app.services.platform import audit

CHUNK = 64 * 1024
HEAD = 16  # enough leading bytes for every signature below
MAX_FILENAME = 200
STORAGE_NAME = re.compile(r"[0-9a-f]{32}")
MEBIBYTE = 1024 * 1024


@dataclass(frozen=True)
class FileType:
    """An allowed kind of file: its label, the content type it is served with, how to check it."""

    label: str
    content_type: str
    check: str  # pdf, png, jpeg, gif, webp, ooxml, odf, ole, text
    zip_folder: str = ""  # OOXML: the folder the zip must hold (word/, xl/, ppt/)


_OOXML = "application/vnd.openxmlformats-officedocument."
_ODF = "application/vnd.oasis.opendocument."

# By extension (lower case, without the dot).
FILE_TYPES: dict[str, FileType] = {
    "pdf": FileType("PDF", "application/pdf", "pdf"),
    "png": FileType("PNG", "image/png", "png"),
    "jpg": FileType("JPEG", "image/jpeg", "jpeg"),
    "jpeg": FileType("JPEG", "image/jpeg", "jpeg"),
    "gif": FileType("GIF", "image/gif", "gif"),
    "webp": FileType("WebP", "image/webp", "webp"),
    "docx": FileType("DOCX", _OOXML + "wordprocessingml.document", "ooxml", "word/"),
    "xlsx": FileType("XLSX", _OOXML + "spreadsheetml.sheet", "ooxml", "xl/"),
    "pptx": FileType("PPTX", _OOXML + "presentationml.presentation", "ooxml", "ppt/"),
    "odt": FileType("ODT", _ODF + "text", "odf"),
    "ods": FileType("ODS", _ODF + "spreadsheet", "odf"),
    "odp": FileType("ODP", _ODF + "presentation", "odf"),
    "doc": FileType("DOC", "application/msword", "ole"),
    "xls": FileType("XLS", "application/vnd.ms-excel", "ole"),
    "ppt": FileType("PPT", "application/vnd.ms-powerpoint", "ole"),
    "txt": FileType("TXT", "text/plain; charset=utf-8", "text"),
}

_SIGNATURES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "ooxml": (b"PK\x03\x04",),
    "odf": (b"PK\x03\x04",),
    "ole": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
}
# Control characters a text file may hold; any other one means it is not plain text.
_TEXT_CONTROLS = {"\t", "\n", "\r", "\f", "\ufeff"}


def accept_attribute() -> str:
    """The upload field's accept attribute: every allowed extension and content type."""
    types = sorted({t.content_type.split(";")[0] for t in FILE_TYPES.values()})
    return ",".join([f".{ext}" for ext in FILE_TYPES] + types)


def allowed_labels() -> str:
    """The allowed types for a message, e.g. "PDF, PNG, JPEG, …"."""
    return ", ".join(dict.fromkeys(t.label for t in FILE_TYPES.values()))


def type_label(content_type: str) -> str:
    """A stored content type's short label, e.g. PDF or DOCX."""
    for file_type in FILE_TYPES.values():
        if file_type.content_type == content_type:
            return file_type.label
    return content_type


def megabytes(size: int) -> str:
    """A size in megabytes, in the current language (10 MB = 10 × 1024 × 1024 bytes)."""
    locale = i18n.locale(i18n.get_language())
    return format_decimal(size / MEBIBYTE, "#,##0.#", locale=locale)


def clean_filename(raw: str) -> str:
    """The name as shown and offered for download: no folders, no control characters, short."""
    name = re.split(r"[\\/]", raw or "")[-1]
    # Cc: control characters; Cf: invisible formatting such as right-to-left overrides,
    # which can make "exe.pdf" read as "fdp.exe".
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf"))
    name = unicodedata.normalize("NFC", name).strip().strip(".").strip()
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: MAX_FILENAME - len(ext) - 1].rstrip() + "." + ext
        else:
            name = name[:MAX_FILENAME]
    return name


def extension(filename: str) -> str:
    """The lower-case extension of a (cleaned) name, without the dot."""
    stem, dot, ext = filename.rpartition(".")
    return ext.lower() if dot and stem else ""


def _zip_matches(path: Path, file_type: FileType) -> bool:
    """An OOXML or OpenDocument file: the zip holds the structure its extension promises."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if file_type.check == "ooxml":
                return "[Content_Types].xml" in names and any(
                    n.startswith(file_type.zip_folder) for n in names
                )
            # OpenDocument: the first entry is "mimetype", holding the type uncompressed.
            if not names or names[0] != "mimetype":
                return False
            with archive.open("mimetype") as entry:
                return entry.read(100) == file_type.content_type.encode()
    # zipfile answers a damaged, encrypted (RuntimeError) or oddly compressed
    # (NotImplementedError) archive with these: all mean "not the document it claims to be".
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, NotImplementedError):
        return False


def _head_matches(head: bytes, file_type: FileType) -> bool:
    if file_type.check == "webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if file_type.check == "text":
        return True  # checked as the text is read
    return head.startswith(_SIGNATURES[file_type.check])


class _TextCheck:
    """Whether a stream is UTF-8 text without stray control characters, fed chunk by chunk."""

    def __init__(self) -> None:
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.ok = True

    def feed(self, data: bytes, final: bool = False) -> None:
        if not self.ok:
            return
        try:
            text = self.decoder.decode(data, final)
        except UnicodeDecodeError:
            self.ok = False
            return
        if any(unicodedata.category(ch) == "Cc" and ch not in _TEXT_CONTROLS for ch in text):
            self.ok = False


# ---- files written but not yet committed ---------------------------------------------------

_PENDING = "attachment_files_pending"


def _forget_pending(session: Session) -> None:
    session.info[_PENDING] = []


def _discard_pending(session: Session, transaction: Any) -> None:
    # Only the outermost transaction decides: a savepoint rolled back inside the request
    # (e.g. a duplicate mail key) does not undo the attachment's row.
    if transaction.nested or transaction.parent is not None:
        return
    for path in session.info.get(_PENDING, []):
        Path(path).unlink(missing_ok=True)
    session.info[_PENDING] = []


def _remove_if_rolled_back(session: Session, path: Path) -> None:
    """Delete the stored file if the transaction that records it never commits."""
    if _PENDING not in session.info:
        event.listen(session, "after_commit", _forget_pending)
        event.listen(session, "after_transaction_end", _discard_pending)
        session.info[_PENDING] = []
    session.info[_PENDING].append(path)


# ---- storing and reading -------------------------------------------------------------------


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed({"file": message})


def _copy(source: BinaryIO, target: BinaryIO, file_type: FileType, limit: int) -> tuple[int, str]:
    """Copy in chunks, stopping as soon as the limit is passed; the size and the SHA-256."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    text = _TextCheck() if file_type.check == "text" else None
    while True:
        chunk = source.read(CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > limit:
            raise _refuse(
                _("The file is too large: the limit is %(size)s MB.", size=megabytes(limit))
            )
        if len(head) < HEAD:
            head += chunk[: HEAD - len(head)]
            # Refuse at once a file that starts wrong, before copying the rest of it.
            if len(head) >= HEAD and not _head_matches(head, file_type):
                raise _mismatch(file_type)
        if text is not None:
            text.feed(chunk)
        digest.update(chunk)
        target.write(chunk)
    if size == 0:
        raise _refuse(_("The file is empty."))
    if not _head_matches(head, file_type):
        raise _mismatch(file_type)
    if text is not None:
        text.feed(b"", final=True)
        if not text.ok:
            raise _mismatch(file_type)
    return size, digest.hexdigest()


def _mismatch(file_type: FileType) -> ValidationFailed:
    return _refuse(
        _(
            "The file's content does not match its name: it is not a %(type)s file.",
            type=file_type.label,
        )
    )


def store(
    session: Session,
    initiative: Initiative,
    user: Principal,
    filename: str,
    source: BinaryIO,
    now: datetime | None = None,
) -> InitiativeAttachment:
    """Check and store an uploaded file; a refusal names the "file" field and stores nothing."""
    if not policies.can_attach_to_initiative(user, initiative):
        raise Forbidden()
    assert initiative.id is not None
    name = clean_filename(filename)
    if not name:
        raise _refuse(_("Choose a file to attach."))
    file_type = FILE_TYPES.get(extension(name))
    if file_type is None:
        raise _refuse(
            _(
                "Files of this type cannot be attached. Allowed types: %(types)s.",
                types=allowed_labels(),
            )
        )
    settings = get_settings()
    folder = Path(settings.attachment_dir)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    # mkstemp creates the file readable and writable by the owner only (0600), never executable.
    handle, temporary = tempfile.mkstemp(prefix=".upload-", dir=folder)
    try:
        with os.fdopen(handle, "wb") as target:
            size, sha256 = _copy(source, target, file_type, settings.attachment_max_bytes)
        if file_type.check in ("ooxml", "odf") and not _zip_matches(Path(temporary), file_type):
            raise _mismatch(file_type)
        storage_name = secrets.token_hex(16)
        final = folder / storage_name
        os.chmod(temporary, 0o600)
        os.replace(temporary, final)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    try:
        attachment = InitiativeAttachment(
            initiative_id=initiative.id,
            uploaded_by_id=user.id,
            filename=name,
            content_type=file_type.content_type,
            size=size,
            sha256=sha256,
            storage_name=storage_name,
            created_at=now or utcnow(),
        )
        session.add(attachment)
        session.flush()
        audit.record(session, user.id, "create", attachment)
    except BaseException:
        final.unlink(missing_ok=True)
        raise
    _remove_if_rolled_back(session, final)
    return attachment


def path_of(attachment: InitiativeAttachment) -> Path:
    """Where the file's bytes are; NotFound if the name is not one we made or the file is gone."""
    if not STORAGE_NAME.fullmatch(attachment.storage_name):
        raise NotFound()
    path = Path(get_settings().attachment_dir) / attachment.storage_name
    if not path.is_file():
        raise NotFound()
    return path


def get(session: Session, initiative: Initiative, attachment_id: int) -> InitiativeAttachment:
    """One of the initiative's attachments; NotFound if it belongs to another initiative."""
    attachment = session.get(InitiativeAttachment, attachment_id)
    if attachment is None or attachment.initiative_id != initiative.id:
        raise NotFound()
    return attachment


@dataclass
class AttachmentRow:
    """An attachment with its uploader's name, for the page."""

    attachment: InitiativeAttachment
    uploader: str
    label: str


def list_for(session: Session, initiative_id: int) -> list[AttachmentRow]:
    """The initiative's attachments, oldest first, with who uploaded them."""
    rows = session.exec(
        select(InitiativeAttachment, Person)
        .outerjoin(Person, col(Person.id) == InitiativeAttachment.uploaded_by_id)
        .where(InitiativeAttachment.initiative_id == initiative_id)
        .order_by(col(InitiativeAttachment.created_at), col(InitiativeAttachment.id))
    )
    return [
        AttachmentRow(
            attachment, person.name if person else "", type_label(attachment.content_type)
        )
        for attachment, person in rows
    ]


def download_headers(attachment: InitiativeAttachment) -> dict[str, str]:
    """Headers that make a browser save the file, never render it in the portal's origin."""
    fallback = "".join(
        ch if 32 <= ord(ch) < 127 and ch not in '"\\;%' else "_" for ch in attachment.filename
    )
    encoded = quote(attachment.filename, safe="")
    disposition = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"
    return {
        "Content-Disposition": disposition,
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "private, no-store",
    }
