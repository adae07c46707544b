"""axe-core in Chromium on every page, for every demo role: no WCAG 2.1 A or AA violations.

For each role the crawl starts at the front page and follows the links of the main menu and of
the page content (breadth first), visiting one address per route: the first item of each list.
A further test fails when an HTML page route of the app was reached by no role's crawl, so a
page added later without an accessibility check fails the suite.
"""

import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import text

from app.db import make_engine
from tests.browser.support import (
    ROLES,
    BrowserSession,
    describe,
    nu_errors,
    run_axe,
    settle,
)

MAX_PAGES_PER_ROLE = 70

# GET routes that are not HTML pages for people: downloads, feeds, machine endpoints.
NOT_PAGES = {
    "/healthz": "health check (JSON)",
    "/favicon.ico": "a redirect to the icon",
    "/openapi.json": "the API's schema (JSON)",
    "/dev/outbox": "exists only in debug mode",
    "/admin/import/example/{name}": "CSV example download",
    "/initiatives/export.csv": "CSV download",
    "/calendar/events/{event_id}/attendees.csv": "CSV download",
    "/calendar/events/{event_id}/calendar.ics": "iCalendar download",
    "/calendar/feed/{token}.ics": "iCalendar feed",
    "/forum/sessions/{session_id}/calendar.ics": "iCalendar download",
    "/initiatives/{initiative_id}/attachments/{attachment_id}": "attachment download",
    "/finances.csv": "CSV download",
    "/surveys/{survey_id}/results.csv": "CSV download",
    "/houses/{house_id}/finances.csv": "CSV download",
    "/finances/import/example/{name}": "CSV example download",
    "/account/data.json": "one's own data as a JSON download",
    "/login/sso": "a redirect to the identity provider",
    "/login/sso/callback": "the identity provider's redirect back (needs its state)",
    "/meetings/{meeting_id}/invitation-letters.pdf": "PDF download (letters to print)",
    "/meetings/{meeting_id}/notice-board.pdf": "PDF download (notice-board sheet)",
}

# Pages no link leads to (their address arrives by mail): visited directly, with a token that
# does not exist, so the page explaining that is what axe checks.
DIRECT = {
    "anonymous": ["/login/link/not-a-real-token", "/unsubscribe/not-a-real-token"],
}

# Pages whose links appear only on some items, not on the first of the list: visited directly,
# the parameter filled from the demo data by a query (":email" is the role's login).
FILLED = {
    "management": [
        ("/calendar/events/{}/attendees", "SELECT id FROM calendar_event WHERE registration"),
        ("/forum/items/{}/minutes", "SELECT id FROM agenda_item"),
        ("/meetings/{}/minutes", "SELECT id FROM resident_meeting WHERE starts_at < :now"),
    ],
    # The demo's open demand for a resident meeting is in one of this manager's houses, which
    # need not be the house whose page the crawl opens.
    "property manager": [
        ("/meeting-demands/{}", "SELECT id FROM meeting_demand WHERE closed_at IS NULL"),
    ],
    "committee member": [
        (
            "/initiatives/{}/edit",
            "SELECT id FROM initiative WHERE state = 'draft' AND filed_by_id = "
            "(SELECT id FROM person WHERE email = :email)",
        ),
    ],
}


def filled(server: Any, role: str) -> list[str]:
    """The FILLED addresses of a role, with ids from the server's database."""
    if role not in FILLED:
        return []
    engine = make_engine(server.database_url)
    paths = []
    try:
        with engine.connect() as conn:
            for path, query in FILLED[role]:
                params = {"email": ROLES[role], "now": datetime.now(UTC).replace(tzinfo=None)}
                found = conn.execute(text(query + " ORDER BY id"), params).first()
                if found is not None:  # else the coverage test names the page
                    paths.append(path.format(found[0]))
    finally:
        engine.dispose()
    return paths


def send_accessibility_feedback(page: Any) -> None:
    """Someone not logged in reports a problem, so the administrators' list has an item."""
    page.goto("/accessibility/feedback")
    page.fill("#field-email", "palaute@example.org")
    page.fill("#field-problem", "Kalenterin kuukausinäkymä ei toimi ruudunlukijalla.")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()


def write_newsletter(page: Any) -> None:
    """Management starts a draft newsletter, so the newsletter pages have an item to show."""
    page.goto("/newsletters/new")
    page.select_option("#field-kind", "chairs")
    page.fill("#field-title", "Puheenjohtajaposti (saavutettavuustesti)")
    page.fill("#field-body_md", "Tervehdys puheenjohtajille.")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()


def _walk(routes: list[Any], prefix: str = "") -> Iterator[str]:
    for route in routes:
        if isinstance(route, APIRoute):
            if "GET" in (route.methods or set()):
                yield prefix + route.path
        elif hasattr(route, "include_context"):
            context = route.include_context
            yield from _walk(context.included_router.routes, prefix + context.prefix)


def page_routes() -> list[str]:
    """Every GET route of the app outside the API: the pages the crawl must reach."""
    from app.main import create_app

    paths = {p for p in _walk(create_app().routes) if not p.startswith("/api/")}
    return sorted(p for p in paths if p not in NOT_PAGES)


def _pattern(path: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", path)
    regex = "".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts)
    return re.compile(f"^{regex}$")


PATTERNS = {path: _pattern(path) for path in page_routes() + list(NOT_PAGES)}


def route_of(path: str) -> str | None:
    """The route a concrete path belongs to (literal routes win over parametrised ones)."""
    matches = [route for route, regex in PATTERNS.items() if regex.match(path)]
    if not matches:
        return None
    return min(matches, key=lambda route: route.count("{"))


@dataclass
class Crawl:
    role: str
    visited: dict[str, str] = field(default_factory=dict)  # route → the address visited
    violations: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)  # address → HTTP status >= 400
    sideways: dict[str, str] = field(default_factory=dict)  # address → what overflows, where
    html: dict[str, str] = field(default_factory=dict)  # address → the HTML as served


# The widths every page must fit without scrolling sideways: a small phone (also the desktop
# at 400 % zoom) and a 1280 px window at 200 % zoom.
NARROW_WIDTHS = (320, 640)
DESKTOP = {"width": 1280, "height": 900}

OVERFLOW_JS = """() => {
    const root = document.documentElement;
    const width = root.clientWidth;
    if (root.scrollWidth <= width) return null;
    const wide = [...document.body.querySelectorAll('*')]
        .filter(el => el.getBoundingClientRect().right > width + 1)
        .filter(el => ![...el.children].some(c => c.getBoundingClientRect().right > width + 1))
        .slice(0, 4)
        .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
            + (el.className && typeof el.className === 'string'
                ? '.' + el.className.trim().split(/\\s+/).join('.') : ''));
    // Text running past the edge (a long word) belongs to no wider element: name its words.
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    while (wide.length < 6 && walker.nextNode()) {
        range.selectNodeContents(walker.currentNode);
        if (range.getBoundingClientRect().right > width + 1) {
            const words = walker.currentNode.textContent.trim().slice(0, 40);
            if (words) wide.push(`"${words}" in ${walker.currentNode.parentElement.tagName}`);
        }
    }
    return `scrollWidth ${root.scrollWidth} > ${width}: ${wide.join(', ') || '(no element)'}`;
}"""


def sideways(page: Any) -> str | None:
    """What makes the page scroll sideways at the narrow widths, or None when nothing does."""
    found = []
    try:
        for width in NARROW_WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            overflow = page.evaluate(OVERFLOW_JS)
            if overflow:
                found.append(f"at {width} px {overflow}")
    finally:
        page.set_viewport_size(DESKTOP)
    return "; ".join(found) or None


def crawl(server: Any, browser: Any, role: str) -> Crawl:
    """Visit the role's pages breadth first, one address per route, and run axe on each."""
    from playwright.sync_api import Error as PlaywrightError

    result = Crawl(role)
    session = BrowserSession(server, browser)
    try:
        email = ROLES[role]
        if email:
            session.login(email)
        page = session.page
        queue = deque(["/", "/login"] if email is None else ["/"])
        if role == "management":
            write_newsletter(page)
        if role == "anonymous":
            send_accessibility_feedback(page)
        settle(server)
        queue.extend(DIRECT.get(role, []))
        queue.extend(filled(server, role))
        while queue and len(result.visited) < MAX_PAGES_PER_ROLE:
            path = queue.popleft()
            route = route_of(path)
            if route is None or route in result.visited or route in NOT_PAGES:
                continue
            try:
                response = page.goto(path)
            except PlaywrightError as exc:
                if "Download is starting" not in str(exc):
                    raise
                result.visited[route] = path  # a file to download, not a page
                continue
            status = response.status if response else 0
            final = urlsplit(page.url).path
            if route_of(final) != route:
                # A redirect (say to the login page): count what was actually shown.
                route = route_of(final) or route
                if route in result.visited:
                    continue
            result.visited[route] = path
            if status >= 400 and path not in DIRECT.get(role, []):
                result.errors[path] = status
            if "text/html" not in (response.headers.get("content-type", "") if response else ""):
                continue
            result.html[path] = response.text() if response else page.content()
            violations = run_axe(page)
            if violations:
                result.violations[path] = violations
            overflow = sideways(page)
            if overflow:
                result.sideways[path] = overflow
            hrefs = page.eval_on_selector_all(
                "header a[href], main a[href]:not([download]), footer a[href]",
                "links => links.map(a => a.getAttribute('href'))",
            )
            for href in hrefs:
                target = urlsplit(urljoin(server.base_url + path, href))
                if target.netloc != urlsplit(server.base_url).netloc:
                    continue
                next_route = route_of(target.path)
                if next_route and next_route not in result.visited:
                    queue.append(target.path + (f"?{target.query}" if target.query else ""))
    finally:
        session.close()
    return result


@pytest.fixture(scope="session")
def crawls(server: Any, chromium: Any) -> Any:
    """crawls(role) → that role's crawl, done once per session."""
    done: dict[str, Crawl | Exception] = {}

    def get(role: str) -> Crawl:
        if role not in done:
            try:
                done[role] = crawl(server, chromium, role)
            except Exception as exc:  # noqa: BLE001 - reported by every test of the role
                done[role] = exc
        found = done[role]
        if isinstance(found, Exception):
            raise AssertionError(f"the crawl of {role} failed: {found}")
        return found

    return get


@pytest.mark.parametrize("role", list(ROLES))
def test_no_wcag_violations(crawls: Any, role: str) -> None:
    result = crawls(role)
    assert len(result.visited) > 1, f"{role}: the crawl found no pages"
    report = "\n".join(
        f"{path}:\n{describe(violations)}" for path, violations in result.violations.items()
    )
    assert not result.violations, f"WCAG 2.1 A/AA violations for {role}:\n{report}"


@pytest.mark.parametrize("role", list(ROLES))
def test_no_sideways_scrolling(crawls: Any, role: str) -> None:
    """Every page fits 320 px and a desktop at 200 % zoom without scrolling sideways."""
    result = crawls(role)
    report = "\n".join(f"  {path}: {where}" for path, where in result.sideways.items())
    assert not result.sideways, f"pages that scroll sideways for {role}:\n{report}"


def test_valid_html(crawls: Any, tmp_path: Path) -> None:
    """The Nu HTML checker finds no errors on any page of any role's crawl."""
    pages: dict[str, str] = {}
    for role in ROLES:
        for path, html in crawls(role).html.items():
            name = f"page{len(pages)}.html"
            (tmp_path / name).write_text(html, encoding="utf-8")
            pages[name] = f"{role} {path}"
    errors = nu_errors(sorted(tmp_path.glob("*.html")))
    report = "\n".join(
        f"  {pages[Path(urlsplit(e['url']).path).name]} line {e.get('lastLine')}: {e['message']}"
        f"\n      {e.get('extract', '').strip()}"
        for e in errors
    )
    assert not errors, f"the Nu HTML checker found {len(errors)} errors:\n{report}"


@pytest.mark.parametrize("role", list(ROLES))
def test_links_lead_to_pages(crawls: Any, role: str) -> None:
    result = crawls(role)
    assert result.errors == {}, f"{role} followed links to error pages: {result.errors}"


def test_every_page_route_is_checked(crawls: Any) -> None:
    reached: set[str] = set()
    for role in ROLES:
        reached |= set(crawls(role).visited)
    missing = [route for route in page_routes() if route not in reached]
    assert missing == [], (
        "page routes no role's accessibility crawl reached (link to them from a page, add them "
        f"to DIRECT, or to NOT_PAGES if they are not HTML pages): {missing}"
    )
