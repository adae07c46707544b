"""The one Jinja environment, for pages and mails alike (autoescape on)."""

from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_time
from babel.numbers import format_currency, format_decimal
from jinja2 import Environment, FileSystemLoader, select_autoescape

from app import i18n, policies
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


def fmt_time(value: datetime | time | None) -> str:
    """A time of day in the current language; a timestamp in Helsinki time."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value).timetz().replace(tzinfo=None)
    return format_time(value, "short", locale=i18n.locale(i18n.get_language()))


def fmt_number(value: Decimal | float | int | None, digits: int = 0) -> str:
    """A number with the current language's separators."""
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, pattern, locale=i18n.locale(i18n.get_language()))


def fmt_money(value: Decimal | None) -> str:
    """Euros, e.g. 1 234,56 € in Finnish."""
    if value is None:
        return ""
    return format_currency(value, "EUR", locale=i18n.locale(i18n.get_language()))


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
        time=fmt_time,
        number=fmt_number,
        money=fmt_money,
        participation=participation_name,
    )
    globals_: dict[str, Any] = {
        "policies": policies,
        "get_language": i18n.get_language,
        "LANGUAGES": i18n.LANGUAGES,
        "participation_name": participation_name,
        "participation_definition": participation_definition,
        "PARTICIPATION": PARTICIPATION,
    }
    env.globals.update(globals_)
    return env


env = build_environment()
