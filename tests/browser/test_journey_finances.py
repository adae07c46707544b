"""A resident of HASO-001 reads the house's finances for the year, without the months; the
committee chair of the house reads the month-by-month figures too and downloads them as CSV."""

import csv
import io
from pathlib import Path
from typing import Any

from sqlalchemy import text

from app.db import make_engine
from tests.browser.support import CHAIR, RESIDENT, Server, run_axe
from tests.support import fi

HOUSE = "HASO-001"


def _house_id(server: Server) -> int:
    engine = make_engine(server.database_url)
    try:
        with engine.connect() as conn:
            found = conn.execute(text("SELECT id FROM house WHERE code = :code"), {"code": HOUSE})
            return int(found.scalar_one())
    finally:
        engine.dispose()


def _open_finances(page: Any, house_id: int) -> None:
    """From the house's page, follow its link to the finances."""
    page.goto(f"/houses/{house_id}")
    page.locator(f"main a[href='/houses/{house_id}/finances']").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/houses/{house_id}/finances")


def test_resident_reads_the_year_without_the_months(browse: Any, server: Server) -> None:
    house_id = _house_id(server)
    page = browse(RESIDENT)
    _open_finances(page, house_id)
    main = page.locator("main")
    # The year: budget against actuals, and the year-end statement.
    assert main.locator("#budget-title").is_visible()
    budget = main.locator("section[aria-labelledby='budget-title'] table.finance-table")
    assert budget.locator("tbody tr").count() > 0
    assert main.locator("#statement-title").is_visible()
    assert main.locator("section[aria-labelledby='statement-title'] dd").count() == 4
    # No month-by-month table for a resident.
    assert main.locator("#monthly-title").count() == 0
    assert main.locator("th", has_text="01/").count() == 0
    # Every chart comes with its figures as a table.
    charts = main.locator(".chart-with-table")
    assert charts.count() > 0
    for i in range(charts.count()):
        chart = charts.nth(i)
        assert chart.locator("svg[role=img]:visible").count() == 1  # the desktop's drawing
        table = chart.locator(".chart-table table")
        assert table.locator("caption").inner_text().strip()
        assert table.locator("tbody tr").count() > 0
    assert run_axe(page) == []


def test_chair_reads_the_months_and_downloads_them(
    browse: Any, server: Server, tmp_path: Path
) -> None:
    house_id = _house_id(server)
    page = browse(CHAIR)
    _open_finances(page, house_id)
    main = page.locator("main")
    monthly = main.locator("section[aria-labelledby='monthly-title']")
    assert monthly.locator("#monthly-title").is_visible()
    headers = monthly.locator("thead th").all_inner_texts()
    assert len(headers) == 13  # the cost group and twelve months
    assert headers[1].startswith("01/")
    assert monthly.locator("tbody tr").count() > 0
    assert main.locator("#statement-title").is_visible()

    with page.expect_download() as info:
        main.locator(f"a[href^='/houses/{house_id}/finances.csv']").click()
    download = info.value
    assert download.suggested_filename.startswith(f"talous-{HOUSE}-")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    content = saved.read_text(encoding="utf-8-sig")
    dialect = csv.Sniffer().sniff(content.splitlines()[0], delimiters=";,")
    rows = list(csv.reader(io.StringIO(content), dialect))
    header, body = rows[0], [row for row in rows[1:] if any(row)]
    assert len(header) > 12, header  # the months are in the chair's file
    assert body and all(len(row) == len(header) for row in body)
    assert run_axe(page) == []


def _cycle_id(server: Server, house_id: int) -> int:
    """The house's budget cycle of the year being prepared (the demo's is at the proposal)."""
    engine = make_engine(server.database_url)
    try:
        with engine.connect() as conn:
            found = conn.execute(
                text("SELECT id FROM budget_cycle WHERE house_id = :h ORDER BY year DESC"),
                {"h": house_id},
            )
            return int(found.scalars().first())
    finally:
        engine.dispose()


def test_chair_sees_where_the_budget_cycle_is_and_the_statement_comes_first(
    browse: Any, server: Server
) -> None:
    cycle_id = _cycle_id(server, _house_id(server))
    for width in (1280, 320):
        page = browse(CHAIR, width=width)
        page.goto(f"/budget-cycles/{cycle_id}")
        steps = page.locator("main ol.stepper__steps > li")
        assert steps.count() == 5
        now = page.locator("main ol.stepper__steps > li[aria-current=step]")
        assert now.count() == 1
        said = now.inner_text()
        assert fi("Statement") in said and fi("Due by") in said
        assert fi("Now") in said
        # The committee's statement is the first action on the page, and the primary one.
        first = page.locator("main").locator("button, a.hds-button").first
        action = first.evaluate("b => b.closest('form').action")
        assert action.endswith(f"/budget-cycles/{cycle_id}/statement")
        assert "hds-button--primary" in (first.get_attribute("class") or "")
        # The steps stack on a phone: nothing scrolls sideways.
        wide = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not wide, f"the page scrolls sideways at {width} px"
        assert run_axe(page) == []
