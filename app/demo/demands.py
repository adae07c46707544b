"""Demo data: one house's residents collecting signatures for a resident meeting.

The demand is in a house of the demo property manager's with enough voters that it needs two
signatures or more (a tenth, rounded up), and has one fewer: its page and the house's page show
it open, a signature short, and nobody has been told yet. Loaded again, it is found by its
matter and left as it is.
"""

from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from app.demo import plan as demo_plan
from app.models.demands import MeetingDemand, MeetingDemandSignature
from app.models.houses import House
from app.models.people import Person
from app.services.bodies import demands as demands_service

MATTER = (
    "Pihan leikkipaikan ja valaistuksen uusiminen ennen kesää: mitä uusitaan, missä "
    "järjestyksessä ja miten kustannukset näkyvät käyttövastikkeessa.\n"
    "Asukastoimikunnan täydentäminen kahdella jäsenellä."
)
STARTED_DAYS_AGO = 4


def _manager_email() -> str:
    """The demo login of the property manager: the demand is in one of their houses."""
    people = demo_plan.seed_json("people.json")
    return next(p["email"] for p in people["staff"] if p.get("login") == "Property manager")


def load(
    session: Session,
    houses: dict[str, House],
    added: dict[str, int],
    today: date,
    now: datetime,
) -> None:
    """The demo's open demand, unless it is there already."""
    if session.exec(select(MeetingDemand.id).where(MeetingDemand.matter == MATTER)).first():
        return
    manager = session.exec(select(Person).where(Person.email == _manager_email())).first()
    everyone = sorted((h for h in houses.values() if h.id is not None), key=lambda h: h.code)
    theirs = [h for h in everyone if manager is not None and h.property_manager_id == manager.id]
    best: tuple[House, list[int]] | None = None
    for group in (theirs, everyone):  # one of the manager's houses when one has enough voters
        for house in group:
            assert house.id is not None
            voters = sorted(demands_service.voter_ids(session, house.id, today))
            enough = demands_service.needed_for(len(voters)) >= 2
            if enough and (best is None or len(voters) > len(best[1])):
                best = (house, voters)
        if best is not None:
            break
    if best is None:
        return
    house, voters = best
    # Signers who could have signed in the portal: people with an email (and a login) first.
    found = session.exec(select(Person.id, Person.email).where(col(Person.id).in_(voters)))
    emails = dict(found.all())
    voters.sort(key=lambda person_id: (emails.get(person_id) is None, person_id))
    signers = voters[: demands_service.needed_for(len(voters)) - 1]
    started = now - timedelta(days=STARTED_DAYS_AGO)
    assert house.id is not None
    demand = MeetingDemand(
        house_id=house.id, matter=MATTER, started_by_id=signers[0], created_at=started
    )
    session.add(demand)
    session.flush()
    assert demand.id is not None
    session.add_all(
        MeetingDemandSignature(
            demand_id=demand.id, person_id=person_id, signed_at=started + timedelta(hours=n)
        )
        for n, person_id in enumerate(signers)
    )
    session.flush()
    added["meeting demands"] = added.get("meeting demands", 0) + 1
    added["demand signatures"] = added.get("demand signatures", 0) + len(signers)
