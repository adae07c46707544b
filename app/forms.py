"""Form and API input checked by pydantic, with reasons in the user's language, per field."""

import re
from datetime import date
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ValidationError
from pydantic_core import PydanticCustomError

from app.db import holds_nul
from app.errors import ValidationFailed
from app.i18n import _

M = TypeVar("M", bound=BaseModel)


def _iso_day(value: Any) -> Any:
    """Only a day written as YYYY-MM-DD: pydantic alone would also read a number (0) as a day
    counted from 1970."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise PydanticCustomError("date_parsing", "Enter a date as YYYY-MM-DD.")
    return value


# A date given in a query or a body: strictly YYYY-MM-DD.
IsoDay = Annotated[date, BeforeValidator(_iso_day)]


def reason(error: dict[str, Any]) -> str:
    """A pydantic error as a sentence in the current language."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return _("This field is required.")
    if kind == "string_too_short":
        return _("Enter at least %(n)s characters.", n=ctx.get("min_length"))
    if kind == "string_too_long":
        return _("Enter at most %(n)s characters.", n=ctx.get("max_length"))
    if kind == "string_pattern_mismatch":
        return _("The value is not in the expected format.")
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("Enter a whole number.")
    if kind in ("decimal_parsing", "decimal_type", "float_parsing", "float_type"):
        return _("Enter a number.")
    if kind in ("decimal_max_digits", "decimal_max_places", "decimal_whole_digits"):
        return _("The number has too many digits.")
    if kind in ("greater_than", "greater_than_equal"):
        limit = ctx.get("gt", ctx.get("ge"))
        return _("Enter a value of at least %(n)s.", n=limit)
    if kind in ("less_than", "less_than_equal"):
        return _("Enter a value of at most %(n)s.", n=ctx.get("lt", ctx.get("le")))
    if kind.startswith("date") and "datetime" not in kind:
        return _("Enter a date as YYYY-MM-DD.")
    if kind.startswith("datetime"):
        return _("Enter a date and time.")
    if kind == "enum" or kind == "literal_error":
        return _("Choose one of the options.")
    if kind == "bool_parsing":
        return _("Choose yes or no.")
    if kind == "value_error" and "email" in str(error.get("msg", "")).lower():
        return _("Enter a valid email address.")
    return _("The value is not valid.")


def field_name(loc: tuple[Any, ...]) -> str:
    """The field a location points at (the body/query prefix dropped)."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "form"):
        parts = parts[1:]  # only the prefix: a field may itself be called "body"
    return ".".join(parts)


def errors_of(exc: ValidationError) -> dict[str, str]:
    """Field name → reason, first error per field (a model's own errors: no request prefix)."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        errors.setdefault(".".join(str(p) for p in error["loc"]), reason(dict(error)))
    return errors


def NUL_REASON() -> str:  # noqa: N802 - a message, read in the request's language
    return _("The text contains a character that is not allowed (a NUL character).")


def parse(model: type[M], data: dict[str, Any]) -> M:
    """Validate form data into a model; empty strings count as not given. A text with a NUL
    character is refused at its field (no database takes it)."""
    refused = {k: NUL_REASON() for k, v in data.items() if holds_nul(v)}
    if refused:
        raise ValidationFailed(refused)
    cleaned = {k: (None if v == "" else v) for k, v in data.items()}
    cleaned = {k: v for k, v in cleaned.items() if v is not None}
    try:
        return model.model_validate(cleaned)
    except ValidationError as exc:
        raise ValidationFailed(errors_of(exc)) from exc
