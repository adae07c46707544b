"""Translations: Babel catalogues (app/translations/<lang>/LC_MESSAGES/messages.po), English msgids.

The catalogues are read from the .po files at start-up, so no compile step is needed to run.
"""

import gettext as gettext_module
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LANGUAGES = ("fi", "sv", "en")
DEFAULT_LANGUAGE = "fi"
TRANSLATIONS_DIR = Path(__file__).parent / "translations"

# A one-item list, so that a language chosen in a worker thread (sync dependencies run in a
# thread pool with a copy of the context) is seen by the rest of the same request.
_current: ContextVar[list[str]] = ContextVar("language")


@lru_cache
def translations(lang: str) -> gettext_module.NullTranslations:
    """The catalogue of a language, compiled in memory from its .po file."""
    po_path = TRANSLATIONS_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return gettext_module.NullTranslations()
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext_module.GNUTranslations(buffer)


def get_language() -> str:
    """The language of the current request or job."""
    box = _current.get(None)
    return box[0] if box else DEFAULT_LANGUAGE


def set_language(lang: str) -> None:
    """Set the language for the rest of the current request (or context)."""
    lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    box = _current.get(None)
    if box is None:
        _current.set([lang])
    else:
        box[0] = lang


def begin_request(lang: str) -> None:
    """Give a request its own language box (called by the middleware)."""
    _current.set([lang if lang in LANGUAGES else DEFAULT_LANGUAGE])


@contextmanager
def use_language(lang: str) -> Iterator[None]:
    """Temporarily speak another language, e.g. for a mail to someone else."""
    token = _current.set([lang if lang in LANGUAGES else DEFAULT_LANGUAGE])
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str, **params: object) -> str:
    """Translate a message into the current language; %(name)s placeholders are filled."""
    text = translations(get_language()).gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: object) -> str:
    """Translate a message with a plural form; n is available as %(num)s."""
    text = translations(get_language()).ngettext(singular, plural, n)
    return text % {"num": n, **params}


_ = gettext


def N_(message: str) -> str:  # noqa: N802 - the conventional name for a marker
    """Mark a string for extraction, to be translated later."""
    return message


def pick_language(
    preferred: str | None,
    cookie: str | None,
    accept_language: str | None,
    default: str = DEFAULT_LANGUAGE,
) -> str:
    """The person's preference, else the switcher's cookie, else the browser's, else the default."""
    for candidate in (preferred, cookie):
        if candidate in LANGUAGES:
            return str(candidate)
    if accept_language:
        weighted: list[tuple[float, str]] = []
        for part in accept_language.split(","):
            pieces = part.strip().split(";")
            tag = pieces[0].strip().lower()
            quality = 1.0
            for piece in pieces[1:]:
                if piece.strip().startswith("q="):
                    try:
                        quality = float(piece.strip()[2:])
                    except ValueError:
                        quality = 0.0
            weighted.append((quality, tag.split("-")[0]))
        for _quality, tag in sorted(weighted, key=lambda item: -item[0]):
            if tag in LANGUAGES:
                return tag
    return default if default in LANGUAGES else DEFAULT_LANGUAGE


@lru_cache
def locale(lang: str) -> Locale:
    """The Babel locale for formatting dates, numbers and money."""
    return Locale.parse({"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}.get(lang, "fi_FI"))
