"""Case-insensitive "contains" conditions that behave the same on SQLite and PostgreSQL."""

from typing import Any

from sqlalchemy import ColumnElement, func, or_

# SQLite's lower() folds only ASCII; these are the capitals Finnish and Swedish names use.
_NON_ASCII_CAPITALS = {"Ä": "ä", "Ö": "ö", "Å": "å", "Ü": "ü", "É": "é"}


def folded(expression: Any) -> Any:
    """An expression lower-cased, Nordic capitals included, on both databases."""
    result = func.lower(expression)
    for capital, small in _NON_ASCII_CAPITALS.items():
        result = func.replace(result, capital, small)
    return result


def like_pattern(text: str) -> str:
    """A LIKE pattern for "contains text", with the user's % and _ taken literally."""
    # "!" rather than a backslash: both databases read it the same way in a string literal.
    escaped = text.strip().replace("!", "!!").replace("%", "!%").replace("_", "!_")
    return f"%{escaped.lower()}%"


def contains(text: str, *columns: Any) -> ColumnElement[bool]:
    """Any of the columns contains text, ignoring case."""
    pattern = like_pattern(text)
    return or_(*(folded(column).like(pattern, escape="!") for column in columns))
