"""APScheduler's persistent job store, created by a migration like every other table."""

from sqlalchemy import Column, Float, LargeBinary, Table, Unicode

from app.db import metadata

# The same shape APScheduler's SQLAlchemyJobStore expects; it finds the table and creates none.
scheduler_job = Table(
    "scheduler_job",
    metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)
