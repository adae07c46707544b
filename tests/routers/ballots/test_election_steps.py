"""An election's page shows where it is (nomination → voting → counting → results), with the
action expected of the person first and withdrawing a candidacy apart and confirmed."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlmodel import select

from app.deps import today
from app.i18n import use_language
from app.jinja import fmt_date
from app.models.ballots import Election, ElectionCandidate, ElectionCreate
from app.models.committees import Position
from app.models.people import StaffKind
from app.services.ballots import elections as service
from tests.routers.page_parts import (
    current_step,
    first_action,
    form_of,
    parse,
    says_done,
    steps,
)
from tests.support import fi, make_committee, make_house, make_resident, make_staff

STEPS = "election-steps"
LABELS = ["Nomination", "Voting", "Counting", "Results"]


def day(value) -> str:
    with use_language("fi"):
        return fmt_date(value)


def _election(session, days_to_voting: int) -> tuple[Election, str]:
    opens = today() + timedelta(days=days_to_voting)
    election, key = service.create_election(
        session,
        ElectionCreate(
            title="Haso-yte 2027",
            nomination_opens_on=opens - timedelta(days=20),
            nomination_closes_on=opens - timedelta(days=1),
            voting_opens_on=opens,
            voting_closes_on=opens + timedelta(days=7),
            max_choices=2,
        ),
        None,
    )
    return election, key


@pytest.fixture()
def world(session):
    house = make_house(session)
    chair = make_resident(session, house)
    make_committee(session, house, [(chair, Position.chair)], term_start=today() - timedelta(300))
    found = SimpleNamespace(
        house=house,
        chair=chair,
        resident=make_resident(session, house),
        management=make_staff(session, StaffKind.management),
    )
    session.commit()
    return found


def page(client, session, person, election: Election) -> str:
    response = client.login_as(session, person).get(f"/elections/{election.id}")
    assert response.status_code == 200
    return response.text


def test_before_the_nomination_it_says_when_it_opens(client, session, world):
    election, _key = _election(session, 40)
    session.commit()
    html = page(client, session, world.resident, election)
    assert [s.label for s in steps(html, STEPS)] == [fi(label) for label in LABELS]
    now = current_step(html, STEPS)
    assert now.label == fi("Nomination")
    assert fi("Opens on") in now.text and day(election.nomination_opens_on) in now.text


def test_during_the_nomination_standing_comes_first_and_withdrawing_is_confirmed(
    client, session, world
):
    election, _key = _election(session, 5)
    session.commit()
    html = page(client, session, world.chair, election)
    now = current_step(html, STEPS)
    assert now.label == fi("Nomination") and now.state == fi("Now")
    assert fi("Closes on") in now.text and day(election.nomination_closes_on) in now.text
    action = first_action(html)
    assert form_of(action).attrs["action"].endswith("/candidacy")
    assert "hds-button--primary" in action.classes

    url = f"/elections/{election.id}"
    assert client.submit(url + "/candidacy", {"presentation": "Kokenut."}).status_code == 303
    html = client.get(url).text
    assert first_action(html).text() == fi("Save the candidacy")
    withdraw = next(
        b
        for b in parse(html).find("main").find_all("button")
        if form_of(b).attrs["action"].endswith("/candidacy/withdraw")
    )
    assert "hds-button--secondary" in withdraw.classes and withdraw.inside("details")
    # Without the box ticked nothing is withdrawn, and the error shows in the open details.
    refused = client.submit(url + "/candidacy/withdraw", {})
    assert refused.status_code == 422
    assert 'id="error-confirm"' in refused.text
    assert "open" in parse(refused.text).find("details", "more-actions").attrs
    assert session.exec(select(ElectionCandidate)).all() != []
    done = client.submit(url + "/candidacy/withdraw", {"confirm": "on"})
    assert done.status_code == 303
    session.expire_all()
    assert session.exec(select(ElectionCandidate)).all() == []


def test_during_the_voting_the_ballot_comes_first(client, session, world):
    election, _key = _election(session, -2)
    session.commit()
    html = page(client, session, world.chair, election)
    shown = steps(html, STEPS)
    assert shown[0].state == fi("Done %(date)s", date=day(election.nomination_closes_on))
    now = current_step(html, STEPS)
    assert now.label == fi("Voting")
    assert fi("Closes on") in now.text and day(election.voting_closes_on) in now.text
    action = first_action(html)
    assert form_of(action).attrs["action"].endswith("/vote")
    assert "hds-button--primary" in action.classes


def test_after_the_voting_counting_comes_first_then_the_results(client, session, world):
    election, key = _election(session, -10)
    session.commit()
    assert service.phase(election, today()) == service.Phase.counting
    html = page(client, session, world.management, election)
    now = current_step(html, STEPS)
    assert now.label == fi("Counting")
    assert fi("With: %(holder)s", holder=fi("Haso's management")) in now.text
    action = first_action(html)
    assert form_of(action).attrs["action"].endswith("/count#count")
    assert "hds-button--primary" in action.classes

    counted = client.submit(f"/elections/{election.id}/count", {"counting_key": key})
    assert counted.status_code == 303
    html = page(client, session, world.resident, election)
    shown = steps(html, STEPS)
    assert shown[-1].current and shown[-1].label == fi("Results")
    assert "stepper__step--final" in shown[-1].classes
    assert all(says_done(s) for s in shown)
