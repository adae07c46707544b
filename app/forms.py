"""Form and API input checked by pydantic, with reasons in the user's language, per field."""

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from app.errors import ValidationFailed
from app.i18n import _

M = TypeVar("M", bound=BaseModel)


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


def parse(model: type[M], data: dict[str, Any]) -> M:
    """Validate form data into a model; empty strings count as not given."""
    cleaned = {k: (None if v == "" else v) for k, v in data.items()}
    cleaned = {k: v for k, v in cleaned.items() if v is not None}
    try:
        return model.model_validate(cleaned)
    except ValidationError as exc:
        raise ValidationFailed(errors_of(exc)) from exc
