"""Database engine and sessions; one transaction per request or job."""

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.expression import Executable
from sqlmodel import Session, SQLModel, create_engine

from app.config import get_settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata: MetaData = SQLModel.metadata


# SQLite refuses at once, without waiting, a transaction that read and then wants to write while
# another connection is writing (waiting could deadlock). Work that writes (a POST, a job, the
# mail sender) therefore takes the write lock when it begins, and waits its turn for it.
_write_transactions: ContextVar[bool] = ContextVar("write_transactions", default=False)


def begin_writing() -> None:
    """From here on in this context, SQLite transactions begin with the write lock taken."""
    _write_transactions.set(True)


@contextmanager
def writing() -> Iterator[None]:
    """Within the block, SQLite transactions begin with the write lock taken."""
    token = _write_transactions.set(True)
    try:
        yield
    finally:
        _write_transactions.reset(token)


def _configure_sqlite(engine: Engine) -> None:
    """Foreign keys on, and let SQLAlchemy own BEGIN so savepoints work in pysqlite."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(get_settings().sqlite_busy_seconds * 1000)}")
        # Deleted rows are overwritten with zeros, so the file and its backups keep no old
        # versions of rows (sealed ballots and answers once opened, superseded records).
        cursor.execute("PRAGMA secure_delete=ON")
        # In write-ahead-log mode a commit need not wait for the disk (synchronous=NORMAL): a
        # crash of the application loses nothing committed, and a power cut can only lose the
        # last commits, never corrupt the file. Otherwise SQLite's safe default stays.
        if cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _write_transactions.get() else "BEGIN")


# A process serves at most PORTAL_MAX_CONCURRENT_REQUESTS requests at once (ConcurrencyLimit in
# app/middleware.py), each holding one connection, plus the tasks run after a response and the
# scheduler's jobs. Ten connections are kept open; more are opened on demand, enough for all of
# those, so a request never waits for a connection (bench/README.md).
POOL_SIZE = 10
POOL_OVERFLOW = 30


def _overflow() -> int:
    return max(POOL_OVERFLOW, get_settings().max_concurrent_requests * 2 + 10 - POOL_SIZE)


def make_engine(url: str) -> Engine:
    """An engine for a URL; SQLite files get their folder and sane pragmas."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False},
            pool_size=POOL_SIZE,
            max_overflow=_overflow(),
        )
        _configure_sqlite(engine)
        _refuse_nul_in_text(engine)
        return engine
    if parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg"))
    engine = create_engine(
        url,
        pool_pre_ping=True,
        pool_size=POOL_SIZE,
        max_overflow=_overflow(),
        connect_args=_postgresql_timeouts(),
    )
    _refuse_nul_in_text(engine)
    return engine


def _postgresql_timeouts() -> dict[str, Any]:
    """No request hangs on a silent network: a connect timeout, a statement timeout, and TCP
    keepalives with a user timeout on the client and (through the session's options) on the
    server, so a dead connection is dropped within PORTAL_DB_DEAD_CONNECTION_SECONDS on both
    ends (and a vanished scheduler's advisory lock released for another to take)."""
    settings = get_settings()
    dead = settings.db_dead_connection_seconds
    idle, interval = max(1, dead // 3), max(1, dead // 9)
    server = {
        "statement_timeout": settings.db_statement_timeout_seconds * 1000,
        "tcp_keepalives_idle": idle,
        "tcp_keepalives_interval": interval,
        "tcp_keepalives_count": 3,
        "tcp_user_timeout": dead * 1000,
    }
    return {
        "connect_timeout": settings.db_connect_timeout_seconds,
        "keepalives": 1,
        "keepalives_idle": idle,
        "keepalives_interval": interval,
        "keepalives_count": 3,
        "tcp_user_timeout": dead * 1000,
        "options": " ".join(f"-c {name}={value}" for name, value in server.items()),
    }


class TextRefused(ValueError):
    """A text holds a NUL character, which no text column takes (PostgreSQL refuses it; SQLite
    would keep it and cut the text short for many programs)."""


def _refuse_nul_in_text(engine: Engine) -> None:
    """Refuse, on every database alike, a statement whose text parameters hold a NUL."""

    @event.listens_for(engine, "before_cursor_execute", retval=True)
    def _check(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
    ) -> tuple[str, Any]:
        if holds_nul(parameters):
            raise TextRefused("a text holds a NUL character")
        return statement, parameters


def holds_nul(value: Any) -> bool:
    """Whether a value (statement parameters, a form's field: one value, a row or rows) holds a
    text with a NUL."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(holds_nul(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(holds_nul(v) for v in value)
    return False


def use_write_ahead_log(url: str) -> None:
    """Put a SQLite file in write-ahead-log mode (it stays with the file): readers never wait
    for a writer, and commits need not wait for the disk (see _configure_sqlite). Other
    databases are left alone."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return
    connection = sqlite3.connect(parsed.database)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
    finally:
        connection.close()


@lru_cache
def get_engine() -> Engine:
    """The process-wide engine for the configured database."""
    return make_engine(get_settings().database_url)


def get_bind() -> Engine:
    """What request-independent work (mail sending after a response) connects through."""
    return get_engine()


log = logging.getLogger(__name__)


def note_use(bind: Engine | Connection, statement: Executable) -> None:
    """A record of use (when a token or a feed was last used), written after the answer in a
    short transaction of its own, so that no read ever fails on it. It waits its turn for the
    write lock like any writer; if it still cannot be written it is dropped with a warning."""
    try:
        if isinstance(bind, Engine):
            with writing(), bind.begin() as conn:
                conn.execute(statement)
        else:  # a connection its owner commits (the test suite's): a savepoint of it
            with bind.begin_nested():
                bind.execute(statement)
    except DBAPIError as exc:
        log.warning("a record of use was not written: %s", exc.orig)


# Rows that must be written whatever becomes of the transaction that made them (a failed login
# attempt counts even when the request answers with an error and rolls back).
KEEP_ON_ROLLBACK = "keep_on_rollback"


def keep_on_rollback(session: Session, row: SQLModel) -> None:
    """Add a row now, and write it again in a transaction of its own should this one roll back."""
    session.info.setdefault(KEEP_ON_ROLLBACK, []).append((type(row), row.model_dump()))
    session.add(row)


def write_kept(session: Session) -> None:
    """After a rollback: write, in a transaction of their own, the rows kept on rollback. A row
    that cannot be written is logged, never raised over the error that rolled back."""
    kept = session.info.pop(KEEP_ON_ROLLBACK, [])
    if not kept:
        return
    try:
        session.add_all([cls(**values) for cls, values in kept])
        session.commit()
    except Exception:  # noqa: BLE001 - the request's own error is the one to report
        log.exception("rows kept on rollback could not be written")
        session.rollback()


def finish(session: Session, error: BaseException | None) -> None:
    """End a request's transaction: commit, or on an error roll back and then write what was
    kept (keep_on_rollback) in a transaction of its own."""
    if error is None:
        session.info.pop(KEEP_ON_ROLLBACK, None)
        session.commit()
        return
    # The error page still shows who is logged in: keep loaded rows readable instead of
    # letting the rollback expire them.
    session.expunge_all()
    session.rollback()
    write_kept(session)


def get_session() -> Iterator[Session]:
    """A session per request, committed when the handler returns without error."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
        except Exception as exc:
            finish(session, exc)
            raise
        finish(session, None)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session for a job or command: committed at the end, rolled back on error."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except Exception:
            session.rollback()
            raise
