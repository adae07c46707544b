"""Helpers of the browser suite: the served app, logged-in browser contexts and axe-core."""

import json
import os
import re
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.config import ROOT
from app.db import make_engine
from app.demo.load import PASSWORD

AXE_JS = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# The demo logins by role (app/demo/load.py); anonymous is None.
ROLES: dict[str, str | None] = {
    "anonymous": None,
    "resident": "erik.lindholm@demo.example",
    "committee member": "hodan.warsame@demo.example",
    "chair": "aino.virtanen@demo.example",
    "property manager": "juha.makinen@demo.example",
    "management": "markku.salonen@demo.example",
    "admin": "sanna.lehtonen@demo.example",
}
CHAIR = "aino.virtanen@demo.example"
MANAGER = "juha.makinen@demo.example"
MANAGEMENT = "markku.salonen@demo.example"
RESIDENT = "erik.lindholm@demo.example"


@dataclass(frozen=True)
class Server:
    base_url: str
    database_url: str
    log: Path


class BrowserSession:
    """A browser context of its own (cookies, viewport) with one page."""

    def __init__(self, server: Server, browser: Any, width: int = 1280, height: int = 900) -> None:
        self.server = server
        self.context = browser.new_context(
            base_url=server.base_url,
            viewport={"width": width, "height": height},
            locale="fi-FI",
            timezone_id="Europe/Helsinki",
            bypass_csp=True,  # axe-core is injected as a script; the portal's CSP forbids it
        )
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()

    def login(self, email: str) -> None:
        """Log in through the password form, as a person would."""
        page = self.page
        page.goto("/login")
        page.fill("#field-email", email)
        page.fill("#field-password", PASSWORD)
        page.locator("form[action='/login'] button[type=submit]").click()
        page.wait_for_load_state()
        if "/login" in page.url:
            shown = page.locator("main").inner_text()[:500]
            log = self.server.log.read_text()[-3000:]
            raise AssertionError(f"could not log in as {email}: {page.url}\n{shown}\n{log}")

    def close(self) -> None:
        self.context.close()


def settle(server: Server, timeout: float = 30) -> None:
    """Wait until the work the app does after a response (sending mail) has finished.

    On SQLite a request that reads and then writes fails at once with "database is locked"
    (503) while the mail sender started after an earlier response holds the write lock, so a
    journey waits for the sender, as a person would wait for the page, instead of racing it.
    Settled: the write lock could be taken, nothing is being sent, and the waiting mail (left
    for the scheduler) no longer changes, twice in a row.
    """
    engine = make_engine(server.database_url)
    sqlite_file = (
        make_url(server.database_url).database if "sqlite" in server.database_url else None
    )
    query = text(
        "SELECT status, count(*) FROM delivery WHERE status IN ('pending', 'sending') "
        "GROUP BY status"
    )
    deadline = time.monotonic() + timeout
    last: dict[str, int] | None = None
    quiet = 0
    try:
        while quiet < 2:
            if sqlite_file:
                probe = sqlite3.connect(sqlite_file, timeout=timeout, isolation_level=None)
                try:
                    probe.execute("BEGIN IMMEDIATE")
                    probe.execute("ROLLBACK")
                finally:
                    probe.close()
            with engine.connect() as conn:
                counts = {row[0]: row[1] for row in conn.execute(query)}
            quiet = quiet + 1 if not counts.get("sending") and counts == last else 0
            if time.monotonic() > deadline:
                raise AssertionError(f"the mail sender did not settle: {counts}")
            last = counts
            time.sleep(0.2)
    finally:
        engine.dispose()


def run_axe(page: Any) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    result: dict[str, Any] = page.evaluate(
        """async (tags) => await axe.run(document, {
            runOnly: {type: 'tag', values: tags},
            resultTypes: ['violations'],
        })""",
        WCAG_TAGS,
    )
    return list(result["violations"])


def nu_errors(files: list[Path]) -> list[dict[str, Any]]:
    """The Nu HTML checker's errors on the files (vnu.jar from npm, run with Java)."""
    if shutil.which("java") is None or not VNU_JAR.exists():
        reason = "the Nu HTML checker needs Java and vnu.jar (npm ci)"
        if os.environ.get("PORTAL_REQUIRE_BROWSER") == "1":
            pytest.fail(f"PORTAL_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    result = subprocess.run(  # noqa: S603 - the checker from the project's npm packages
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json"]
        + [str(f) for f in files],
        capture_output=True,
        text=True,
        timeout=600,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    return [m for m in messages if m.get("type") == "error"]


def describe(violations: list[dict[str, Any]]) -> str:
    """A readable account of axe's violations: rule, help, the offending elements."""
    lines = []
    for violation in violations:
        lines.append(f"  {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            target = ", ".join(str(t) for t in node["target"])
            summary = re.sub(r"\s+", " ", node.get("failureSummary") or "")[:200]
            lines.append(f"    {target}: {summary}")
    return "\n".join(lines)


def tab_to(page: Any, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching the selector has focus (keyboard only)."""
    target = page.locator(selector).first
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {selector}")
