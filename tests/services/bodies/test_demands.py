"""Residents' demands for a resident meeting: the tenth of the voters (rounded up, counted at each
signature), who counts, signing and withdrawing, the mail to the committee and the manager sent
once over a real SMTP server, and the meeting that answers the demand."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import select

from app import i18n
from app.errors import ValidationFailed
from app.models.audit import AuditEntry
from app.models.committees import Position
from app.models.demands import DemandStatus, MeetingDemandCreate, MeetingDemandSignature
from app.models.houses import Tenure
from app.models.mail import Delivery
from app.models.meetings import MeetingCreate
from app.models.people import Language
from app.services.bodies import demands
from app.services.bodies import meetings as meetings_service
from app.services.mail import delivery as mail_service
from tests.support import make_committee, make_house, make_manager, make_person, make_resident

TODAY = date(2027, 3, 1)
NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
MATTER = MeetingDemandCreate(matter="Pihan valaistuksen uusiminen")


@pytest.fixture(autouse=True)
def english():
    """Messages and dates in English, whatever catalogues exist."""
    with i18n.use_language("en"):
        yield


def voters(session, house, n: int) -> list:
    """n adult holders of the house, each in an apartment of their own."""
    return [make_resident(session, house) for _ in range(n)]


def count(session, demand) -> int:
    return demands.signature_count(session, demand.id)


@pytest.mark.parametrize(
    ("voters_in_house", "needed"),
    [(1, 1), (9, 1), (10, 1), (11, 2), (20, 2), (21, 3), (25, 3), (30, 3), (31, 4), (100, 10)],
)
def test_a_tenth_of_the_voters_rounded_up(voters_in_house, needed):
    assert demands.needed_for(voters_in_house) == needed


def test_twenty_five_voters_need_three_signatures(session):
    house = make_house(session)
    people = voters(session, house, 25)
    demand = demands.start(session, house.id, MATTER, people[0].id, TODAY, NOW)
    assert demand.due_at is None
    assert demands.sign(session, demand, people[1].id, TODAY, NOW) is True
    view = demands.view(session, demand, people[1].id, TODAY)
    assert (view.signatures, view.voters, view.needed, view.missing) == (2, 25, 3, 1)
    assert view.status == DemandStatus.collecting and view.signed
    later = NOW + timedelta(hours=2)
    demands.sign(session, demand, people[2].id, TODAY, later)
    assert demand.due_at == later
    assert demands.status(demand) == DemandStatus.due


def test_only_entitled_adults_living_there_count_as_voters(session):
    house = make_house(session)
    holder = make_resident(session, house, apartment="A 1")
    make_resident(session, house, apartment="A 1", tenure=Tenure.co_holder)
    make_resident(session, house, apartment="A 1", tenure=Tenure.spouse)
    make_resident(session, house, apartment="A 2", tenure=Tenure.renter)
    make_resident(session, house, apartment="A 1", tenure=Tenure.household_member)
    child = make_person(session, birth_date=TODAY - timedelta(days=17 * 365))
    make_resident(session, house, child, apartment="A 3")  # a holder under 18
    unknown_age = make_person(session, birth_date=None)
    make_resident(session, house, unknown_age, apartment="A 4")
    moved_out = make_resident(session, house, apartment="A 5", ends_on=TODAY - timedelta(days=1))
    not_yet = make_resident(session, house, apartment="A 6", starts_on=TODAY + timedelta(days=1))
    inactive = make_person(session, is_active=False)
    make_resident(session, house, inactive, apartment="A 7")
    elsewhere = make_resident(session, make_house(session))
    found = demands.voter_ids(session, house.id, TODAY)
    assert len(found) == 3 and holder.id in found
    assert not {child.id, unknown_age.id, moved_out.id, not_yet.id, elsewhere.id} & found


def test_the_voters_are_counted_at_each_signature(session):
    house = make_house(session)
    people = voters(session, house, 20)  # two signatures needed
    demand = demands.start(session, house.id, MATTER, people[0].id, TODAY, NOW)
    newcomer = make_resident(session, house, starts_on=TODAY)  # 21 voters: three needed now
    demands.sign(session, demand, people[1].id, TODAY, NOW)
    assert demand.due_at is None
    demands.sign(session, demand, newcomer.id, TODAY, NOW)
    assert demand.due_at is not None


def test_a_house_of_ten_voters_or_fewer_needs_only_the_first_signature(session):
    house = make_house(session)
    people = voters(session, house, 10)
    demand = demands.start(session, house.id, MATTER, people[0].id, TODAY, NOW)
    assert demand.due_at == NOW and count(session, demand) == 1


def test_a_renter_and_a_household_member_cannot_start_or_sign(session):
    house = make_house(session)
    people = voters(session, house, 12)
    renter = make_resident(session, house, tenure=Tenure.renter)
    member = make_resident(session, house, tenure=Tenure.household_member)
    for person in (renter, member):
        with pytest.raises(demands.NotAVoter) as refused:
            demands.start(session, house.id, MATTER, person.id, TODAY, NOW)
        assert "Renters and other household members cannot" in refused.value.message
    demand = demands.start(session, house.id, MATTER, people[0].id, TODAY, NOW)
    for person in (renter, member):
        with pytest.raises(demands.NotAVoter):
            demands.sign(session, demand, person.id, TODAY, NOW)
    assert count(session, demand) == 1 and demand.due_at is None


def test_another_houses_voter_cannot_sign(session):
    house = make_house(session)
    people = voters(session, house, 12)
    outsider = make_resident(session, make_house(session))
    demand = demands.start(session, house.id, MATTER, people[0].id, TODAY, NOW)
    with pytest.raises(demands.NotAVoter):
        demands.sign(session, demand, outsider.id, TODAY, NOW)


def test_signing_twice_changes_nothing(session):
    house = make_house(session)
    people = voters(session, house, 30)
    demand = demands.start(session, house.id, MATTER, people[0].id, TODAY, NOW)
    assert demands.sign(session, demand, people[0].id, TODAY, NOW) is False
    assert demands.sign(session, demand, people[1].id, TODAY, NOW) is True
    assert demands.sign(session, demand, people[1].id, TODAY, NOW) is False
    assert count(session, demand) == 2


def test_withdrawing_lowers_the_count_and_the_last_one_closes_it(session):
    house = make_house(session)
    people = voters(session, house, 30)
    demand = demands.start(session, house.id, MATTER, people[0].id, TODAY, NOW)
    demands.sign(session, demand, people[1].id, TODAY, NOW)
    assert count(session, demand) == 2
    assert demands.withdraw(session, demand, people[1].id, NOW) is True
    assert count(session, demand) == 1
    assert demands.view(session, demand, people[1].id, TODAY).signed is False
    assert demands.withdraw(session, demand, people[1].id, NOW) is False  # nothing to take
    assert demands.status(demand) == DemandStatus.collecting
    demands.withdraw(session, demand, people[0].id, NOW)
    assert demands.status(demand) == DemandStatus.withdrawn
    with pytest.raises(ValidationFailed):
        demands.sign(session, demand, people[2].id, TODAY, NOW)
    logged = session.exec(
        select(AuditEntry.action).where(AuditEntry.entity == "meeting_demand_signature")
    ).all()
    assert sorted(logged) == ["create", "create", "delete", "delete"]


def test_a_due_demand_stays_due_when_a_signature_is_withdrawn(session):
    house = make_house(session)
    people = voters(session, house, 5)
    demand = demands.start(session, house.id, MATTER, people[0].id, TODAY, NOW)
    assert demands.withdraw(session, demand, people[0].id, NOW) is True
    assert demands.status(demand) == DemandStatus.due and count(session, demand) == 0


@pytest.mark.parametrize(("matter", "reason"), [("   ", "This field is required.")])
def test_an_empty_matter_is_refused_at_its_field(session, matter, reason):
    house = make_house(session)
    people = voters(session, house, 3)
    with pytest.raises(ValidationFailed) as refused:
        demands.start(session, house.id, MeetingDemandCreate(matter=matter), people[0].id, TODAY)
    assert refused.value.errors == {"matter": reason}


def committee_house(session):
    """Twelve voters (two signatures needed), a committee of two of them and a manager."""
    house = make_house(session, name="Koivukuja")
    people = voters(session, house, 12)
    chair, member = people[10], people[11]
    make_committee(
        session,
        house,
        [(chair, Position.chair), (member, Position.member)],
        term_start=TODAY - timedelta(days=100),
    )
    manager = make_manager(session, house)
    manager.language = Language.sv
    session.add(manager)
    session.flush()
    return house, people, chair, member, manager


def test_the_committee_and_the_manager_are_mailed_once_when_it_becomes_due(
    session, connection, smtp
):
    house, people, chair, member, manager = committee_house(session)
    matter = MeetingDemandCreate(matter="Pihan valaistus\nToimikunnan täydentäminen")
    demand = demands.start(session, house.id, matter, people[0].id, TODAY, NOW)
    session.commit()
    mail_service.send_pending(connection)
    assert smtp.messages == []  # one of two: nobody told yet
    demands.sign(session, demand, people[1].id, TODAY, NOW)
    demands.sign(session, demand, people[2].id, TODAY, NOW)  # after it is due: no more mail
    session.commit()
    mail_service.send_pending(connection)
    mail_service.send_pending(connection)
    for person in (chair, member, manager):
        assert len(smtp.to(person.email)) == 1, person.email
    assert len(smtp.messages) == 3
    assert not smtp.to(people[0].email) and not smtp.to(people[1].email)
    message = smtp.to(chair.email)[0]
    assert "Koivukuja" in str(message["Subject"])
    text = smtp.text_of(message).replace("\r\n", "\n")
    assert "Pihan valaistus\nToimikunnan täydentäminen" in text
    assert "Talon 12 äänioikeutetusta 2 on allekirjoittanut vaatimuksen" in text  # in Finnish
    assert f"/houses/{house.id}/meetings/new" in text
    assert f"/meeting-demands/{demand.id}" in text
    languages = dict(
        session.exec(
            select(Delivery.recipient, Delivery.language).where(
                Delivery.message_key == demands.due_key(demand)
            )
        ).all()
    )
    assert languages == {chair.email: "fi", member.email: "fi", manager.email: "sv"}


def test_a_house_without_committee_or_manager_tells_management(session):
    from app.models.people import StaffKind
    from tests.support import make_staff

    house = make_house(session)
    people = voters(session, house, 3)
    management = make_staff(session, StaffKind.management)
    demand = demands.start(session, house.id, MATTER, people[0].id, TODAY, NOW)
    recipients = session.exec(
        select(Delivery.recipient).where(Delivery.message_key == demands.due_key(demand))
    ).all()
    assert recipients == [management.email]


def meeting_on(day: date) -> MeetingCreate:
    return MeetingCreate(
        starts_at=datetime.combine(day, time(18, 0)),
        place="Kerhohuone",
        invitation_on=TODAY,
        agenda="1. Avaus",
    )


def test_convening_a_meeting_after_it_became_due_closes_the_demand(session):
    house, people, chair, _member, _manager = committee_house(session)
    due = demands.start(session, house.id, MATTER, people[0].id, TODAY, NOW)
    demands.sign(session, due, people[1].id, TODAY, NOW)
    collecting = demands.start(
        session, house.id, MeetingDemandCreate(matter="Sauna"), people[2].id, TODAY, NOW
    )
    other_house = make_house(session)
    elsewhere = demands.start(
        session, other_house.id, MATTER, make_resident(session, other_house).id, TODAY, NOW
    )
    assert [d.id for d, _h in demands.open_due(session, {house.id})] == [due.id]
    later = NOW + timedelta(hours=1)
    meeting = meetings_service.create(
        session, house.id, meeting_on(TODAY + timedelta(days=20)), chair.id, TODAY, later
    )
    assert due.convened_meeting_id == meeting.id and due.closed_at == later
    assert demands.status(due) == DemandStatus.convened
    assert collecting.closed_at is None  # not yet demanded: still collecting
    assert elsewhere.closed_at is None  # another house's
    assert demands.open_due(session, {house.id}) == []
    assert [d.id for d in demands.answered_by(session, meeting.id)] == [due.id]
    with pytest.raises(ValidationFailed):
        demands.withdraw(session, due, people[0].id, later)


def test_the_demanded_matters_start_the_agenda(session):
    house = make_house(session)
    people = voters(session, house, 2)
    first = demands.start(
        session, house.id, MeetingDemandCreate(matter=" Piha\n\nValaistus "), people[0].id, TODAY
    )
    second = demands.start(
        session, house.id, MeetingDemandCreate(matter="Sauna"), people[1].id, TODAY
    )
    assert demands.agenda_prefill([first, second]) == (
        "Matters demanded by the residents:\n- Piha\n  Valaistus\n- Sauna"
    )
    assert demands.agenda_prefill([]) == ""


def test_a_matter_in_one_short_line():
    assert demands.summarise("Sauna") == "Sauna"
    assert demands.summarise("Piha\nValaistus") == "Piha…"
    long = "sana " * 30
    short = demands.summarise(long)
    assert short.endswith("…") and len(short) <= demands.SUMMARY_LENGTH + 1


def test_one_signature_row_per_person(session):
    house = make_house(session)
    people = voters(session, house, 30)
    demand = demands.start(session, house.id, MATTER, people[0].id, TODAY, NOW)
    demands.sign(session, demand, people[0].id, TODAY, NOW)
    rows = session.exec(
        select(MeetingDemandSignature).where(MeetingDemandSignature.demand_id == demand.id)
    ).all()
    assert [r.person_id for r in rows] == [people[0].id]
    assert [p.id for p, _at in demands.signers(session, demand.id)] == [people[0].id]
