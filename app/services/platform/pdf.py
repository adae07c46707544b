"""PDF documents from HTML (WeasyPrint), made without fetching anything.

The HTML comes from the portal's own templates; its print style sheet is read from a file and
handed over as a string, and every URL the document might name (an image, a style sheet, a
font) is refused: making a PDF never opens a connection or reads a file it was not given.
Fonts come from the system (fontconfig): the Docker image installs DejaVu.
"""

from functools import cache
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.document import Document
from weasyprint.urls import URLFetcher

from app.jinja import TEMPLATES_DIR

STYLES_DIR = TEMPLATES_DIR / "pdf"


class NoFetching(URLFetcher):
    """A URL fetcher that fetches nothing: WeasyPrint skips (and logs) what it refuses."""

    def fetch(self, url: str, headers: object = None) -> object:
        """Refuse every URL."""
        raise ValueError(f"a PDF fetches nothing: {url[:100]}")


@cache
def stylesheet(name: str) -> str:
    """A print style sheet of app/templates/pdf/, read once."""
    path = (STYLES_DIR / name).resolve()
    if path.parent != STYLES_DIR.resolve() or path.suffix != ".css":
        raise ValueError(f"not a print style sheet: {name}")
    return Path(path).read_text(encoding="utf-8")


def layout(html: str, *stylesheets: str) -> Document:
    """An HTML document laid out in pages, with style sheets of app/templates/pdf/ (by name)."""
    fetcher = NoFetching()
    styles = [CSS(string=stylesheet(name), url_fetcher=fetcher) for name in stylesheets]
    return HTML(string=html, base_url=None, url_fetcher=fetcher).render(stylesheets=styles)


def write(document: Document) -> bytes:
    """The PDF of a laid-out document."""
    pdf = document.write_pdf()
    assert pdf is not None
    return bytes(pdf)


def render(html: str, *stylesheets: str) -> bytes:
    """A PDF of an HTML document with style sheets of app/templates/pdf/ (by name)."""
    return write(layout(html, *stylesheets))
