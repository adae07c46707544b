"""A resident, on a phone (360 px wide), registers for an event of the annual calendar and
subscribes to the personal calendar feed; the feed is then fetched and parsed as iCalendar."""

import re
from typing import Any

import httpx
from icalendar import Calendar
from sqlalchemy import text

from app.db import make_engine
from tests.browser.support import RESIDENT, Server, run_axe, settle


def _events_taking_registrations(server: Server) -> list[int]:
    engine = make_engine(server.database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT id FROM calendar_event WHERE registration ORDER BY starts_at")
            )
            return [row[0] for row in rows]
    finally:
        engine.dispose()


def test_resident_registers_and_subscribes_on_a_phone(browse: Any, server: Server) -> None:
    page = browse(RESIDENT, width=360, height=740)
    title = None
    for event_id in _events_taking_registrations(server):
        page.goto(f"/calendar/events/{event_id}")
        if page.locator("form[action$='/register']").count():
            title = page.locator("h1").inner_text()
            break
    assert title, "no event of the resident's takes registrations"
    # Nothing wider than the phone's screen: no sideways scrolling of the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.fill("#field-participants", "2")
    page.locator("form[action$='/register'] button[type=submit]").click()
    page.wait_for_load_state()
    settle(server)
    assert page.locator("form[action$='/unregister']").count() == 1
    assert run_axe(page) == []

    page.goto("/calendar/feed")
    page.locator("form[action='/calendar/feed'] button[type=submit]").click()
    page.wait_for_load_state()
    feed_url = page.locator("#feed-url").input_value()
    assert re.search(r"/calendar/feed/[^/]+\.ics$", feed_url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert run_axe(page) == []

    # Fetched as a calendar program would, without the browser's cookies.
    assert feed_url.startswith(server.base_url)
    response = httpx.get(feed_url, timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    summaries = [str(event.get("SUMMARY")) for event in calendar.walk("VEVENT")]
    assert title in summaries
