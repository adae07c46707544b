"""Data protection: the retention rules, applied nightly."""

from sqlmodel import Session

from app.config import get_settings
from app.jobs import job
from app.services.privacy import data_protection


@job
def apply_retention(session: Session) -> dict[str, int]:
    """Delete old mail deliveries and audit entries as the retention settings say."""
    settings = get_settings()
    return data_protection.apply_retention(
        session, settings.delivery_retention_days, settings.audit_retention_days
    )
