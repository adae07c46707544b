"""A Haso-yte member files a company initiative; management builds a cooperation forum's agenda
from the initiatives waiting for it and publishes the agenda, which the chairs then read."""

import re
from datetime import date, timedelta
from typing import Any

from tests.browser.support import CHAIR, MANAGEMENT, RESIDENT, Server, run_axe, settle

TITLE = "Yhteinen energiansäästökampanja (selainpolku)"


def test_management_builds_and_publishes_an_agenda(browse: Any, server: Server) -> None:
    chair = browse(CHAIR)
    chair.goto("/initiatives/new")
    chair.click("label[for=field-scope-company]")  # HDS radios: the label is clicked
    chair.fill("#field-title", TITLE)
    chair.fill("#field-body", "Ehdotamme koko yhtiön yhteistä energiansäästökampanjaa.")
    chair.locator("form[action='/initiatives/new'] button[type=submit]").click()
    chair.wait_for_url(re.compile(r"/initiatives/\d+$"))
    settle(server)
    chair.locator("form[action$='/transitions/submit'] button[type=submit]").click()
    chair.wait_for_load_state()
    settle(server)

    page = browse(MANAGEMENT)
    page.goto("/forum/sessions/new")
    page.fill("#field-title", "Yhteistyöfoorumi (selainpolku)")
    page.fill("#field-starts_on", (date.today() + timedelta(days=40)).isoformat())
    page.fill("#field-starts_time", "17:00")
    page.fill("#field-duration_minutes", "120")
    page.fill("#field-place", "Hason pääkonttori, neuvotteluhuone 1")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/forum/sessions/\d+$"))
    settle(server)
    session_address = page.url

    queue = page.locator("ul.forum-queue li", has_text=TITLE)
    queue.locator("button[type=submit]").click()
    page.wait_for_load_state()
    settle(server)
    assert page.locator("ul.forum-queue li", has_text=TITLE).count() == 0

    items = page.locator("form[action$='/items']")
    items.locator("#field-kind").select_option(index=1)
    items.locator("#field-title").fill("Talousarvion 2027 valmistelu")
    items.locator("#field-planned_minutes").fill("30")
    items.locator("button[type=submit]").click()
    page.wait_for_load_state()
    settle(server)
    agenda = page.locator("main").inner_text()
    assert TITLE in agenda
    assert "Talousarvion 2027 valmistelu" in agenda
    assert run_axe(page) == []

    page.locator("form[action$='/publish'] button[type=submit]").click()
    page.wait_for_load_state()
    # The confirmation says whom the mail reaches before anything is sent.
    assert page.locator("h1").inner_text() == "Vahvista esityslista"
    assert "Mitään ei ole vielä lähetetty" in page.locator("main").inner_text()
    assert run_axe(page) == []
    page.locator("button[name=confirmed]").click()
    page.wait_for_load_state()
    settle(server)
    assert page.locator("form[action$='/publish']").count() == 0  # published, unchanged since
    assert run_axe(page) == []

    # The chairs read the published agenda; a resident does not see the forum.
    chair.goto(session_address)
    assert TITLE in chair.locator("main").inner_text()
    resident = browse(RESIDENT)
    response = resident.goto(session_address)
    assert response is not None and response.status == 403
