"""Markdown written by staff and committees, as safe HTML and as plain text for mail.

markdown-it-py renders CommonMark with raw HTML turned off (a tag typed in the text shows as
text); nh3 then keeps only ordinary text markup and links to http, https and mailto addresses,
so nothing that runs, loads or restyles a page can pass, whatever the parser lets through.
"""

from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_PREFIXES = ("http://", "https://", "mailto:")

# linkify needs linkify-it-py, which the portal does not install: bare addresses stay text.
_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_parser.enable(["table", "strikethrough"])


def _tokens(text: str) -> list[Token]:
    """The parsed text, headings moved one level down: the page or the mail has the h1."""
    tokens = _parser.parse(text or "")
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
    return tokens


def _only_web_links(element: str, attribute: str, value: str) -> str | None:
    """Keep an href only when it is an absolute http, https or mailto address."""
    if element == "a" and attribute == "href":
        return value if value.strip().lower().startswith(LINK_PREFIXES) else None
    return value


def sanitise(html: str) -> str:
    """HTML reduced to ordinary text markup and safe links (rel="noopener noreferrer")."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=_only_web_links,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def to_html(text: str) -> Markup:
    """Markdown as sanitised HTML, safe to put on a page or in a mail as it is."""
    tokens = _tokens(text)
    html = sanitise(_parser.renderer.render(tokens, _parser.options, {}))
    return Markup(html)  # noqa: S704 - nh3 has just reduced it to the allowed markup


def _inline_text(token: Token) -> str:
    """An inline token's text, links followed by their address in brackets."""
    out: list[str] = []
    href: str | None = None
    start = 0
    for child in token.children or []:
        kind = child.type
        if kind in ("text", "code_inline"):
            out.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            out.append("\n")
        elif kind == "image":
            out.append(child.content)
        elif kind == "link_open":
            href = str(child.attrGet("href") or "")
            start = len(out)
        elif kind == "link_close":
            label = "".join(out[start:])
            if href and href.lower().startswith(LINK_PREFIXES) and href != label:
                shown = href.removeprefix("mailto:") if href.startswith("mailto:") else href
                if shown != label:
                    out.append(f" ({shown})")
            href = None
    return "".join(out)


def to_text(text: str) -> str:
    """Markdown as readable plain text (for a mail's text part)."""
    blocks: list[tuple[str, str]] = []  # (text, group: items of a list or rows of a table)
    lists: list[dict[str, Any]] = []  # open lists: ordered?, next number
    quote = 0
    line = ""
    row: list[str] = []
    in_cell = False

    def emit(value: str, group: str = "") -> None:
        prefix = "> " * quote
        blocks.append(("\n".join(prefix + part for part in value.split("\n")), group))

    for token in _tokens(text):
        kind = token.type
        if kind == "bullet_list_open":
            lists.append({"ordered": False, "n": 1})
        elif kind == "ordered_list_open":
            lists.append({"ordered": True, "n": int(token.attrGet("start") or 1)})
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            current = lists[-1]
            indent = "  " * (len(lists) - 1)
            line = indent + (f"{current['n']}. " if current["ordered"] else "- ")
            current["n"] += 1
        elif kind == "blockquote_open":
            quote += 1
        elif kind == "blockquote_close":
            quote -= 1
        elif kind == "inline":
            content = _inline_text(token)
            if in_cell:
                row.append(content)
            elif line:
                emit(line + content.replace("\n", "\n" + " " * len(line)), group="item")
                line = ""
            else:
                emit(content)
        elif kind in ("fence", "code_block"):
            emit("\n".join("    " + part for part in token.content.rstrip("\n").split("\n")))
        elif kind == "hr":
            emit("----")
        elif kind in ("th_open", "td_open"):
            in_cell = True
        elif kind in ("th_close", "td_close"):
            in_cell = False
        elif kind == "tr_close":
            emit(" | ".join(row), group="row")
            row = []
    return _join(blocks)


def _join(blocks: list[tuple[str, str]]) -> str:
    """Paragraphs apart by a blank line; list items and table rows on consecutive lines."""
    out = ""
    previous = ""
    for text, group in blocks:
        if not text.strip():
            continue
        if out:
            out += "\n" if group and group == previous else "\n\n"
        out += text.rstrip()
        previous = group
    return out + "\n"
