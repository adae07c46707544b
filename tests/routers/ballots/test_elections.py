"""Election pages and API: creating, standing, voting with a receipt, the count, turnout."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlmodel import select

from app.deps import today
from app.models.ballots import (
    Election,
    ElectionBallot,
    ElectionCandidate,
    ElectionCreate,
    ElectionParticipation,
    ElectionSealedBallot,
)
from app.models.committees import CommitteeMember, Position, ResidentCommittee
from app.models.mail import Delivery
from app.models.people import StaffKind
from app.services.ballots import elections as service
from app.services.ballots import sealing
from app.services.ballots import voting as voting_service
from tests.support import (
    api_headers,
    fi,
    make_committee,
    make_house,
    make_person,
    make_resident,
    make_staff,
)


def _officers(session):
    house = make_house(session)
    chair = make_resident(session, house)
    vice = make_resident(session, house)
    make_committee(
        session,
        house,
        [(chair, Position.chair), (vice, Position.vice_chair)],
        term_start=today() - timedelta(days=300),
    )
    return SimpleNamespace(house=house, chair=chair, vice=vice)


# The counting key of each election made here, by id (the portal keeps none).
KEYS: dict[int, str] = {}


def _election(session, days_to_voting: int) -> Election:
    """An election whose voting opens in days_to_voting days (negative: already open)."""
    day = today()
    opens = day + timedelta(days=days_to_voting)
    election, KEYS[0] = service.create_election(
        session,
        ElectionCreate(
            title="Haso-yte 2026",
            nomination_opens_on=opens - timedelta(days=20),
            nomination_closes_on=opens - timedelta(days=1),
            voting_opens_on=opens,
            voting_closes_on=opens + timedelta(days=7),
            max_choices=2,
        ),
        None,
    )
    assert election.id is not None
    KEYS[election.id] = KEYS.pop(0)
    return election


def _close(session, election: Election) -> None:
    """Move the election's voting into the past: the votes await the count."""
    election.voting_closes_on = today() - timedelta(days=1)
    election.voting_opens_on = today() - timedelta(days=2)
    election.nomination_closes_on = today() - timedelta(days=3)
    session.add(election)
    session.commit()


@pytest.fixture()
def world(session):
    a, b, voters = _officers(session), _officers(session), _officers(session)
    voting = _election(session, -2)
    for officers in (a, b):
        candidate = ElectionCandidate(
            election_id=voting.id,
            person_id=officers.chair.id,
            house_id=officers.house.id,
            presentation="Esittely",
        )
        session.add(candidate)
        officers.candidate = candidate
    session.flush()
    people = SimpleNamespace(
        a=a,
        b=b,
        voters=voters,
        voting=voting,
        nominating=_election(session, 5),
        management=make_staff(session, StaffKind.management),
        resident=make_resident(session, voters.house),
    )
    session.commit()
    return people


def test_management_creates_an_election_and_bad_dates_are_shown_on_the_field(
    client, session, world
):
    client.login_as(session, world.management)
    assert client.get("/elections/new").status_code == 200
    day = today() + timedelta(days=40)
    form = {
        "purpose": "yte",
        "title": "Vaali",
        "min_choices": "1",
        "nomination_opens_on": day.isoformat(),
        "nomination_closes_on": (day + timedelta(days=10)).isoformat(),
        "voting_opens_on": (day + timedelta(days=5)).isoformat(),
        "voting_closes_on": (day + timedelta(days=12)).isoformat(),
    }
    response = client.submit("/elections/new", form)
    assert response.status_code == 422
    assert 'id="error-voting_opens_on"' in response.text
    assert fi("The voting must open after the nomination has closed.") in response.text
    form["voting_opens_on"] = (day + timedelta(days=11)).isoformat()
    response = client.submit("/elections/new", form)
    # The counting key is shown this once, never cached, never stored.
    assert response.status_code == 201
    assert response.headers["cache-control"] == "no-store"
    key = re.search(r'id="counting-key">([0-9A-Z-]+)<', response.text)
    assert key is not None and len(key.group(1)) == 29
    created = session.exec(select(Election).where(Election.title == "Vaali")).one()
    assert created.seats == 10 and created.max_choices == 6
    assert key.group(1) not in str(created.model_dump())
    assert created.locked_private_key is not None
    sealing.unlock(created.locked_private_key, key.group(1))  # the key opens the locked key
    page = client.get(f"/elections/{created.id}")
    assert "Vaali" in page.text and key.group(1) not in page.text


def test_a_chair_stands_during_the_nomination(client, session, world):
    chair = world.voters.chair
    client.login_as(session, chair)
    url = f"/elections/{world.nominating.id}"
    assert "presentation" in client.get(url).text
    response = client.submit(url + "/candidacy", {"presentation": ""})
    assert response.status_code == 422
    assert fi("Write a short presentation of yourself.") in response.text
    response = client.submit(url + "/candidacy", {"presentation": "Pitkä kokemus."})
    assert response.status_code == 303
    assert "Pitkä kokemus." in client.get(url).text
    client.login_as(session, world.resident)
    assert client.submit(url + "/candidacy", {"presentation": "x"}).status_code == 403


def test_voting_gives_a_receipt_once_and_refuses_a_second_vote(client, session, world):
    url = f"/elections/{world.voting.id}"
    client.login_as(session, world.voters.vice)
    page = client.get(url)
    assert 'name="candidate"' in page.text
    marked = {"house_id": str(world.voters.house.id)}
    too_many = [str(world.a.candidate.id), str(world.b.candidate.id), "999999"]
    response = client.submit(url + "/vote", marked | {"candidate": too_many})
    assert response.status_code == 422
    assert fi("Mark between %(min)s and %(max)s candidates.", min=1, max=2) in response.text
    assert session.exec(select(ElectionSealedBallot)).all() == []

    response = client.submit(url + "/vote", marked | {"candidate": [str(world.a.candidate.id)]})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    receipt = re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", response.text)
    assert receipt is not None

    client.login_as(session, world.voters.chair)
    assert 'name="candidate"' not in client.get(url).text
    response = client.submit(url + "/vote", marked | {"candidate": [str(world.b.candidate.id)]})
    assert response.status_code == 422
    assert fi("This house has already voted; a cast vote cannot be changed.") in response.text
    assert len(session.exec(select(ElectionSealedBallot)).all()) == 1
    assert session.exec(select(ElectionBallot)).all() == []

    # The receipt is inside the seal: it can be checked once the votes are counted.
    early = client.submit(url + "/receipt", {"receipt": receipt.group(0)})
    assert early.status_code == 422
    assert fi("Receipts can be checked once the votes have been counted.") in early.text
    _close(session, world.voting)
    client.login_as(session, world.management)
    counted = client.submit(url + "/count", {"counting_key": KEYS[world.voting.id]})
    assert counted.status_code == 303
    client.login_as(session, world.voters.chair)
    checked = client.submit(url + "/receipt", {"receipt": receipt.group(0)})
    assert fi("A ballot with this receipt code was counted.") in checked.text
    checked = client.submit(url + "/receipt", {"receipt": "AAAA-BBBB-CCCC-DDDD"})
    assert fi("No ballot with this receipt code was found.") in checked.text


def test_a_resident_cannot_vote_on_the_houses_behalf(client, session, world):
    client.login_as(session, world.resident)
    url = f"/elections/{world.voting.id}"
    assert 'name="candidate"' not in client.get(url).text
    response = client.submit(
        url + "/vote",
        {"house_id": str(world.voters.house.id), "candidate": [str(world.a.candidate.id)]},
    )
    assert response.status_code == 422
    assert session.exec(select(ElectionParticipation)).all() == []


def test_turnout_is_for_management_and_the_count_waits_for_the_close(client, session, world):
    voting_service.cast_vote(
        session,
        world.voting,
        world.voters.chair.id,
        world.voters.house.id,
        [world.a.candidate.id],
        today(),
    )
    session.commit()
    url = f"/elections/{world.voting.id}"
    client.login_as(session, world.voters.chair)
    assert 'id="turnout"' not in client.get(url).text
    assert client.submit(url + "/count").status_code == 403
    client.login_as(session, world.management)
    assert 'id="turnout"' in client.get(url).text
    key = {"counting_key": KEYS[world.voting.id]}
    assert client.submit(url + "/count", key).status_code == 422  # the voting is still open
    _close(session, world.voting)
    page = client.get(url)
    assert 'name="counting_key"' in page.text
    for wrong in ({}, {"counting_key": "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF"}):
        refused = client.submit(url + "/count", wrong)
        assert refused.status_code == 422 and 'id="error-counting_key"' in refused.text
    assert world.voting.counted_at is None
    assert client.submit(url + "/count", key).status_code == 303
    page = client.get(url)
    assert world.voting.lot_seed and world.voting.lot_seed in page.text
    assert world.a.chair.name in page.text


def test_api_lists_casts_and_guards_turnout(client, session, world):
    headers = api_headers(session, world.voters.chair)
    listed = client.get("/api/v1/elections", headers=headers)
    assert listed.status_code == 200
    assert {e["id"] for e in listed.json()} >= {world.voting.id, world.nominating.id}
    url = f"/api/v1/elections/{world.voting.id}"
    assert client.get(url + "/turnout", headers=headers).status_code == 403
    body = {"house_id": world.voters.house.id, "candidate_ids": [world.b.candidate.id]}
    response = client.post(url + "/ballots", json=body, headers=headers)
    assert response.status_code == 201
    receipt = response.json()["receipt"]
    again = client.post(url + "/ballots", json=body, headers=headers)
    assert again.status_code == 422
    check = client.post(url + "/receipts/check", json={"receipt": receipt}, headers=headers)
    assert check.status_code == 422  # sealed until the count
    manager = api_headers(session, world.management)
    turnout = client.get(url + "/turnout", headers=manager)
    assert turnout.status_code == 200 and turnout.json()["voted"] == 1
    key = {"counting_key": KEYS[world.voting.id]}
    assert client.post(url + "/count", json=key, headers=headers).status_code == 403
    assert client.post(url + "/count", json=key, headers=manager).status_code == 422  # still open
    _close(session, world.voting)
    wrong = {"counting_key": "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF"}
    refused = client.post(url + "/count", json=wrong, headers=manager)
    assert refused.status_code == 422 and "counting_key" in refused.text
    counted = client.post(url + "/count", json=key, headers=manager)
    assert counted.status_code == 200 and counted.json()["ballots_counted"] == 1
    check = client.post(url + "/receipts/check", json={"receipt": receipt}, headers=headers)
    assert check.json() == {"found": True}


def test_a_chair_names_a_committee_member_from_a_list_to_cast_the_vote(client, session, world):
    house = world.voters.house
    member = make_resident(session, house, make_person(session, name="Sanni Sihteeri"))
    committee = session.exec(
        select(ResidentCommittee).where(ResidentCommittee.house_id == house.id)
    ).one()
    session.add(CommitteeMember(committee_id=committee.id, person_id=member.id))
    session.commit()
    client.login_as(session, world.voters.chair)
    url = f"/elections/{world.voting.id}"
    page = client.get(url).text
    # The choice is the committee's other members by name: no numbers to look up.
    assert f'<option value="{member.id}">Sanni Sihteeri</option>' in page
    assert f'<option value="{world.resident.id}"' not in page
    refused = client.submit(
        url + "/delegate", {"house_id": str(house.id), "person_id": str(world.resident.id)}
    )
    assert refused.status_code == 422
    assert 'id="error-person_id"' in refused.text
    assert fi("Choose a member of the house's committee to cast its vote.") in refused.text
    chosen = {"house_id": str(house.id), "person_id": str(member.id)}
    named = client.submit(url + "/delegate", chosen)
    assert named.status_code == 303
    shown = fi("%(house)s: %(name)s has been named to cast the vote.")
    assert shown % {"house": house.name, "name": "Sanni Sihteeri"} in client.get(url).text
    # The named member must act next, and is told.
    told = session.exec(select(Delivery).where(Delivery.person_id == member.id)).all()
    assert len(told) == 1 and house.name in told[0].subject
