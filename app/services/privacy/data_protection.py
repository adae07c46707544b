"""A person's own data: everything about them as JSON, erasure on request, retention rules.

The export and the erasure walk the schema: every table with a column referring to a person is
found from the metadata, so a table added later is exported (and its rows dealt with at
erasure) without changes here.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Table, delete, select
from sqlalchemy.engine import Row
from sqlmodel import Session, SQLModel, col
from sqlmodel import select as select_models

from app.db import metadata
from app.models.audit import AuditEntry
from app.models.calendar import CalendarEvent, EventRegistration, RegistrationStatus
from app.models.mail import Delivery
from app.models.people import NoticeChannel, Person
from app.models.types import utcnow
from app.services.calendar import registrations

# Columns never shown, even to their owner: secrets are stored only as hashes.
SECRET_COLUMNS = {"password_hash", "token_hash", "secret_hash", "code_hash"}
# Rows that exist only for the person (logins, tokens, feeds, choices, registrations, digests,
# mail to them): deleted at erasure. Rows in every other referring table are shared records
# (initiatives, comments, minutes, seats, residencies, the audit log): they stay, pointing to
# the pseudonymised person.
ERASED_TABLES = {
    "login_session",
    "login_link",
    "login_attempt",
    "api_token",
    "calendar_feed",
    "mail_preference",
    "event_registration",
    "digest_item",
    "delivery",
    "notification",
    "initiative_follower",
    "sso_identity",
    "sso_session",
    "sso_login",
    "staff_role",
}
# A person's row is kept (what they wrote points to it) without what identifies them.
ERASED_NAME = "Erased person #%(id)s"


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        return None
    return value


def _table(model: type[SQLModel]) -> Table:
    return metadata.tables[str(model.__tablename__)]


def _row(table: Table, row: Row[Any]) -> dict[str, Any]:
    return {
        key: _json_value(value)
        for key, value in row._mapping.items()
        if key not in SECRET_COLUMNS and "hash" not in key
    }


def person_references() -> list[tuple[Table, str]]:
    """Every (table, column) whose value is a person's id, from the schema."""
    found = []
    for table in sorted(metadata.tables.values(), key=lambda t: t.name):
        for column in table.columns:
            for foreign_key in column.foreign_keys:
                if foreign_key.column.table.name == "person" and foreign_key.column.name == "id":
                    found.append((table, column.name))
    return found


def export(session: Session, person: Person, now: datetime | None = None) -> dict[str, Any]:
    """Everything the portal holds about a person, as JSON-ready data: their own row and
    every row in any table that refers to them, grouped by table and column."""
    person_table = metadata.tables["person"]
    own = session.connection().execute(select(person_table).where(person_table.c.id == person.id))
    records: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for table, column in person_references():
        query = select(table).where(table.c[column] == person.id)
        if "id" in table.c:
            query = query.order_by(table.c.id)
        rows = [_row(table, r) for r in session.connection().execute(query)]
        if rows:
            records.setdefault(table.name, {})[column] = rows
    return {
        "exported_at": (now or utcnow()).isoformat(),
        "person": _row(person_table, own.one()),
        "records": records,
    }


def is_erased(person: Person) -> bool:
    """Whether the person's data has been erased."""
    return person.erased_at is not None


def erase(
    session: Session, person: Person, actor_id: int | None, now: datetime | None = None
) -> dict[str, int]:
    """Erase a person on request: their own rows go, their name and contact details go, and
    what they wrote in shared records stays under "Erased person #n". Returns the number of
    rows deleted per table. The audit log records the erasure without the erased details."""
    assert person.id is not None
    moment = now or utcnow()
    # Places the person held at coming events: freed by the erasure, handed to the waiting list.
    held = session.exec(
        select_models(CalendarEvent)
        .join(EventRegistration, col(EventRegistration.event_id) == CalendarEvent.id)
        .where(
            EventRegistration.person_id == person.id,
            EventRegistration.status == RegistrationStatus.registered,
            col(CalendarEvent.starts_at) > moment,
        )
        .order_by(col(CalendarEvent.id))
    ).all()
    deleted: dict[str, int] = {}
    for table, column in person_references():
        if table.name in ERASED_TABLES:
            result = session.connection().execute(delete(table).where(table.c[column] == person.id))
            if result.rowcount:
                deleted[table.name] = deleted.get(table.name, 0) + result.rowcount
    for event in held:
        registrations.promote(session, event, actor_id, moment)
    # Deliveries addressed to them that no longer name them (the person row was unknown).
    if person.email is not None:
        deliveries = _table(Delivery)
        result = session.connection().execute(
            delete(deliveries).where(deliveries.c.recipient == person.email)
        )
        if result.rowcount:
            deleted["delivery"] = deleted.get("delivery", 0) + result.rowcount
    person.name = ERASED_NAME % {"id": person.id}
    # No address is left: the person can neither log in nor be mailed (notices: on paper).
    person.email = None
    person.notice_channel = NoticeChannel.paper
    person.phone = None
    person.birth_date = None
    person.password_hash = None
    person.is_active = False
    person.erased_at = now or utcnow()
    person.updated_at = now or utcnow()
    person.version += 1
    session.add(person)
    session.add(
        AuditEntry(
            actor_id=actor_id,
            action="erase",
            entity="person",
            entity_id=str(person.id),
            before=None,
            after={"erased": True, "deleted": deleted},
        )
    )
    session.flush()
    return deleted


def apply_retention(
    session: Session,
    delivery_days: int,
    audit_days: int,
    now: datetime | None = None,
) -> dict[str, int]:
    """Delete what is kept no longer than the retention rules say: sent or failed mail
    deliveries older than delivery_days and audit entries older than audit_days. Mail still
    waiting to be sent is never deleted. Returns the number of rows deleted per table."""
    moment = now or utcnow()
    delivery_table, audit_table = _table(Delivery), _table(AuditEntry)
    deliveries = session.connection().execute(
        delete(delivery_table).where(
            delivery_table.c.created_at < moment - timedelta(days=delivery_days),
            delivery_table.c.status.in_(["sent", "failed"]),
        )
    )
    audit = session.connection().execute(
        delete(audit_table).where(audit_table.c.at < moment - timedelta(days=audit_days))
    )
    return {"delivery": deliveries.rowcount, "audit_entry": audit.rowcount}
