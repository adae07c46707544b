"""Test helpers for households on paper: residents without email, and a PDF's text."""

import io
from typing import Any

from pypdf import PdfReader
from sqlmodel import Session

from app.models.people import NoticeChannel, Person
from tests.support import make_person


def make_paper_person(session: Session, **fields: Any) -> Person:
    """A person without email: their notices go on paper."""
    return make_person(session, email=None, notice_channel=NoticeChannel.paper, **fields)


def pdf_pages(content: bytes) -> list[str]:
    """The text of each page of a PDF, whitespace tidied to single spaces."""
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def font_sizes(content: bytes) -> set[float]:
    """The sizes (pt) in which a PDF's text is set, rounded to a tenth."""
    reader = PdfReader(io.BytesIO(content))
    sizes: set[float] = set()

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if text.strip():
            sizes.add(round(abs(size * (tm[3] or 1) * cm[3]), 1))

    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    return sizes
