"""A chair files an initiative for the house (keyboard only), the property manager receives and
answers it, and the chair evaluates the outcome."""

import re
from typing import Any

from sqlalchemy import text

from app.db import make_engine
from tests.browser.support import CHAIR, MANAGER, Server, run_axe, settle, tab_to

TITLE = "Pihavalaistus kuntoon (selainpolku)"


def _move(page: Any, action: str) -> Any:
    return page.locator(f"form[action$='/transitions/{action}']")


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
    tab_to(chair, "form[action$='/transitions/submit'] button[type=submit]")
    chair.keyboard.press("Enter")
    chair.wait_for_load_state()
    settle(server)
    assert _move(chair, "submit").count() == 0
    assert _move(chair, "withdraw").count() == 1
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
    _move(manager, "receive").locator("button[type=submit]").click()
    manager.wait_for_load_state()
    settle(server)
    answer = _move(manager, "answer")
    answer.locator("label[for=field-answer-outcome-accepted]").click()
    answer.locator("textarea[name=answer]").fill("Lisävalot asennetaan syksyllä.")
    answer.locator("button[type=submit]").click()
    manager.wait_for_load_state()
    settle(server)
    assert "Lisävalot asennetaan syksyllä." in manager.locator("main").inner_text()
    _move(manager, "implement").locator("button[type=submit]").click()
    manager.wait_for_load_state()
    settle(server)
    assert _move(manager, "implement").count() == 0

    # The chair evaluates the outcome.
    chair.goto(address)
    evaluate = _move(chair, "evaluate")
    evaluate.locator("label[for=field-evaluate-rating-4]").click()
    evaluate.locator("textarea[name=comment]").fill("Valaistus parani selvästi.")
    evaluate.locator("button[type=submit]").click()
    chair.wait_for_load_state()
    settle(server)
    assert "Valaistus parani selvästi." in chair.locator("main").inner_text()
    assert run_axe(chair) == []
