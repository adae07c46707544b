"""Management writes the residents' newsletter, previews it in each language and schedules its
sending through the confirmation step; a form sent with a mistake re-renders with the focus on
its error summary."""

import re
from datetime import date, timedelta
from typing import Any

from babel.dates import format_date

from tests.browser.support import MANAGEMENT, run_axe

TITLE = "Asukaskirje: syksyn tapahtumat (selainpolku)"


def _focused_id(page: Any) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.id"))


def test_failed_submit_moves_focus_to_the_error_summary(browse: Any) -> None:
    page = browse()
    page.goto("/login")
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#error-summary").is_visible()
    assert _focused_id(page) == "error-summary"
    # Each error links to its field, and the field names its error.
    page.locator("#error-summary a[href='#field-email']").focus()
    page.keyboard.press("Enter")
    assert page.locator("#field-email").get_attribute("aria-describedby") == "error-email"
    assert run_axe(page) == []


def test_management_writes_and_schedules_a_newsletter(browse: Any) -> None:
    page = browse(MANAGEMENT)
    page.goto("/newsletters/new")
    page.select_option("#field-kind", "residents")
    page.fill("#field-body_md", "Hyvät asukkaat,\n\n- syystalkoot\n- **turvallisuusilta**")
    submit = page.locator("main form button[type=submit]").last
    submit.click()  # the title is missing
    page.wait_for_load_state()
    assert _focused_id(page) == "error-summary"
    assert page.locator("#field-title").get_attribute("aria-invalid") == "true"
    assert page.locator("#field-body_md").input_value().startswith("Hyvät asukkaat,")

    page.fill("#field-title", TITLE)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/newsletters/\d+$"))
    assert page.locator("h1").inner_text() == TITLE
    assert page.locator("iframe.newsletter-preview").count() == 3  # one per language
    preview = page.frame_locator("iframe.newsletter-preview").first
    assert "turvallisuusilta" in preview.locator("body").inner_text()
    assert run_axe(page) == []

    tomorrow = date.today() + timedelta(days=1)
    page.fill("#field-scheduled_at", f"{tomorrow.isoformat()}T09:00")
    page.locator("form[action$='/confirm'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/newsletters/\d+/confirm\?"))
    # The confirmation: nothing is sent yet; how many, by which channel, in which languages.
    assert page.locator("h1").count() == 1
    assert page.locator("table.newsletter-languages tbody tr").count() == 3
    confirm = page.locator("#field-confirm_recipients")
    recipients = int(confirm.get_attribute("value") or "0")
    assert recipients > 0 and str(recipients) in confirm.inner_text()
    assert page.locator("form[action$='/cancel']").count() == 0
    assert run_axe(page) == []
    confirm.click()
    page.wait_for_url(re.compile(r"/newsletters/\d+$"))
    assert page.locator("form[action$='/cancel']").count() == 1
    shown = page.locator("main").inner_text()
    assert f"{format_date(tomorrow, format='long', locale='fi')} 9.00" in shown
    assert run_axe(page) == []
