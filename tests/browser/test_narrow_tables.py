"""Tables, the calendar and the charts on a 320 px phone and on a desktop, in a real browser.

Charts: the drawing shown at each width draws every name and value inside its viewBox (measured
by the browser, not estimated). Calendar: the month is a list of days on the phone and a grid of
weeks on the desktop, never both. Tables: a wide table scrolls in its own labelled region.
"""

from typing import Any

from sqlalchemy import text

from app.db import make_engine
from tests.browser.support import CHAIR, MANAGEMENT, Server, run_axe

WIDTHS = (320, 1280)

# Every text of the charts shown that reaches past its drawing's viewBox, as the browser draws it.
TEXTS_OUTSIDE_JS = """() => {
    const out = [];
    for (const svg of document.querySelectorAll('svg.chart__svg')) {
        if (!svg.getBoundingClientRect().width) continue;  // the drawing not shown
        const box = svg.viewBox.baseVal;
        for (const t of svg.querySelectorAll('text')) {
            const b = t.getBBox();
            if (b.x < 0 || b.y < 0 || b.x + b.width > box.width || b.y + b.height > box.height)
                out.push(`${t.textContent} at ${b.x.toFixed(1)}..${(b.x + b.width).toFixed(1)}`
                    + ` of ${box.width}`);
        }
    }
    return out;
}"""


def _one(server: Server, query: str) -> Any:
    engine = make_engine(server.database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(query)).scalar_one()
    finally:
        engine.dispose()


def _fits(page: Any, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_charts_draw_every_name_and_value_inside_at_every_width(
    browse: Any, server: Server
) -> None:
    house_id = _one(server, "SELECT id FROM house WHERE code = 'HASO-001'")
    for width in WIDTHS:
        page = browse(CHAIR, width=width, height=800)
        for path in (f"/houses/{house_id}/finances", f"/houses/{house_id}/participation-profile"):
            page.goto(path)
            charts = page.locator(".chart-with-table")
            assert charts.count() > 0, path
            for i in range(charts.count()):
                chart = charts.nth(i)
                # One drawing shown, narrower than the screen, and its figures in a table.
                shown = chart.locator("svg[role=img]:visible")
                assert shown.count() == 1, (path, width)
                expected = "chart__svg--narrow" if width < 576 else "chart__svg--wide"
                assert expected in (shown.get_attribute("class") or "")
                assert shown.bounding_box()["width"] <= width
                assert chart.locator(".table-wrap[role=region] table caption").count() == 1
            assert page.evaluate(TEXTS_OUTSIDE_JS) == [], (path, width)
            _fits(page, width)


def test_the_month_is_a_list_on_the_phone_and_a_grid_on_the_desktop(
    browse: Any, server: Server
) -> None:
    month = _one(
        server,
        "SELECT min(starts_at) FROM calendar_event WHERE cancelled_at IS NULL "
        "AND audience = 'all_residents'",
    )
    month = str(month)[:7]
    phone = browse(MANAGEMENT, width=320, height=800)
    phone.goto(f"/calendar?month={month}")
    agenda = phone.locator("ol.calendar-agenda")
    assert agenda.is_visible()
    assert phone.locator("table.calendar-month").is_hidden()
    days = agenda.locator("> li")
    assert days.count() > 0
    for i in range(days.count()):
        day = days.nth(i)
        assert day.locator("h3 time[datetime]").count() == 1
        assert day.locator("a[href^='/calendar/events/']").count() > 0
    # Each event title breaks between words only: no line holds a lone letter or two.
    for link in agenda.locator("a").all():
        box = link.bounding_box()
        assert box and box["width"] > 40
    _fits(phone, 320)
    assert run_axe(phone) == []

    desktop = browse(MANAGEMENT, width=800, height=900)
    desktop.goto(f"/calendar?month={month}")
    assert desktop.locator("ol.calendar-agenda").is_hidden()
    grid = desktop.locator("table.calendar-month")
    assert grid.is_visible()
    assert grid.locator("caption").count() == 1
    headers = grid.locator("thead th")
    assert headers.count() == 7
    # The weekday names, short with the full name as a title, do not overlap one another.
    boxes = []
    for i in range(7):
        name = headers.nth(i).locator("abbr[title]")
        assert name.get_attribute("title")
        boxes.append(name.bounding_box())
    assert all(a["x"] + a["width"] <= b["x"] for a, b in zip(boxes, boxes[1:], strict=False))
    _fits(desktop, 800)
    assert run_axe(desktop) == []


def test_a_wide_table_scrolls_in_its_own_region_on_the_phone(browse: Any, server: Server) -> None:
    page = browse(MANAGEMENT, width=320, height=800)
    page.goto("/compliance")
    region = page.locator(".table-wrap[role=region]").first
    label = region.get_attribute("aria-labelledby")
    assert label and page.locator(f"caption#{label}").count() == 1
    assert region.get_attribute("tabindex") == "0"
    # The table is wider than the phone, its region is not: the region scrolls, the page does not.
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")
    assert region.bounding_box()["width"] <= 320
    _fits(page, 320)
    # Reached by keyboard: focused, the arrow keys scroll it (smoothly: wait for it).
    region.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "() => document.querySelector('.table-wrap[role=region]').scrollLeft > 0", timeout=5000
    )
    # The caption stays readable: within the screen, whatever the table's width.
    caption = region.locator("caption").bounding_box()
    assert caption and caption["x"] >= 0 and caption["x"] + caption["width"] <= 320
