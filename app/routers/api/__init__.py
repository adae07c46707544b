"""The JSON API under /api/v1 (bearer tokens), and the error answers every route documents."""

from typing import Any

from pydantic import BaseModel


class Message(BaseModel):
    """An error with a sentence saying what went wrong."""

    detail: str


class FieldError(BaseModel):
    """One rejected field and the reason, in the caller's language."""

    field: str
    reason: str


class ValidationProblem(BaseModel):
    """Input that broke a rule: every rejected field with its reason."""

    detail: list[FieldError]


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": Message, "description": "The body is not valid JSON"},
    401: {"model": Message, "description": "No valid bearer token"},
    403: {"model": Message, "description": "The token's person or scope may not do this"},
    404: {"model": Message, "description": "No such thing, or not visible to the caller"},
    409: {"model": Message, "description": "Changed by someone else since it was read"},
    422: {"model": ValidationProblem, "description": "Input rejected, field by field"},
    429: {"model": Message, "description": "Too many attempts"},
    503: {"model": Message, "description": "The database is unavailable"},
}
