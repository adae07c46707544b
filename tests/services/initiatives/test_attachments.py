"""Attachments: every allowed type accepted by content and name, everything else refused before
anything is stored, the size limit enforced while reading, files gone when the row is not kept."""

import hashlib
import io
import stat
import zipfile
from pathlib import Path

import pytest
from sqlmodel import select

from app import i18n
from app.config import get_settings
from app.deps import today
from app.errors import Forbidden, NotFound, ValidationFailed
from app.models.audit import AuditEntry
from app.models.committees import Position
from app.models.initiatives import InitiativeAttachment, State
from app.services.access.roles import load_principal
from app.services.initiatives import attachments as attachments_service
from tests.support import make_committee, make_house, make_initiative, make_resident


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            method = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(zipfile.ZipInfo(name), content, compress_type=method)
    return buffer.getvalue()


def _ooxml(folder: str) -> bytes:
    return _zip({"[Content_Types].xml": b"<Types/>", f"{folder}document.xml": b"<doc/>"})


def _odf(kind: str) -> bytes:
    mimetype = f"application/vnd.oasis.opendocument.{kind}".encode()
    return _zip({"mimetype": mimetype, "content.xml": b"<office:document/>"})


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600

# A small valid-looking file of every allowed type: name → (bytes, stored content type).
SAMPLES: dict[str, tuple[bytes, str]] = {
    "valaistus.pdf": (b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n", "application/pdf"),
    "piha.png": (b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40, "image/png"),
    "piha.jpg": (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40, "image/jpeg"),
    "piha.jpeg": (b"\xff\xd8\xff\xe1\x00\x10Exif\x00" + b"\x00" * 40, "image/jpeg"),
    "piha.gif": (b"GIF89a\x01\x00\x01\x00" + b"\x00" * 40, "image/gif"),
    "piha.webp": (b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 40, "image/webp"),
    "kirje.docx": (
        _ooxml("word/"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "budjetti.xlsx": (
        _ooxml("xl/"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "esitys.pptx": (
        _ooxml("ppt/"),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    "kirje.odt": (_odf("text"), "application/vnd.oasis.opendocument.text"),
    "budjetti.ods": (_odf("spreadsheet"), "application/vnd.oasis.opendocument.spreadsheet"),
    "esitys.odp": (_odf("presentation"), "application/vnd.oasis.opendocument.presentation"),
    "vanha.doc": (OLE, "application/msword"),
    "vanha.xls": (OLE, "application/vnd.ms-excel"),
    "vanha.ppt": (OLE, "application/vnd.ms-powerpoint"),
    "muistio.txt": ("Pihan valot: 3 kpl rikki.\r\nKorjaus ennen syksyä.\n".encode(), "text/plain"),
}

EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100


@pytest.fixture(autouse=True)
def english():
    with i18n.use_language("en"):
        yield


@pytest.fixture()
def folder(tmp_path, monkeypatch) -> Path:
    """The attachment folder, in the test's temporary directory."""
    path = tmp_path / "attachments"
    monkeypatch.setattr(get_settings(), "attachment_dir", path)
    return path


@pytest.fixture()
def world(session):
    house = make_house(session)
    filer = make_resident(session, house)
    make_committee(session, house, [(filer, Position.chair)])
    resident = make_resident(session, house)
    initiative = make_initiative(session, filer, house, state=State.submitted)
    session.commit()
    return {
        "initiative": initiative,
        "filer": load_principal(session, filer, today()),
        "resident": load_principal(session, resident, today()),
    }


def stored(folder: Path) -> list[Path]:
    return sorted(folder.iterdir()) if folder.exists() else []


def rows(session) -> list[InitiativeAttachment]:
    return list(session.exec(select(InitiativeAttachment)))


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_allowed_type_is_stored(session, world, folder, name):
    content, content_type = SAMPLES[name]
    attachment = attachments_service.store(
        session, world["initiative"], world["filer"], name, io.BytesIO(content)
    )
    assert attachment.filename == name
    assert attachment.content_type.split(";")[0] == content_type
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    [path] = stored(folder)
    assert path.name == attachment.storage_name
    assert len(path.name) == 32 and int(path.name, 16) >= 0
    assert path.read_bytes() == content
    mode = stat.S_IMODE(path.stat().st_mode)
    assert mode == 0o600
    audit = session.exec(
        select(AuditEntry).where(AuditEntry.entity == "initiative_attachment")
    ).one()
    assert audit.entity_id == str(attachment.id)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("setup.exe", EXECUTABLE, "Files of this type cannot be attached"),
        ("sivu.html", b"<!doctype html><script>alert(1)</script>", "Files of this type"),
        ("kuva.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "Files of this type"),
        ("ilman_paatetta", b"%PDF-1.7\n", "Files of this type"),
        ("lasku.pdf", EXECUTABLE, "it is not a PDF file"),
        ("kuva.png", b"\xff\xd8\xff\xe0" + b"\x00" * 40, "it is not a PNG file"),
        ("kirje.docx", _ooxml("xl/"), "it is not a DOCX file"),
        ("kirje.docx", _zip({"readme.txt": b"hello"}), "it is not a DOCX file"),
        ("kirje.odt", _odf("spreadsheet"), "it is not a ODT file"),
        ("kirje.docx", b"PK\x03\x04" + b"\x00" * 100, "it is not a DOCX file"),
        ("vanha.doc", EXECUTABLE, "it is not a DOC file"),
        ("muistio.txt", b"text\x00with a NUL byte", "it is not a TXT file"),
        ("muistio.txt", b"\xff\xfe not UTF-8", "it is not a TXT file"),
        ("tyhja.pdf", b"", "The file is empty"),
        ("", b"%PDF-1.7\n", "Choose a file"),
    ],
)
def test_refused_files_leave_nothing_behind(session, world, folder, name, content, reason):
    with pytest.raises(ValidationFailed) as refused:
        attachments_service.store(
            session, world["initiative"], world["filer"], name, io.BytesIO(content)
        )
    assert list(refused.value.errors) == ["file"]
    assert reason in refused.value.errors["file"]
    assert stored(folder) == []
    assert rows(session) == []


class EndlessStream:
    """A source that never ends: the limit must stop the reading."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        chunk = (b"%PDF-1.7\n" + b"0" * 1000)[: size if size > 0 else 1000]
        chunk = chunk.ljust(size if size > 0 else 1000, b"0")
        self.read_bytes += len(chunk)
        return chunk


def test_oversize_is_refused_while_reading(session, world, folder, monkeypatch):
    monkeypatch.setattr(get_settings(), "attachment_max_bytes", 200_000)
    source = EndlessStream()
    with pytest.raises(ValidationFailed) as refused:
        attachments_service.store(
            session,
            world["initiative"],
            world["filer"],
            "iso.pdf",
            source,  # type: ignore[arg-type]
        )
    assert "too large" in refused.value.errors["file"]
    assert source.read_bytes <= 200_000 + attachments_service.CHUNK
    assert stored(folder) == []
    assert rows(session) == []


def test_exactly_the_limit_is_accepted(session, world, folder, monkeypatch):
    monkeypatch.setattr(get_settings(), "attachment_max_bytes", 1000)
    content = b"%PDF-1.7\n".ljust(1000, b"0")
    attachments_service.store(
        session, world["initiative"], world["filer"], "raja.pdf", io.BytesIO(content)
    )
    with pytest.raises(ValidationFailed):
        attachments_service.store(
            session, world["initiative"], world["filer"], "yli.pdf", io.BytesIO(content + b"0")
        )
    assert len(stored(folder)) == 1 and len(rows(session)) == 1


def test_only_the_filer_committee_and_handlers_may_attach(session, world, folder):
    with pytest.raises(Forbidden):
        attachments_service.store(
            session, world["initiative"], world["resident"], "a.pdf", io.BytesIO(b"%PDF-1.7\n")
        )
    assert stored(folder) == [] and rows(session) == []


def test_file_is_removed_when_the_database_write_fails(session, world, folder, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(attachments_service.audit, "record", broken)
    with pytest.raises(RuntimeError):
        attachments_service.store(
            session, world["initiative"], world["filer"], "a.pdf", io.BytesIO(b"%PDF-1.7\n")
        )
    assert stored(folder) == []


def test_file_is_removed_when_the_transaction_rolls_back(session, world, folder):
    attachments_service.store(
        session, world["initiative"], world["filer"], "a.pdf", io.BytesIO(b"%PDF-1.7\n")
    )
    assert len(stored(folder)) == 1
    session.rollback()
    assert stored(folder) == []


def test_committed_file_stays_after_later_rollbacks(session, world, folder):
    attachments_service.store(
        session, world["initiative"], world["filer"], "a.pdf", io.BytesIO(b"%PDF-1.7\n")
    )
    with session.begin_nested():
        pass
    session.commit()
    session.rollback()
    assert len(stored(folder)) == 1


def test_nested_rollback_keeps_the_file(session, world, folder):
    attachments_service.store(
        session, world["initiative"], world["filer"], "a.pdf", io.BytesIO(b"%PDF-1.7\n")
    )
    nested = session.begin_nested()
    nested.rollback()
    session.commit()
    assert len(stored(folder)) == 1


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("C:\\Users\\asukas\\Desktop\\kirje.pdf", "kirje.pdf"),
        ("../../etc/passwd.txt", "passwd.txt"),
        ("lasku\u202efdp.exe", "laskufdp.exe"),
        ("rivi\r\nvaihto.pdf", "rivivaihto.pdf"),
        ("  .piilo.pdf  ", "piilo.pdf"),
        ("a" * 300 + ".docx", "a" * 195 + ".docx"),
    ],
)
def test_clean_filename(raw, clean):
    assert attachments_service.clean_filename(raw) == clean


def test_download_headers_offer_a_safe_download():
    attachment = InitiativeAttachment(
        initiative_id=1,
        filename='Pöytäkirja "luonnos".pdf',
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        storage_name="0" * 32,
    )
    headers = attachments_service.download_headers(attachment)
    disposition = headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="P_yt_kirja _luonnos_.pdf"')
    assert "filename*=UTF-8''P%C3%B6yt%C3%A4kirja%20%22luonnos%22.pdf" in disposition
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert headers["Cache-Control"] == "private, no-store"


def test_attachment_of_another_initiative_is_not_found(session, world, folder):
    attachment = attachments_service.store(
        session, world["initiative"], world["filer"], "a.pdf", io.BytesIO(b"%PDF-1.7\n")
    )
    other = make_initiative(session, None, None, state=State.submitted)
    assert attachment.id is not None
    with pytest.raises(NotFound):
        attachments_service.get(session, other, attachment.id)
    assert attachments_service.get(session, world["initiative"], attachment.id) is attachment


def test_missing_file_or_foreign_storage_name_is_not_found(session, world, folder):
    attachment = attachments_service.store(
        session, world["initiative"], world["filer"], "a.pdf", io.BytesIO(b"%PDF-1.7\n")
    )
    path = attachments_service.path_of(attachment)
    path.unlink()
    with pytest.raises(NotFound):
        attachments_service.path_of(attachment)
    attachment.storage_name = "../../etc/passwd"
    with pytest.raises(NotFound):
        attachments_service.path_of(attachment)
