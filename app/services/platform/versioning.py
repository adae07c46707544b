"""Optimistic locking enforced by the database, not only by comparing numbers in Python."""

from typing import Any

from sqlalchemy import update
from sqlmodel import Session

from app.errors import Conflict


def bump(session: Session, obj: Any, expected: int) -> None:
    """Move a row from version `expected` to the next, or raise Conflict.

    One UPDATE ... WHERE version = expected: of two simultaneous saves from the same version,
    the second finds no row once the first commits (PostgreSQL's READ COMMITTED re-checks the
    condition), so neither change is silently lost. Call after validation, before the changes.
    """
    model = type(obj)
    result = session.execute(
        update(model)
        .where(model.id == obj.id, model.version == expected)
        .values(version=expected + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict()
    obj.version = expected + 1
