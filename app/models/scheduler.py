"""APScheduler's persistent job store, created by a migration like every other table."""

import enum
from datetime import datetime

from sqlalchemy import Column, Float, LargeBinary, Table, Text, Unicode
from sqlmodel import Field, SQLModel

from app.db import metadata
from app.models.types import StrEnumType, UTCDateTime, utcnow

# The same shape APScheduler's SQLAlchemyJobStore expects; it finds the table and creates none.
scheduler_job = Table(
    "scheduler_job",
    metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)


class RunOutcome(enum.StrEnum):
    """How a scheduled run ended."""

    running = "running"
    ok = "ok"
    error = "error"
    missed = "missed"  # too late to run when the scheduler came back (beyond the grace time)


class JobRun(SQLModel, table=True):
    """One run (or missed run) of a scheduled job, for the administrators' job page."""

    __tablename__ = "job_run"

    id: int | None = Field(default=None, primary_key=True)
    job_id: str = Field(max_length=191, index=True)
    scheduled_for: datetime | None = Field(default=None, sa_type=UTCDateTime)
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    outcome: RunOutcome = Field(default=RunOutcome.running, sa_type=StrEnumType(RunOutcome, 10))
    message: str = Field(default="", sa_type=Text)
    host: str = Field(default="", max_length=200)  # which process ran it
