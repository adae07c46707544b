"""A chair files an initiative for the house (keyboard only), the property manager receives and
answers it, and the chair evaluates the outcome."""

import re
from datetime import date
from typing import Any

from sqlalchemy import text

from app.db import make_engine
from app.i18n import use_language
from app.jinja import fmt_date
from tests.browser.support import CHAIR, MANAGER, Server, run_axe, settle, tab_to
from tests.support import fi

TITLE = "Pihavalaistus kuntoon (selainpolku)"
MANAGER_NAME = "Juha Mäkinen"


def _move(page: Any, action: str) -> Any:
    return page.locator(f"form[action$='/transitions/{action}']")


def _first_action(page: Any) -> Any:
    """The first button (or link styled as one) in the page's main content."""
    return page.locator("main").locator("button, a.hds-button").first


def _expects_first(page: Any, action: str) -> None:
    """The move is the first action on the page, and the primary one."""
    first = _first_action(page)
    assert first.evaluate("b => b.closest('form') && b.closest('form').action").endswith(
        f"/transitions/{action}"
    )
    assert "hds-button--primary" in (first.get_attribute("class") or "")
    assert first.is_visible()


def _current_step(page: Any) -> str:
    return str(page.locator("main ol.stepper__steps > li[aria-current=step]").inner_text())


def _receipt_due_on(server: Server, address: str) -> date:
    initiative_id = int(address.rstrip("/").rsplit("/", 1)[1].split("?")[0])
    engine = make_engine(server.database_url)
    try:
        with engine.connect() as conn:
            found = conn.execute(
                text("SELECT receipt_due_on FROM initiative WHERE id = :id"), {"id": initiative_id}
            ).scalar_one()
    finally:
        engine.dispose()
    return found if isinstance(found, date) else date.fromisoformat(str(found))


def test_chair_files_manager_answers_chair_evaluates(browse: Any, server: Server) -> None:
    # The chair, keyboard only: Tab to each field, type, Enter on the buttons.
    chair = browse(CHAIR)
    chair.goto("/initiatives/new")
    tab_to(chair, "#field-house_id")
    chair.keyboard.press("ArrowDown")  # the first of the chair's houses
    assert chair.locator("#field-house_id").input_value() != ""
    tab_to(chair, "#field-title")
    chair.keyboard.type(TITLE)
    tab_to(chair, "#field-body")
    chair.keyboard.type("Pihan valaistus on pimeänä iltana riittämätön. Ehdotamme lisävaloja.")
    tab_to(chair, "form[action='/initiatives/new'] button[type=submit]")
    chair.keyboard.press("Enter")
    chair.wait_for_url(re.compile(r"/initiatives/\d+$"))
    settle(server)
    address = chair.url
    assert chair.locator("h1").inner_text() == TITLE
    # Where the draft is, and the one thing to do now first: submitting it. Withdrawing waits,
    # folded under "More actions".
    assert fi("Draft") in _current_step(chair)
    _expects_first(chair, "submit")
    withdraw = chair.locator("details.more-actions").locator(_move(chair, "withdraw"))
    assert withdraw.count() == 1 and not withdraw.is_visible()
    tab_to(chair, "form[action$='/transitions/submit'] button[type=submit]")
    chair.keyboard.press("Enter")
    chair.wait_for_load_state()
    settle(server)
    assert _move(chair, "submit").count() == 0
    assert _move(chair, "withdraw").count() == 1
    # The page confirms who received it and by when they must acknowledge it.
    with use_language("fi"):
        due = fmt_date(_receipt_due_on(server, address))
    notice = chair.locator("main .hds-notification--success[role=status]")
    assert notice.is_visible()
    said = notice.inner_text()
    assert fi("The initiative has been submitted") in said
    assert MANAGER_NAME in said and due in said
    now = _current_step(chair)
    assert fi("Submitted") in now and MANAGER_NAME in now and due in now
    # Withdrawing still needs its box ticked, from behind "More actions".
    more = chair.locator("details.more-actions")
    more.locator("summary").click()
    withdraw = more.locator(_move(chair, "withdraw"))
    assert withdraw.is_visible()
    assert withdraw.locator("input[name=confirm][required]").count() == 1
    more.locator("summary").click()
    # The property manager it is addressed to is told at once, what to do and by when.
    engine = make_engine(server.database_url)
    try:
        with engine.connect() as conn:
            told = conn.execute(
                text("SELECT subject, body_text FROM delivery WHERE recipient = :to"),
                {"to": MANAGER},
            ).all()
    finally:
        engine.dispose()
    mails = [body for _subject, body in told if TITLE in body]
    assert mails and "Kuittaa se vastaanotetuksi portaalissa" in mails[-1]

    # The property manager acknowledges it and publishes the answer.
    manager = browse(MANAGER)
    manager.goto(address)
    _expects_first(manager, "receive")
    _move(manager, "receive").locator("button[type=submit]").click()
    manager.wait_for_load_state()
    settle(server)
    assert fi("Received") in _current_step(manager)
    _expects_first(manager, "answer")
    answer = _move(manager, "answer")
    answer.locator("label[for=field-answer-outcome-accepted]").click()
    answer.locator("textarea[name=answer]").fill("Lisävalot asennetaan syksyllä.")
    answer.locator("button[type=submit]").click()
    manager.wait_for_load_state()
    settle(server)
    assert "Lisävalot asennetaan syksyllä." in manager.locator("main").inner_text()
    _expects_first(manager, "implement")
    _move(manager, "implement").locator("button[type=submit]").click()
    manager.wait_for_load_state()
    settle(server)
    assert _move(manager, "implement").count() == 0

    # The chair evaluates the outcome.
    chair.goto(address)
    assert fi("Implemented") in _current_step(chair)
    _expects_first(chair, "evaluate")
    evaluate = _move(chair, "evaluate")
    evaluate.locator("label[for=field-evaluate-rating-4]").click()
    evaluate.locator("textarea[name=comment]").fill("Valaistus parani selvästi.")
    evaluate.locator("button[type=submit]").click()
    chair.wait_for_load_state()
    settle(server)
    assert "Valaistus parani selvästi." in chair.locator("main").inner_text()
    assert run_axe(chair) == []
