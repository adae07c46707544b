"""Alembic environment: the schema is made only by migrations, in production and in tests."""

from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel.sql.sqltypes import AutoString

import app.models  # noqa: F401 - registers every table
from app.config import get_settings
from app.db import make_engine, metadata
from app.models.types import StrEnumType, UTCDateTime

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render the portal's column types as the plain SQL types they store."""
    if type_ == "type" and isinstance(obj, StrEnumType):
        return f"sa.String(length={obj.impl_instance.length})"
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    return False


def run_with(connection: Connection) -> None:
    """Run migrations on an open connection.

    SQLite changes a column by copying the table into a new one and dropping the old: with
    foreign keys enforced (app/db.py turns them on) dropping `person` would delete every row that
    cascades from it. So, as SQLite's own procedure for altering tables says, enforcement is off
    while the migrations run, and the foreign keys are checked before they are committed.
    """
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # On the driver's connection, before SQLAlchemy begins a transaction (app/db.py emits
        # BEGIN at once): inside a transaction SQLite ignores this pragma.
        driver = connection.connection.driver_connection
        assert driver is not None
        driver.execute("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_item=render_item,
        render_as_batch=sqlite,
        compare_type=True,
    )
    try:
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"the migration left rows without their parent: {broken}")
    finally:
        if sqlite:
            connection.rollback()  # ends the check's transaction; the migrations are committed
            driver.execute("PRAGMA foreign_keys=ON")


connection = config.attributes.get("connection")
if connection is not None:
    run_with(connection)
else:
    url = config.attributes.get("url") or get_settings().database_url
    engine = make_engine(url)
    with engine.connect() as conn:
        run_with(conn)
    engine.dispose()
