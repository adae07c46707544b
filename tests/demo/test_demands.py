"""The demo's demand for a resident meeting: open in one of the demo property manager's houses,
one signature short of a tenth of its voters, nobody told yet, loaded once."""

from sqlmodel import select

from app.demo import load as demo
from app.deps import today
from app.models.demands import DemandStatus, MeetingDemand
from app.models.houses import House
from app.models.mail import Delivery
from app.models.people import Person
from app.services.bodies import demands


def test_the_demo_has_an_open_demand_a_signature_short(session):
    demo.load(session)
    [demand] = session.exec(select(MeetingDemand)).all()
    item = demands.view(session, demand, None, today())
    assert item.status == DemandStatus.collecting
    assert item.needed >= 2 and item.missing == 1
    assert item.signatures == item.needed - 1
    house = session.get(House, demand.house_id)
    manager = session.exec(select(Person).where(Person.email == "juha.makinen@demo.example")).one()
    assert house is not None and house.property_manager_id == manager.id
    signers = [person for person, _at in demands.signers(session, demand.id)]
    assert all(p.id in demands.voter_ids(session, house.id, today()) for p in signers)
    assert signers[0].id == demand.started_by_id and signers[0].email
    assert (
        session.exec(select(Delivery).where(Delivery.message_key.like("meeting-demand%"))).all()
        == []
    )
    assert "nothing was added" in demo.load(session)
    assert len(session.exec(select(MeetingDemand)).all()) == 1
