"""The one Jinja environment, for pages and mails alike (autoescape on)."""

from datetime import date, datetime, time
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_time
from babel.numbers import format_currency, format_decimal
from jinja2 import Environment, FileSystemLoader, select_autoescape

from app import i18n
from app.config import get_settings
from app.models.participation import PARTICIPATION, Participation
from app.models.types import HELSINKI

TEMPLATES_DIR = Path(__file__).parent / "templates"


def local(value: datetime) -> datetime:
    """A UTC timestamp in Helsinki time."""
    return value.astimezone(HELSINKI)


def fmt_date(value: date | datetime | None, form: str = "medium") -> str:
    """A date in the current language."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value).date()
    return format_date(value, form, locale=i18n.locale(i18n.get_language()))


def fmt_datetime(value: datetime | None, form: str = "medium") -> str:
    """A timestamp in Helsinki time, in the current language."""
    if value is None:
        return ""
    loc = i18n.locale(i18n.get_language())
    local_value = local(value)
    day = format_date(local_value.date(), form, locale=loc)
    return f"{day} {format_time(local_value, 'short', locale=loc)}"


# A weekday, a short date and a span of hours, as each language writes it on a notice board:
# "ke 17.3.2027 klo 18.00–19.30", "ons 17.3.2027 kl. 18.00–19.30", "Wed 17 Mar 2027, 18:00–19:30".
_SPAN_DAY = {"fi": "EEEEEE d.M.yyyy", "sv": "EEE d.M.yyyy", "en": "EEE d MMM yyyy"}
_SPAN_AT = {
    "fi": "{day} klo {start}–{end}",
    "sv": "{day} kl. {start}–{end}",
    "en": "{day}, {start}–{end}",
}
_SPAN_TIME = {"fi": "H.mm", "sv": "HH.mm", "en": "HH:mm"}


def fmt_timespan(start: datetime | None, end: datetime | None = None) -> str:
    """When something happens, compactly, in Helsinki time: the day and the hours; an end on
    another day is written out in full."""
    if start is None:
        return ""
    lang = i18n.get_language()
    loc = i18n.locale(lang)
    first = local(start)
    day = format_date(first.date(), _SPAN_DAY.get(lang, _SPAN_DAY["fi"]), locale=loc)
    hours = _SPAN_TIME.get(lang, _SPAN_TIME["fi"])
    begins = format_time(first.timetz().replace(tzinfo=None), hours, locale=loc)
    if end is None:
        return _SPAN_AT.get(lang, _SPAN_AT["fi"]).format(day=day, start=begins, end="").rstrip("–")
    last = local(end)
    ends = format_time(last.timetz().replace(tzinfo=None), hours, locale=loc)
    if last.date() != first.date():
        other = format_date(last.date(), _SPAN_DAY.get(lang, _SPAN_DAY["fi"]), locale=loc)
        ends = f"{other} {ends}"
    return _SPAN_AT.get(lang, _SPAN_AT["fi"]).format(day=day, start=begins, end=ends)


def fmt_time(value: datetime | time | None) -> str:
    """A time of day in the current language; a timestamp in Helsinki time."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value).timetz().replace(tzinfo=None)
    return format_time(value, "short", locale=i18n.locale(i18n.get_language()))


@lru_cache(maxsize=64)
def _number_form(lang: str, digits: int, currency: bool) -> tuple[str, str, str, str, str, str]:
    """How a language writes numbers, read once from Babel: the group and decimal separators and
    what goes before and after a positive and a negative number (the € sign, the minus)."""
    loc = i18n.locale(lang)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    one = format_decimal(Decimal(1), pattern, locale=loc)
    thousand = format_decimal(Decimal(1000), pattern, locale=loc)
    group = thousand[1 : len(thousand) - 3 - (len(one) - 1)]  # 1, the separator, 000, decimals
    decimal = one[1] if digits else ""

    def affixes(value: Decimal) -> tuple[str, str]:
        text = (
            format_currency(value, "EUR", locale=loc)
            if currency
            else format_decimal(value, pattern, locale=loc)
        )
        before, _, after = text.partition(one)
        return before, after

    return (group, decimal, *affixes(Decimal(1)), *affixes(Decimal(-1)))


def _format(value: Decimal | float | int, digits: int, currency: bool) -> str:
    # Babel's own formatting parses its pattern on every call (a finance page formats hundreds
    # of figures); this writes the same text from the language's separators and affixes, with
    # Babel's rounding (half to even) and sign (that of the value before rounding).
    group, decimal, before, after, neg_before, neg_after = _number_form(
        i18n.get_language(), digits, currency
    )
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    rounded = abs(number).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_EVEN)
    text = f"{rounded:,.{digits}f}".replace(",", "\0").replace(".", decimal).replace("\0", group)
    if number < 0:
        return f"{neg_before}{text}{neg_after}"
    return f"{before}{text}{after}"


def fmt_number(value: Decimal | float | int | None, digits: int = 0) -> str:
    """A number with the current language's separators."""
    if value is None:
        return ""
    return _format(value, digits, currency=False)


def fmt_signed(value: Decimal | float | int | None, digits: int = 0) -> str:
    """A change, with its sign: +4,1 or −2,0 (nothing before zero)."""
    if value is None:
        return ""
    return ("+" if value > 0 else "") + fmt_number(value, digits)


def machine_time(value: datetime | date | None) -> str:
    """A timestamp for a <time datetime> attribute: ISO 8601 to the second (a valid
    global date and time string, which microseconds are not)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat()
    return value.isoformat()


def fmt_money(value: Decimal | None) -> str:
    """Euros, e.g. 1 234,56 € in Finnish."""
    if value is None:
        return ""
    return _format(value, 2, currency=True)


def participation_name(code: Participation | str) -> str:
    """A kind of participation's name in the current language."""
    return PARTICIPATION[Participation(code)].name(i18n.get_language())


def participation_definition(code: Participation | str) -> str:
    """A kind of participation's definition in the current language."""
    return PARTICIPATION[Participation(code)].definition(i18n.get_language())


def build_environment() -> Environment:
    """Make the environment with the portal's filters and globals."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True, default=False),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates are read once per process; in debug mode an edited one is read again.
        auto_reload=get_settings().debug,
    )
    # Jinja's newstyle gettext fills the placeholders itself: hand it the raw translation.
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda message: i18n.translations(i18n.get_language()).gettext(message),
        lambda s, p, n: i18n.translations(i18n.get_language()).ngettext(s, p, n),
        newstyle=True,
    )
    env.filters.update(
        date=fmt_date,
        datetime=fmt_datetime,
        timespan=fmt_timespan,
        machine=machine_time,
        time=fmt_time,
        number=fmt_number,
        signed=fmt_signed,
        money=fmt_money,
        participation=participation_name,
    )
    globals_: dict[str, Any] = {
        "get_language": i18n.get_language,
        "LANGUAGES": i18n.LANGUAGES,
        "participation_name": participation_name,
        "participation_definition": participation_definition,
        "PARTICIPATION": PARTICIPATION,
    }
    env.globals.update(globals_)
    return env


env = build_environment()
