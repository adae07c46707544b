"""Test fixtures: a migrated database (SQLite, or PostgreSQL from PORTAL_TEST_DATABASE_URL),
one rolled-back transaction per test, a client with CSRF handled, and a real SMTP server.

The suite runs in parallel (pytest-xdist, `make test`): each worker process has a database of
its own, a SQLite file in its own temporary folder or, on PostgreSQL, a database named after the
suite's one and the worker ("test_gw0"), made afresh when the worker starts. The browser tests
share one server and therefore run in one worker, and each test module runs whole in one worker
(see pytest_xdist_make_scheduler).
"""

import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

# The portal's "today" is the Helsinki date; the tests' date.today() must be the same day even
# when the suite runs between 22:00 and 24:00 UTC.
os.environ["TZ"] = "Europe/Helsinki"
time.tzset()

_tmp = Path(tempfile.mkdtemp(prefix="portal-test-"))
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def _worker_database(url: str) -> str:
    """This worker's own PostgreSQL database next to the suite's one, created empty."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{WORKER}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


TEST_DATABASE_URL = os.environ.get("PORTAL_TEST_DATABASE_URL") or f"sqlite:///{_tmp / 'test.db'}"
if WORKER and TEST_DATABASE_URL.startswith("postgresql"):
    TEST_DATABASE_URL = _worker_database(TEST_DATABASE_URL)
    # Databases the tests make for themselves are named after this one: theirs, per worker.
    os.environ["PORTAL_TEST_DATABASE_URL"] = TEST_DATABASE_URL
os.environ["PORTAL_DATABASE_URL"] = TEST_DATABASE_URL
os.environ["PORTAL_SCHEDULER_ENABLED"] = "0"
os.environ["PORTAL_SECRET_KEY"] = "test-secret-key-for-the-suite"
os.environ["PORTAL_MAIL_BACKEND"] = "outbox"
os.environ["PORTAL_ATTACHMENT_DIR"] = str(_tmp / "attachments")
os.environ.setdefault("PORTAL_DEBUG", "0")

import pytest  # noqa: E402
from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import Connection, Engine  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app.config import ROOT, get_settings  # noqa: E402
from app.db import KEEP_ON_ROLLBACK, get_bind, get_session, make_engine, write_kept  # noqa: E402
from tests.support import PortalClient, SmtpSink  # noqa: E402

# The longest units first, so that neither worker is left with one at the end.
_FIRST = ("tests/browser/", "tests/test_authorization_matrix.py")


def _unit(nodeid: str) -> str:
    """What one worker runs together: every browser test (one server, one browser), else a
    module (its module-scoped fixtures, such as the authorization matrix's world, built once)."""
    return "tests/browser/" if nodeid.startswith("tests/browser/") else nodeid.split("::", 1)[0]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the longest units first (the order is the same in every worker)."""
    first = {prefix: index for index, prefix in enumerate(_FIRST)}

    def rank(item: pytest.Item) -> int:
        unit = _unit(item.nodeid)
        return first.get(unit, len(first))

    items.sort(key=rank)  # stable: the rest keep their order


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Hand whole units to the workers (see _unit)."""
    from xdist.scheduler import LoadScopeScheduling

    class UnitScheduling(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            return _unit(nodeid)

    return UnitScheduling(config, log)


def alembic_config(url: str) -> Config:
    """Alembic pointed at a database."""
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["url"] = url
    config.attributes["configure_logger"] = False
    return config


def reset_database(engine: Engine) -> None:
    """An empty database to migrate from scratch."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        database = engine.url.database
        engine.dispose()
        if database and Path(database).exists():
            Path(database).unlink()


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    """The test database, migrated to head by Alembic (never create_all)."""
    from app.services.finances import cache as finance_cache

    finance_cache.register()
    engine = make_engine(TEST_DATABASE_URL)
    reset_database(engine)
    command.upgrade(alembic_config(TEST_DATABASE_URL), "head")
    yield engine
    engine.dispose()


@pytest.fixture()
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection whose outer transaction is rolled back after the test."""
    conn = engine.connect()
    transaction = conn.begin()
    try:
        yield conn
    finally:
        transaction.rollback()
        conn.close()


@pytest.fixture()
def session(connection: Connection) -> Iterator[Session]:
    """A session inside the test's transaction; commit() only releases a savepoint."""
    with Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    ) as s:
        yield s


@pytest.fixture(scope="session")
def shared_app():  # type: ignore[no-untyped-def]
    """One application per test process: its routes are built on its first request (a few
    hundred milliseconds for the API), not again for every test. It keeps no state between
    requests but its settings, which every request reads afresh."""
    from app.main import create_app

    return create_app()


@pytest.fixture()
def app(shared_app, session: Session, connection: Connection):  # type: ignore[no-untyped-def]
    """The app, its requests sharing the test's session (overrides set afresh for each test)."""

    def test_session() -> Iterator[Session]:
        # As the real get_session ends a request (app.db.finish), but the error page's rows
        # stay attached: the test goes on using its session.
        try:
            yield session
        except Exception:
            session.rollback()
            write_kept(session)
            raise
        session.info.pop(KEEP_ON_ROLLBACK, None)
        session.commit()

    shared_app.dependency_overrides = {get_session: test_session, get_bind: lambda: connection}
    try:
        yield shared_app
    finally:
        shared_app.dependency_overrides = {}


@pytest.fixture()
def client(app) -> Iterator[PortalClient]:  # type: ignore[no-untyped-def]
    """A browser-like client: cookies kept, CSRF token added to forms."""
    with PortalClient(app) as c:
        yield c


@pytest.fixture()
def settings():  # type: ignore[no-untyped-def]
    """The live settings; tests may change fields through monkeypatch."""
    return get_settings()


@pytest.fixture()
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpSink]:
    """A real SMTP server on loopback (aiosmtpd); the portal is pointed at it."""
    sink = SmtpSink()
    sink.start()
    settings = get_settings()
    monkeypatch.setattr(settings, "mail_backend", "smtp")
    monkeypatch.setattr(settings, "smtp_host", "127.0.0.1")
    monkeypatch.setattr(settings, "smtp_port", sink.port)
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture()
def scratch_database(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """scratch_database(name) → the URL of an empty database of the test's own, on the suite's
    engine (a file in tmp_path, or a PostgreSQL database named after this worker's), dropped
    afterwards."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    made: list[str] = []

    def admin(statement: str) -> None:
        engine = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(statement))
        finally:
            engine.dispose()

    def make(name: str) -> str:
        parsed = make_url(TEST_DATABASE_URL)
        if parsed.get_backend_name() != "postgresql":
            return f"sqlite:///{tmp_path / f'{name}.db'}"
        database = f"{parsed.database}_{name}"
        admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin(f'CREATE DATABASE "{database}"')
        made.append(database)
        return parsed.set(database=database).render_as_string(hide_password=False)

    yield make
    for database in made:
        admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
