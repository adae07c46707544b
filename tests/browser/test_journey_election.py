"""The chair of HASO-001 casts the house's vote in the Haso-yte election: marks candidates
(one of them with the keyboard only), gets the receipt code once, cannot vote a second time, and
once the votes are counted with the counting key finds with the code that the ballot was counted."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlmodel import Session, col, select

from app.db import make_engine
from app.models.ballots import Election, ElectionCreate, ElectionPurpose
from app.models.committees import CommitteeMember, Position, ResidentCommittee
from app.services.ballots import counting, elections
from app.services.bodies import yte as yte_service
from tests.browser.support import CHAIR, Server, run_axe, settle, tab_to
from tests.support import fi

TITLE = "Haso-yten vaali (selaintesti)"
MAX_CHOICES = 3


def _sitting_chairs(session: Session, on: date, wanted: int) -> list[tuple[int, int]]:
    """(person, house) of the first sitting chairs of the demo on a day."""
    seats = session.exec(
        select(CommitteeMember.person_id, ResidentCommittee.house_id)
        .join(ResidentCommittee, col(ResidentCommittee.id) == CommitteeMember.committee_id)
        .where(col(CommitteeMember.position) == Position.chair)
        .order_by(col(ResidentCommittee.house_id))
    )
    found: list[tuple[int, int]] = []
    for person_id, house_id in seats:
        if any(person_id == p or house_id == h for p, h in found):
            continue
        if yte_service.is_sitting_chair(session, person_id, house_id, on):
            found.append((person_id, house_id))
        if len(found) == wanted:
            break
    return found


@pytest.fixture()
def election_and_key(server: Server) -> Iterator[tuple[int, str]]:
    """A Haso-yte election in its voting period, with a few sitting chairs as candidates;
    removed afterwards with its candidates and ballots, so the demo is as it was."""
    today = datetime.now(ZoneInfo("Europe/Helsinki")).date()
    engine = make_engine(server.database_url)
    try:
        with Session(engine) as session:
            data = ElectionCreate(
                purpose=ElectionPurpose.yte,
                title=TITLE,
                description="Äänestä enintään kolmea ehdokasta.",
                min_choices=1,
                max_choices=MAX_CHOICES,
                nomination_opens_on=today - timedelta(days=20),
                nomination_closes_on=today - timedelta(days=5),
                voting_opens_on=today - timedelta(days=2),
                voting_closes_on=today + timedelta(days=5),
            )
            created, counting_key = elections.create_election(session, data, None)
            during = created.nomination_opens_on
            chairs = _sitting_chairs(session, during, 4)
            assert len(chairs) == 4, f"the demo has too few sitting chairs: {chairs}"
            for person_id, house_id in chairs:
                elections.stand(
                    session, created, person_id, house_id, "Olen taloni puheenjohtaja.", during
                )
            assert elections.phase(created, today) == elections.Phase.voting
            assert created.id is not None
            election_id = created.id
            session.commit()
        yield election_id, counting_key
    finally:
        with engine.begin() as conn:
            # The count may have seated a Haso-yte term: it goes too.
            terms = list(
                conn.execute(
                    text("SELECT term_id FROM election WHERE title = :t AND term_id IS NOT NULL"),
                    {"t": TITLE},
                ).scalars()
            )
            conn.execute(text("DELETE FROM election WHERE title = :title"), {"title": TITLE})
            for term_id in terms:
                conn.execute(text("DELETE FROM yte_member WHERE term_id = :id"), {"id": term_id})
                conn.execute(text("DELETE FROM yte_term WHERE id = :id"), {"id": term_id})
        engine.dispose()


def test_chair_votes_for_the_house_and_checks_the_receipt(
    browse: Any, server: Server, election_and_key: tuple[int, str]
) -> None:
    election, counting_key = election_and_key
    page = browse(CHAIR)
    page.goto("/")
    # The main menu groups the ways to take part: open the group, then its link.
    page.locator("nav.site-nav summary", has_text="Osallistu").click()
    page.locator("nav.site-nav a[href='/elections']").click()
    page.wait_for_load_state()
    page.locator(f"main a[href='/elections/{election}']").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == TITLE
    ballot = page.locator("#ballot form")
    assert ballot.is_visible()
    # Where the election is, until when, and the ballot as the first and primary action.
    now = page.locator("main ol.stepper__steps > li[aria-current=step]")
    assert fi("Voting") in now.inner_text() and fi("Closes on") in now.inner_text()
    first = page.locator("main").locator("button, a.hds-button").first
    assert first.evaluate("b => b.closest('form').action").endswith(f"/elections/{election}/vote")
    assert "hds-button--primary" in (first.get_attribute("class") or "")
    assert run_axe(page) == []

    # The same ballot, left open in a second tab: the attempt to vote again later.
    second = page.context.new_page()
    second.goto(f"/elections/{election}")

    boxes = ballot.locator("input[name=candidate]")
    assert boxes.count() == 4
    ids = [boxes.nth(i).get_attribute("id") for i in range(boxes.count())]
    boxes.nth(0).check()
    # The second candidate with the keyboard only: Tab to the box, Space marks it.
    tab_to(page, f"#{ids[1]}")
    page.keyboard.press("Space")
    assert boxes.nth(1).is_checked()
    marked = sum(boxes.nth(i).is_checked() for i in range(boxes.count()))
    assert 1 <= marked <= MAX_CHOICES
    ballot.locator("button[type=submit]").click()
    page.wait_for_load_state()
    settle(server)

    assert page.locator("h1").inner_text() == "Äänesi on kirjattu"
    receipt = page.locator(".receipt-code strong").inner_text().strip()
    assert len(receipt) >= 8
    assert run_axe(page) == []

    # Back on the election page the code is not shown again; the ballot stays sealed until the
    # count, and the page says when the receipt can be checked.
    page.locator(f"main a[href='/elections/{election}']").click()
    page.wait_for_load_state()
    assert receipt not in page.locator("main").inner_text()
    assert page.locator("#ballot").count() == 0
    assert "Talosi on äänestänyt." in page.locator("main").inner_text()
    assert page.locator("#verify form").count() == 0
    assert "kun äänet on laskettu" in page.locator("#verify").inner_text()

    # The ballot left open in the other tab: the house has already voted.
    second.locator("#ballot input[name=candidate]").nth(2).check()
    second.locator("#ballot form button[type=submit]").click()
    second.wait_for_load_state()
    assert "Tämä talo on jo äänestänyt" in second.locator("main").inner_text()
    assert second.locator("h1").inner_text() == TITLE
    engine = make_engine(server.database_url)
    try:
        with engine.connect() as conn:
            sealed, opened = (
                conn.execute(
                    text(f"SELECT count(*) FROM {table} WHERE election_id = :id"),  # noqa: S608
                    {"id": election},
                ).scalar_one()
                for table in ("election_sealed_ballot", "election_ballot")
            )
        assert (sealed, opened) == (1, 0)
        # The voting closes and the counters count with the key given at the election's making.
        with Session(engine) as session:
            found = session.get(Election, election)
            assert found is not None
            today = datetime.now(ZoneInfo("Europe/Helsinki")).date()
            found.nomination_closes_on = today - timedelta(days=3)
            found.voting_opens_on = today - timedelta(days=2)
            found.voting_closes_on = today - timedelta(days=1)
            counting.count(session, found, None, counting_key, now=datetime.now(UTC))
            session.commit()
    finally:
        engine.dispose()

    # With the receipt code the chair finds that the ballot was counted; a wrong code is not.
    page.reload()
    page.wait_for_load_state()
    now = page.locator("main ol.stepper__steps > li[aria-current=step]")
    assert fi("Results") in now.inner_text()
    assert page.locator("main ol.stepper__steps > li.stepper__step--upcoming").count() == 0
    page.fill("#field-receipt", receipt)
    page.locator("form[action$='/receipt#verify'] button[type=submit]").click()
    page.wait_for_load_state()
    status = page.locator("#verify [role=status]").inner_text()
    assert status == "Äänestyslippu tällä kuittikoodilla on laskettu."
    assert run_axe(page) == []
    page.fill("#field-receipt", "AAAA-BBBB-CCCC")
    page.locator("form[action$='/receipt#verify'] button[type=submit]").click()
    page.wait_for_load_state()
    status = page.locator("#verify [role=status]").inner_text()
    assert status == "Tällä kuittikoodilla ei löytynyt äänestyslippua."
