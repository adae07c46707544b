"""The browser suite: the real app served by uvicorn on loopback, driven by Chromium.

One server and one browser are shared by the whole session. The server runs in a subprocess
against a database of its own, migrated by Alembic and loaded with the demo data: a temporary
SQLite file, or on the PostgreSQL run a database named after the test database plus
"_browser". The suite is skipped when no Chromium is found, and fails instead when
PORTAL_REQUIRE_BROWSER=1 (CI).
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.config import ROOT
from app.db import make_engine
from tests.browser.support import BrowserSession, Server

BROWSER_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def find_chromium() -> str | None:
    """The Chromium executable: PORTAL_BROWSER, else Debian's /usr/bin/chromium, else on PATH."""
    candidates = [os.environ.get("PORTAL_BROWSER"), "/usr/bin/chromium"]
    candidates += [shutil.which(name) for name in ("chromium", "chromium-browser")]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def _missing(reason: str) -> None:
    if os.environ.get("PORTAL_REQUIRE_BROWSER") == "1":
        pytest.fail(f"PORTAL_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _browser_database(tmp: Path) -> str:
    """A fresh, empty database for the server: never the per-test rollback database."""
    test_url = os.environ.get("PORTAL_TEST_DATABASE_URL")
    if not test_url:
        return f"sqlite:///{tmp / 'browser.db'}"
    parsed = make_url(test_url)
    name = f"{parsed.database}_browser"
    admin = make_engine(test_url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(  # noqa: S603 - fixed commands of the project's own tools
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    """The portal with the demo data, served by uvicorn on a free loopback port."""
    if find_chromium() is None:
        _missing("no Chromium found (install the Debian package `chromium`)")
    tmp = Path(tempfile.mkdtemp(prefix="portal-browser-"))
    database_url = _browser_database(tmp)
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    env.update(
        PORTAL_BASE_URL=base_url,
        PORTAL_DATABASE_URL=database_url,
        PORTAL_SCHEDULER_ENABLED="0",
        PORTAL_MAIL_BACKEND="outbox",
        PORTAL_DEBUG="0",
        PORTAL_ATTACHMENT_DIR=str(tmp / "attachments"),
        PORTAL_SECRET_KEY="browser-suite-secret-key",
        TZ="Europe/Helsinki",
    )
    portal = str(Path(sys.executable).parent / "portal")
    _run([portal, "migrate"], env)
    _run([portal, "seed"], env)
    log = (tmp / "server.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - the project's own app
        [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1"]
        + ["--port", str(port), "--log-level", "warning"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the server did not start:\n{(tmp / 'server.log').read_text()}")
        time.sleep(0.2)
    try:
        yield Server(base_url=base_url, database_url=database_url, log=tmp / "server.log")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        if database_url.startswith("postgresql"):
            engine = make_engine(os.environ["PORTAL_TEST_DATABASE_URL"])
            with engine.execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
                name = make_url(database_url).database
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            engine.dispose()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def chromium(server: Server) -> Iterator[Any]:
    """One headless Chromium for the session (Debian's, not Playwright's download)."""
    executable = find_chromium()
    assert executable is not None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the Python package playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=BROWSER_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture()
def browse(server: Server, chromium: Any) -> Iterator[Any]:
    """browse(email=None, width=1280) → a fresh browser context's page, logged in when given
    an email; every context opened by the test is closed after it."""
    opened: list[BrowserSession] = []

    def open_page(email: str | None = None, width: int = 1280, height: int = 900) -> Any:
        session = BrowserSession(server, chromium, width=width, height=height)
        opened.append(session)
        if email:
            session.login(email)
        return session.page

    yield open_page
    for session in opened:
        session.close()
