"""Audit rows for every change to shared data."""

from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlmodel import Session, SQLModel

from app.models.audit import AuditEntry

# Never copied into the log.
# Never copied into the log: it keeps them for ever, after the row itself has erased them.
_SECRET_FIELDS = {"password_hash", "token_hash", "locked_private_key", "sealed"}


def snapshot(obj: SQLModel) -> dict[str, Any]:
    """A JSON-safe picture of a row's columns."""
    data: dict[str, Any] = {}
    for key, value in obj.model_dump().items():
        if key in _SECRET_FIELDS:
            continue
        if isinstance(value, datetime | date | time):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, Enum):
            value = value.value
        data[key] = value
    return data


def record(
    session: Session,
    actor_id: int | None,
    action: str,
    obj: SQLModel,
    before: dict[str, Any] | None = None,
) -> AuditEntry:
    """Log a create, update or delete of obj; call after the change (and its flush)."""
    after = None if action == "delete" else snapshot(obj)
    if action == "update" and before is not None and after is not None:
        changed = {k for k in after if before.get(k) != after.get(k)}
        before = {k: before.get(k) for k in changed}
        after = {k: after[k] for k in changed}
    entry = AuditEntry(
        actor_id=actor_id,
        action=action,
        entity=str(getattr(obj, "__tablename__", type(obj).__name__.lower())),
        entity_id=str(getattr(obj, "id", "")),
        before=before,
        after=after,
    )
    session.add(entry)
    return entry
