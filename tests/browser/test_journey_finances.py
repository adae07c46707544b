"""A resident of HASO-001 reads the house's finances for the year, without the months; the
committee chair of the house reads the month-by-month figures too and downloads them as CSV."""

import csv
import io
from pathlib import Path
from typing import Any

from sqlalchemy import text

from app.db import make_engine
from tests.browser.support import CHAIR, RESIDENT, Server, run_axe

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
        assert chart.locator("svg[role=img]").count() == 1
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
