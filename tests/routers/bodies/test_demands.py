"""Demand pages: the house's voters start and sign demands on the house's page, a signer
withdraws; renters, household members and other houses' residents cannot; bad input is refused
at its field in the user's language; the new-meeting page carries the demanded matters, the
meeting answers the demand, and the front page and compliance show it meanwhile."""

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from markupsafe import escape
from sqlmodel import select

from app import i18n
from app.deps import today
from app.models.committees import Position
from app.models.demands import MeetingDemand, MeetingDemandCreate, MeetingDemandSignature
from app.models.houses import House, Tenure
from app.models.meetings import ResidentMeeting
from app.models.people import Language, Person
from app.services.bodies import demands
from tests.support import PortalClient, fi, make_committee, make_house, make_manager, make_resident


def sv(message: str, **params) -> str:
    """A message as a Swedish-speaking user sees it."""
    with i18n.use_language("sv"):
        return i18n.gettext(message, **params)


@dataclass
class World:
    house: House
    voters: list[Person]  # twelve: two signatures needed
    chair: Person
    renter: Person
    household_member: Person
    manager: Person
    outsider: Person  # a voter of another house


@pytest.fixture()
def world(session) -> World:
    house = make_house(session, name="Koivukuja")
    voters = [make_resident(session, house) for _ in range(12)]
    chair = voters[11]
    make_committee(session, house, [(chair, Position.chair)])
    renter = make_resident(session, house, tenure=Tenure.renter)
    household_member = make_resident(session, house, tenure=Tenure.household_member)
    manager = make_manager(session, house)
    outsider = make_resident(session, make_house(session, name="Vaahterakuja"))
    session.commit()
    return World(house, voters, chair, renter, household_member, manager, outsider)


def start(session, world: World, by: Person | None = None, matter: str = "Pihan valaistus"):
    demand = demands.start(
        session,
        world.house.id,
        MeetingDemandCreate(matter=matter),
        (by or world.voters[0]).id,
        today(),
    )
    session.commit()
    return demand


def signatures(session, demand) -> int:
    return demands.signature_count(session, demand.id)


def needed_text(signed: int, needed: int) -> str:
    with i18n.use_language("fi"):
        return i18n.ngettext(
            "%(signatures)s of %(num)s signature needed",
            "%(signatures)s of %(num)s signatures needed",
            needed,
            signatures=signed,
        )


def test_a_voter_starts_a_demand_from_the_house_page(client, session, world):
    client.login_as(session, world.voters[0])
    page = client.get(f"/houses/{world.house.id}")
    assert f'href="/houses/{world.house.id}/meeting-demands/new"' in page.text
    assert fi("Demand a resident meeting") in page.text
    form = client.get(f"/houses/{world.house.id}/meeting-demands/new")
    assert form.status_code == 200
    assert 'name="matter"' in form.text
    response = client.submit(
        f"/houses/{world.house.id}/meeting-demands/new",
        {"matter": "Pihan valaistus\nToimikunnan täydentäminen"},
    )
    assert response.status_code == 303
    demand = session.exec(select(MeetingDemand)).one()
    assert response.headers["location"] == f"/meeting-demands/{demand.id}"
    assert demand.matter == "Pihan valaistus\nToimikunnan täydentäminen"
    assert signatures(session, demand) == 1
    detail = client.get(f"/meeting-demands/{demand.id}")
    assert "Pihan valaistus\nToimikunnan täydentäminen" in detail.text
    assert needed_text(1, 2) in detail.text
    assert fi("Withdraw my signature") in detail.text
    house_page = client.get(f"/houses/{world.house.id}")
    assert needed_text(1, 2) in house_page.text
    assert f'href="/meeting-demands/{demand.id}"' in house_page.text


def test_another_voter_signs_on_the_house_page_and_it_becomes_due(client, session, world):
    demand = start(session, world)
    client.login_as(session, world.voters[1])
    page = client.get(f"/houses/{world.house.id}")
    assert f'action="/meeting-demands/{demand.id}/sign"' in page.text
    response = client.submit(f"/meeting-demands/{demand.id}/sign", {"back": "house"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/houses/{world.house.id}#meeting-demands"
    again = client.submit(f"/meeting-demands/{demand.id}/sign", {"back": "house"})
    assert again.status_code == 303  # signing twice changes nothing
    assert signatures(session, demand) == 2
    session.refresh(demand)
    assert demand.due_at is not None
    page = client.get(f"/meeting-demands/{demand.id}")
    assert fi("Demand made: the meeting must be convened") in page.text


def test_a_signer_withdraws_and_the_count_goes_down(client, session, world):
    world.voters += [make_resident(session, world.house) for _ in range(9)]  # 21: three needed
    demand = start(session, world)
    demands.sign(session, demand, world.voters[1].id, today())
    session.commit()
    page = client.login_as(session, world.voters[1]).get(f"/meeting-demands/{demand.id}")
    assert needed_text(2, 3) in page.text
    response = client.submit(f"/meeting-demands/{demand.id}/withdraw")
    assert response.status_code == 303
    assert response.headers["location"] == f"/meeting-demands/{demand.id}"
    assert signatures(session, demand) == 1
    page = client.get(f"/meeting-demands/{demand.id}")
    assert needed_text(1, 3) in page.text
    assert f'action="/meeting-demands/{demand.id}/sign"' in page.text


@pytest.mark.parametrize("who", ["renter", "household_member", "manager"])
def test_a_non_voter_of_the_house_is_told_why_not(client, session, world, who):
    demand = start(session, world)
    person = getattr(world, who)
    client.login_as(session, person)
    page = client.get(f"/houses/{world.house.id}")
    assert f'action="/meeting-demands/{demand.id}/sign"' not in page.text
    assert f"/houses/{world.house.id}/meeting-demands/new" not in page.text
    reason = str(escape(fi(demands.NOT_A_VOTER)))
    response = client.submit(f"/meeting-demands/{demand.id}/sign")
    assert response.status_code == 403
    assert reason in response.text
    form = client.get(f"/houses/{world.house.id}/meeting-demands/new")
    assert form.status_code == 403 and reason in form.text and 'name="matter"' not in form.text
    refused = client.submit(f"/houses/{world.house.id}/meeting-demands/new", {"matter": "Sauna"})
    assert refused.status_code == 403 and reason in refused.text
    assert signatures(session, demand) == 1
    assert len(session.exec(select(MeetingDemand)).all()) == 1


def test_a_renter_sees_the_demands_but_no_button(client, session, world):
    start(session, world)
    client.login_as(session, world.renter)
    page = client.get(f"/houses/{world.house.id}")
    assert needed_text(1, 2) in page.text
    reason = fi(
        "Only those entitled to vote in the house (right-of-occupancy holders, co-holders and "
        "holders' spouses or partners aged 18 or over) can demand a meeting and sign demands."
    )
    assert reason in page.text  # a template's own text: Jinja leaves a translation as it is


def test_another_houses_resident_is_refused_outright(client, session, world):
    demand = start(session, world)
    client.login_as(session, world.outsider)
    assert client.get(f"/meeting-demands/{demand.id}").status_code == 403
    assert client.submit(f"/meeting-demands/{demand.id}/sign").status_code == 403
    assert client.submit(f"/meeting-demands/{demand.id}/withdraw").status_code == 403
    assert client.get(f"/houses/{world.house.id}/meeting-demands/new").status_code == 403
    page = client.get(f"/houses/{world.house.id}")
    assert page.status_code == 200 and "meeting-demands" not in page.text
    assert signatures(session, demand) == 1


def test_a_missing_demand_is_404(client, session, world):
    client.login_as(session, world.voters[0])
    assert client.get("/meeting-demands/999999").status_code == 404


@pytest.mark.parametrize(
    ("matter", "reason"),
    [
        ("", "This field is required."),
        ("   \n ", "This field is required."),
        ("x" * 2001, "Enter at most %(n)s characters."),
    ],
)
@pytest.mark.parametrize("language", ["fi", "sv"])
def test_bad_input_is_refused_at_the_field_in_the_users_language(
    client, session, world, matter, reason, language
):
    person = world.voters[0]
    person.language = Language(language)
    session.add(person)
    session.commit()
    client.login_as(session, person)
    response = client.submit(f"/houses/{world.house.id}/meeting-demands/new", {"matter": matter})
    assert response.status_code == 422
    expected = (fi if language == "fi" else sv)(reason, n=2000)
    error = re.search(r'id="error-matter">([^<]*)<', response.text)
    assert error is not None and error.group(1) == str(escape(expected))
    assert 'aria-invalid="true"' in response.text
    assert session.exec(select(MeetingDemand)).all() == []


def test_the_new_meeting_page_carries_the_demanded_matters_and_convening_answers_them(
    client, session, world
):
    demand = start(session, world, matter="Pihan valaistus")
    demands.sign(session, demand, world.voters[1].id, today())
    session.commit()
    client.login_as(session, world.chair)
    form = client.get(f"/houses/{world.house.id}/meetings/new")
    assert form.status_code == 200
    assert f'href="/meeting-demands/{demand.id}"' in form.text
    agenda = re.search(r'<textarea[^>]*name="agenda"[^>]*>([^<]*)</textarea>', form.text)
    assert agenda is not None
    assert agenda.group(1) == fi("Matters demanded by the residents:") + "\n- Pihan valaistus"
    day = today()
    response = client.submit(
        f"/houses/{world.house.id}/meetings/new",
        {
            "starts_on": (day + timedelta(days=21)).isoformat(),
            "starts_time": "18:00",
            "place": "Kerhohuone",
            "invitation_on": (day + timedelta(days=1)).isoformat(),
            "agenda": agenda.group(1),
        },
    )
    assert response.status_code == 303
    meeting = session.exec(select(ResidentMeeting)).one()
    session.refresh(demand)
    assert demand.convened_meeting_id == meeting.id and demand.closed_at is not None
    meeting_page = client.get(f"/meetings/{meeting.id}")
    assert f'href="/meeting-demands/{demand.id}"' in meeting_page.text
    demand_page = client.get(f"/meeting-demands/{demand.id}")
    assert f'href="/meetings/{meeting.id}"' in demand_page.text
    assert fi("Meeting convened") in demand_page.text
    assert "/sign" not in demand_page.text and "/withdraw" not in demand_page.text
    closed = client.submit(f"/meeting-demands/{demand.id}/withdraw")
    assert closed.status_code == 422
    house_page = client.get(f"/houses/{world.house.id}")
    assert f'href="/meeting-demands/{demand.id}"' not in house_page.text  # open ones only


def test_the_organisers_see_who_signed(client, session, world):
    demand = start(session, world)
    client.login_as(session, world.chair)
    page = client.get(f"/meeting-demands/{demand.id}")
    assert world.voters[0].name in page.text
    client.login_as(session, world.voters[1])
    page = client.get(f"/meeting-demands/{demand.id}")
    assert world.voters[0].name not in page.text


def test_the_front_page_and_compliance_show_a_due_demand(session, app, world):
    demand = start(session, world, matter="Pihan valaistus")
    demands.sign(session, demand, world.voters[1].id, today())
    session.commit()
    with PortalClient(app) as chair:
        chair.login_as(session, world.chair)
        front = chair.get("/")
        assert f'href="/houses/{world.house.id}/meetings/new"' in front.text
        assert "Pihan valaistus" in front.text
    with PortalClient(app) as manager:
        manager.login_as(session, world.manager)
        page = manager.get("/compliance")
        assert page.status_code == 200
        assert f'href="/meeting-demands/{demand.id}"' in page.text
    signed = session.exec(
        select(MeetingDemandSignature.person_id).where(
            MeetingDemandSignature.demand_id == demand.id
        )
    ).all()
    assert sorted(signed) == sorted([world.voters[0].id, world.voters[1].id])
