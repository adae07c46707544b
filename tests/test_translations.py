"""Every user-visible string is translated into Finnish and Swedish, and into English where the
msgid is not itself the English text (English msgids are the source)."""

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.pofile import read_po

from app.config import ROOT
from app.i18n import TRANSLATIONS_DIR

METHOD_MAP = [
    ("app/**.py", "python"),
    ("app/templates/**.html", "jinja2"),
    ("app/templates/**.txt", "jinja2"),
]
OPTIONS = {
    "app/templates/**.html": {"extensions": "jinja2.ext.i18n"},
    "app/templates/**.txt": {"extensions": "jinja2.ext.i18n"},
}


def source_messages() -> dict[str, str]:
    """msgid → the first file that uses it, extracted from the code as it is now."""
    found: dict[str, str] = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), METHOD_MAP, OPTIONS, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, filename)
    return found


KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
# A msgid that is a key rather than English text (e.g. "statement.intro"): English needs a
# translation of its own for it, as Finnish and Swedish do.
KEY_LIKE = re.compile(r"^[A-Za-z0-9_-]+([.:][A-Za-z0-9_-]+)+$")


def catalogue(lang: str) -> Catalog:
    path = Path(TRANSLATIONS_DIR) / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        return read_po(fh, locale=lang)


def needs_translation(lang: str, msgid: str) -> bool:
    """Finnish and Swedish need every string; English only the ones whose msgid is a key."""
    return lang != "en" or bool(KEY_LIKE.match(msgid))


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_every_string_is_translated(lang: str) -> None:
    catalog = catalogue(lang)
    missing = []
    for msgid, filename in sorted(source_messages().items()):
        message = catalog.get(msgid)
        if message is None:
            # Every catalogue, English too, has every msgid (make messages was run).
            missing.append(f"{filename}: {msgid!r} (not in the catalogue)")
            continue
        translated = not message.fuzzy and (
            all(message.string) if isinstance(message.string, tuple) else bool(message.string)
        )
        if needs_translation(lang, msgid) and not translated:
            missing.append(f"{filename}: {msgid!r}")
    assert missing == [], f"{len(missing)} strings lack a {lang} translation:\n" + "\n".join(
        missing[:50]
    )


def test_every_template_and_mail_is_searched_for_strings() -> None:
    """Pages (.html) and mails (.html, .txt and .subject.txt) are all covered by the check."""
    found = source_messages()
    templates = Path(ROOT) / "app" / "templates"
    files = sorted(templates.rglob("*.html")) + sorted(templates.rglob("*.txt"))
    assert any(f.name.endswith(".subject.txt") for f in files)
    missed = []
    for path in files:
        for _lineno, message, _comments, _context in extract_from_file(
            "jinja2", str(path), keywords=KEYWORDS, options={"extensions": "jinja2.ext.i18n"}
        ):
            msgid = message[0] if isinstance(message, tuple) else message
            if msgid and msgid not in found:
                missed.append(f"{path.relative_to(ROOT)}: {msgid!r}")
    assert missed == []


def test_key_like_msgids_are_recognised() -> None:
    assert needs_translation("en", "statement.intro")
    assert not needs_translation("en", "Send the answer")
    assert not needs_translation("en", "Hello %(name)s,")
    assert needs_translation("fi", "Send the answer")


def test_placeholders_survive_translation() -> None:
    for lang in ("fi", "sv", "en"):
        catalog = catalogue(lang)
        for message in catalog:
            if not message.id or not message.string:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            wanted = set(re.findall(r"%\((\w+)\)s", ids[0]))
            for text in strings:
                assert set(re.findall(r"%\((\w+)\)s", text)) <= wanted | {"num"}, (lang, message.id)
