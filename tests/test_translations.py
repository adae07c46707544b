"""Every user-visible string is translated into Finnish and Swedish (English is the source)."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
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
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), METHOD_MAP, OPTIONS, keywords=keywords
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, filename)
    return found


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_every_string_is_translated(lang: str) -> None:
    path = Path(TRANSLATIONS_DIR) / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    missing = []
    for msgid, filename in sorted(source_messages().items()):
        message = catalog.get(msgid)
        translated = (
            message is not None
            and not message.fuzzy
            and (all(message.string) if isinstance(message.string, tuple) else bool(message.string))
        )
        if not translated:
            missing.append(f"{filename}: {msgid!r}")
    assert missing == [], f"{len(missing)} strings lack a {lang} translation:\n" + "\n".join(
        missing[:50]
    )


def test_placeholders_survive_translation() -> None:
    import re

    for lang in ("fi", "sv"):
        path = Path(TRANSLATIONS_DIR) / lang / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        for message in catalog:
            if not message.id or not message.string:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            wanted = set(re.findall(r"%\((\w+)\)s", ids[0]))
            for text in strings:
                assert set(re.findall(r"%\((\w+)\)s", text)) <= wanted | {"num"}, (lang, message.id)
