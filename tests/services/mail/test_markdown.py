"""Markdown to safe HTML and to plain text: nothing that runs or loads survives."""

from html.parser import HTMLParser

import pytest

from app.services.mail import markdown


def _elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Every start tag in some HTML, with its attributes."""
    found: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
            found.append((tag, attrs))

    Collector().feed(html)
    return found


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "Hei <script>alert(1)</script> kaikki",
        "```html\n<script>alert(1)</script>\n```",
        "<img src=x onerror=alert(1)>",
        '<a href="https://haso.fi" onclick="steal()">linkki</a>',
        '<div style="position:fixed">peitto</div>',
        "<iframe src=https://evil.example></iframe>",
    ],
)
def test_raw_html_never_becomes_markup(source):
    tags = _elements(markdown.to_html(source))
    # Only the paragraph or code block the text sits in, and no attribute at all: the typed
    # tags are shown as text (escaped), never as elements.
    assert {name for name, _attrs in tags} <= {"p", "pre", "code"}
    assert all(attrs == [] for _name, attrs in tags)


@pytest.mark.parametrize(
    "link",
    [
        "[napsauta](javascript:alert(1))",
        "[napsauta](JaVaScRiPt:alert(1))",
        "[napsauta](data:text/html;base64,PHNjcmlwdD4=)",
        "[napsauta](vbscript:msgbox(1))",
        "[napsauta](/admin/people)",
        "[napsauta](//evil.example/x)",
    ],
)
def test_only_web_and_mail_links_keep_their_address(link):
    html = markdown.to_html(link)
    assert all("href" not in dict(attrs) for _name, attrs in _elements(html))
    assert "napsauta" in html


def test_links_open_safely_and_text_markup_stays():
    html = markdown.to_html(
        "# Otsikko\n\n**Lihava** ja *kursiivi* ja [Haso](https://www.haso.fi) ja "
        "[posti](mailto:info@haso.fi).\n\n- yksi\n- kaksi\n\n> lainaus"
    )
    assert '<a href="https://www.haso.fi" rel="noopener noreferrer">Haso</a>' in html
    assert '<a href="mailto:info@haso.fi" rel="noopener noreferrer">posti</a>' in html
    assert "<strong>Lihava</strong>" in html and "<em>kursiivi</em>" in html
    assert "<ul>" in html and "<li>yksi</li>" in html and "<blockquote>" in html
    # The page or the mail has the one h1: the text's headings start from h2.
    assert "<h2>Otsikko</h2>" in html and "<h1>" not in html


def test_images_are_left_out():
    html = markdown.to_html("![seuranta](https://tracker.example/pixel.gif)")
    assert "<img" not in html and "tracker" not in html


def test_sanitise_cleans_html_that_bypasses_the_parser():
    dirty = '<p onmouseover="x()">hei <a href="javascript:x()">a</a><script>x()</script></p>'
    assert markdown.sanitise(dirty) == '<p>hei <a rel="noopener noreferrer">a</a></p>'


def test_plain_text_keeps_the_words_and_shows_link_addresses():
    text = markdown.to_text(
        "# Kevät\n\nPihatalkoot **lauantaina**, katso [ohjeet](https://haso.fi/talkoot).\n\n"
        "- haravat\n- säkit\n\n1. ensin\n2. sitten\n\n| Mitä | Milloin |\n|---|---|\n"
        "| Talkoot | la |\n"
    )
    assert "Kevät\n\nPihatalkoot lauantaina, katso ohjeet (https://haso.fi/talkoot)." in text
    assert "- haravat\n- säkit" in text
    assert "1. ensin\n2. sitten" in text
    assert "Mitä | Milloin\nTalkoot | la" in text
    assert "**" not in text and "#" not in text


def test_plain_text_shows_only_web_and_mail_addresses():
    text = markdown.to_text("[sisäinen](/admin/people) ja [posti](mailto:info@haso.fi)")
    assert text == "sisäinen ja posti (info@haso.fi)\n"
