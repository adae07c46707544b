"""The main menu in a real browser: folded behind its button on a phone, groups that open by
keyboard and close with Escape on the desktop."""

from typing import Any

from app.demo.load import PASSWORD
from tests.browser.support import MANAGEMENT, run_axe


def test_phone_menu_folds_behind_its_button(browse: Any) -> None:
    page = browse(MANAGEMENT, width=360)
    page.goto("/")
    toggle = page.locator("button.site-nav__toggle")
    nav = page.locator("nav.site-nav")
    assert toggle.is_visible() and not nav.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true" and nav.is_visible()
    page.locator("nav.site-nav summary", has_text="Yhtiö").click()
    page.locator("nav.site-nav a[href='/forum']").click()
    page.wait_for_load_state()
    assert page.url.endswith("/forum")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert run_axe(page) == []


def test_desktop_groups_open_by_keyboard_and_close_with_escape(browse: Any) -> None:
    page = browse(MANAGEMENT)
    page.goto("/elections")
    assert not page.locator("button.site-nav__toggle").is_visible()
    group = page.locator("nav.site-nav summary", has_text="Osallistu")
    # The group holding the page one is on is marked; its link says it is the current page.
    assert "site-nav__current" in (group.get_attribute("class") or "")
    assert page.locator("nav.site-nav a[aria-current='page']").get_attribute("href") == (
        "/elections"
    )
    link = page.locator("nav.site-nav a[href='/surveys']")
    assert not link.is_visible()
    group.focus()
    page.keyboard.press("Enter")
    assert link.is_visible()
    other = page.locator("nav.site-nav summary", has_text="Yhtiö")
    other.click()  # one group open at a time
    assert not link.is_visible()
    page.keyboard.press("Escape")
    assert not page.locator("nav.site-nav a[href='/forum']").is_visible()
    assert page.evaluate("document.activeElement.textContent.trim()") == "Yhtiö"


def test_without_javascript_the_phone_menu_shows(server: Any, chromium: Any) -> None:
    context = chromium.new_context(
        base_url=server.base_url,
        viewport={"width": 360, "height": 800},
        locale="fi-FI",
        java_script_enabled=False,
    )
    try:
        page = context.new_page()
        page.goto("/login")
        page.fill("#field-email", MANAGEMENT)
        page.fill("#field-password", PASSWORD)
        page.locator("form[action='/login'] button[type=submit]").click()
        page.wait_for_load_state()
        assert page.locator("nav.site-nav").is_visible()
        assert not page.locator("button.site-nav__toggle").is_visible()
        page.locator("nav.site-nav summary", has_text="Yhtiö").click()  # <details>: no script
        assert page.locator("nav.site-nav a[href='/forum']").is_visible()
    finally:
        context.close()
