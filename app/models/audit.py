"""The audit log: who changed what shared data, when, before and after."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from app.models.types import UTCDateTime, utcnow


class AuditEntry(SQLModel, table=True):
    """One change to shared data. Written by services; never edited through the application."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    action: str = Field(max_length=20)  # create, update, delete
    entity: str = Field(max_length=50, index=True)
    entity_id: str = Field(max_length=50)
    before: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSON)
