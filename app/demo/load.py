"""Demo data: thirty Helsinki houses with residents, committees, meetings and Haso-yte.

The plan comes from app.demo.plan (seeds/ files and a fixed random seed). Rows are matched
by natural keys and only missing ones are inserted, so loading twice leaves the same data.
"""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from app.config import get_settings
from app.demo import ballots as ballots_demo
from app.demo import demands as demo_demands
from app.demo import finances as demo_finances
from app.demo import initiatives as demo_initiatives
from app.demo import paper as demo_paper
from app.demo import plan as demo_plan
from app.models.committees import CommitteeMember, Position, ResidentCommittee
from app.models.houses import Apartment, House, Residency
from app.models.meetings import ResidentMeeting
from app.models.people import Language, NoticeChannel, Person, StaffRole
from app.models.yte import YteMember, YteTerm
from app.security import hash_password
from app.services.calendar import defaults as calendar_defaults
from app.services.calendar import generation as calendar_generation

PASSWORD = "asukasdemo"  # noqa: S105 - the published password of the demo logins
SINGULAR = {
    "people": "person",
    "houses": "house",
    "staff roles": "staff role",
    "residencies": "residency",
    "apartments": "apartment",
    "resident meetings": "resident meeting",
    "committees": "committee",
    "committee seats": "committee seat",
    "Haso-yte terms": "Haso-yte term",
    "Haso-yte members": "Haso-yte member",
    "initiatives": "initiative",
    "forum sessions": "forum session",
    "elections": "election",
    "surveys": "survey",
    "agenda items": "agenda item",
    "calendar templates": "calendar template",
    "calendar events": "calendar event",
    "monthly figures": "monthly figure",
    "budget lines": "budget line",
    "usage charges": "usage charge",
    "budget cycles": "budget cycle",
    "notice recipients": "notice recipient",
    "meeting demands": "meeting demand",
    "demand signatures": "demand signature",
}


def demo_logins() -> list[tuple[str, str]]:
    """(role, email) of every demo login; all share the demo password."""
    people = demo_plan.seed_json("people.json")
    return [(p["login"], p["email"]) for p in people["staff"] + people["residents"] if "login" in p]


def logins_text() -> str:
    """A readable block of the demo logins, for the terminal."""
    logins = demo_logins()
    role_width = max(len(role) for role, _email in logins)
    email_width = max(len(email) for _role, email in logins)
    lines = ["Demo logins (role, email, password):"]
    lines += [
        f"  {role:<{role_width}}  {email:<{email_width}}  {PASSWORD}" for role, email in logins
    ]
    base = get_settings().base_url.rstrip("/")
    lines.append(f"Login links sent by email appear at {base}/dev/outbox in debug mode.")
    return "\n".join(lines)


def is_empty(session: Session) -> bool:
    """Whether the database has no houses and no people."""
    return (
        session.exec(select(House.id).limit(1)).first() is None
        and session.exec(select(Person.id).limit(1)).first() is None
    )


def load(session: Session, today: date | None = None) -> str:
    """Insert whatever of the demo data is missing, flushing; returns a summary line."""
    plan_today = today or datetime.now(demo_plan.HELSINKI).date()
    plan = demo_plan.build_plan(plan_today)
    added: dict[str, int] = {}
    people = _people(session, plan, added)
    houses = _houses(session, plan, people, added)
    _staff_roles(session, plan, people, added)
    _residencies(session, plan, people, houses, added)
    _apartments(session, plan, houses, added)
    meetings = _meetings(session, plan, people, houses, added)
    _committees(session, plan, people, houses, meetings, added)
    demo_paper.record_last_invitations(session, houses, datetime.now(UTC), added)
    demo_demands.load(session, houses, added, plan_today, datetime.now(UTC))
    _yte(session, plan, people, houses, added)
    demo_initiatives.load(session, plan, people, houses, added, today)
    _calendar(session, added, plan_today)
    demo_finances.load(session, list(houses.values()), plan_today, added)
    ballots_demo.load(session, added, plan_today)
    done = [f"{n} {what if n != 1 else SINGULAR[what]}" for what, n in added.items() if n]
    if not done:
        return "The demo data is already in place: nothing was added."
    return "Demo data loaded: added " + ", ".join(done) + "."


def _calendar(session: Session, added: dict[str, int], today: date) -> None:
    """The annual calendar's default templates and their events for the coming year."""
    templates = calendar_defaults.ensure_defaults(session)
    added["calendar templates"] = added.get("calendar templates", 0) + len(templates)
    events = calendar_generation.generate(session, today=today)
    added["calendar events"] = added.get("calendar events", 0) + len(events)


def _insert(session: Session, added: dict[str, int], what: str, rows: list[Any]) -> None:
    session.add_all(rows)
    session.flush()
    added[what] = added.get(what, 0) + len(rows)


def _ids(rows: Any) -> list[int]:
    return [row.id for row in rows if row.id is not None]


def _people(session: Session, plan: demo_plan.Plan, added: dict[str, int]) -> dict[str, Person]:
    found = session.exec(select(Person).where(col(Person.email).like(f"%@{demo_plan.DOMAIN}")))
    people = {person.email: person for person in found if person.email}
    # Residents without email (on paper) are keyed by their plan email all the same, and found
    # again by name and birth date.
    on_paper = demo_paper.paper_people(plan)
    if on_paper:
        without = {
            (person.name, person.birth_date): person
            for person in session.exec(select(Person).where(col(Person.email).is_(None)))
        }
        for email in on_paper:
            match = without.get((plan.people[email].name, plan.people[email].birth_date))
            if match is not None:
                people[email] = match
    password_hash: str | None = None  # argon2 is slow on purpose: hash once per run
    new = []
    for email, p in plan.people.items():
        if email in people:
            continue
        if p.login and password_hash is None:
            password_hash = hash_password(PASSWORD)
        paper = email in on_paper
        person = Person(
            name=p.name,
            email=None if paper else email,
            notice_channel=NoticeChannel.paper if paper else NoticeChannel.email,
            language=Language(p.language),
            birth_date=p.birth_date,
            password_hash=password_hash if p.login else None,
        )
        people[email] = person
        new.append(person)
    _insert(session, added, "people", new)
    return people


def _houses(
    session: Session, plan: demo_plan.Plan, people: dict[str, Person], added: dict[str, int]
) -> dict[str, House]:
    found = session.exec(select(House).where(col(House.code).in_(list(plan.houses))))
    houses = {house.code: house for house in found}
    new = []
    for code, house_plan in plan.houses.items():
        if code in houses:
            continue
        row = house_plan.row
        house = House(
            code=code,
            name=row["name"],
            street_address=row["street_address"],
            postal_code=row["postal_code"],
            district=row["district"],
            apartments=int(row["apartments"]),
            floor_area=Decimal(row["floor_area"]),
            year_built=int(row["year_built"]),
            property_manager_id=people[row["property_manager"]].id,
        )
        houses[code] = house
        new.append(house)
    _insert(session, added, "houses", new)
    return houses


def _staff_roles(
    session: Session, plan: demo_plan.Plan, people: dict[str, Person], added: dict[str, int]
) -> None:
    ids = _ids(people[email] for email, _kind in plan.staff)
    found = session.exec(select(StaffRole).where(col(StaffRole.person_id).in_(ids)))
    held = {(role.person_id, role.kind) for role in found}
    new = []
    for email, kind in plan.staff:
        person_id = people[email].id
        assert person_id is not None
        if (person_id, kind) not in held:
            new.append(StaffRole(person_id=person_id, kind=kind))
    _insert(session, added, "staff roles", new)


def _residencies(
    session: Session,
    plan: demo_plan.Plan,
    people: dict[str, Person],
    houses: dict[str, House],
    added: dict[str, int],
) -> None:
    ids = _ids(houses.values())
    found = session.exec(select(Residency).where(col(Residency.house_id).in_(ids)))
    known = {(r.person_id, r.house_id, r.apartment, r.starts_on) for r in found}
    new = []
    for code, house_plan in plan.houses.items():
        house_id = houses[code].id
        assert house_id is not None
        for email, apartment, tenure, starts_on in house_plan.residencies:
            person_id = people[email].id
            assert person_id is not None
            if (person_id, house_id, apartment, starts_on) in known:
                continue
            known.add((person_id, house_id, apartment, starts_on))
            new.append(
                Residency(
                    person_id=person_id,
                    house_id=house_id,
                    apartment=apartment,
                    tenure=tenure,
                    starts_on=starts_on,
                )
            )
    _insert(session, added, "residencies", new)


def _apartments(
    session: Session, plan: demo_plan.Plan, houses: dict[str, House], added: dict[str, int]
) -> None:
    """Every apartment a demo residency names, with its floor area."""
    ids = _ids(houses.values())
    found = session.exec(select(Apartment).where(col(Apartment.house_id).in_(ids)))
    known = {(a.house_id, a.label) for a in found}
    new = []
    for code, house_plan in plan.houses.items():
        house_id = houses[code].id
        assert house_id is not None
        for label in sorted({apartment for _e, apartment, _t, _d in house_plan.residencies}):
            if (house_id, label) in known:
                continue
            known.add((house_id, label))
            area = demo_plan.apartment_area(code, label)
            new.append(Apartment(house_id=house_id, label=label, floor_area_m2=area))
    _insert(session, added, "apartments", new)


def _meetings(
    session: Session,
    plan: demo_plan.Plan,
    people: dict[str, Person],
    houses: dict[str, House],
    added: dict[str, int],
) -> dict[tuple[int, datetime], ResidentMeeting]:
    ids = _ids(houses.values())
    found = session.exec(select(ResidentMeeting).where(col(ResidentMeeting.house_id).in_(ids)))
    meetings = {(m.house_id, m.starts_at): m for m in found}
    now = datetime.now(UTC)
    # Loaded again on another day, a house keeps the next meeting it has rather than gain one.
    has_next = {house_id for house_id, starts_at in meetings if starts_at > now}
    new = []
    for code, house_plan in plan.houses.items():
        house = houses[code]
        assert house.id is not None
        for m in house_plan.meetings:
            key = (house.id, m.starts_at)
            if key in meetings or (m.upcoming and house.id in has_next):
                continue
            meeting = ResidentMeeting(
                house_id=house.id,
                starts_at=m.starts_at,
                place=m.place,
                remote_link=m.remote_link,
                invitation_on=m.invitation_on,
                invitation_sent_at=m.invitation_sent_at,
                agenda=m.agenda,
                minutes=m.minutes,
                decisions=m.decisions,
                created_by_id=people[house_plan.row["property_manager"]].id,
            )
            meetings[key] = meeting
            new.append(meeting)
    _insert(session, added, "resident meetings", new)
    return meetings


def _committees(
    session: Session,
    plan: demo_plan.Plan,
    people: dict[str, Person],
    houses: dict[str, House],
    meetings: dict[tuple[int, datetime], ResidentMeeting],
    added: dict[str, int],
) -> None:
    ids = _ids(houses.values())
    found = list(
        session.exec(select(ResidentCommittee).where(col(ResidentCommittee.house_id).in_(ids)))
    )
    by_key = {(c.house_id, c.term_start): c for c in found}
    wanted: list[tuple[ResidentCommittee, demo_plan.CommitteePlan]] = []
    new = []
    for code, house_plan in plan.houses.items():
        house_id = houses[code].id
        assert house_id is not None
        for cp in house_plan.committees:
            committee = by_key.get((house_id, cp.term_start))
            if committee is None:
                # Terms of one house never overlap: an existing committee wins over the demo's.
                if any(
                    c.house_id == house_id
                    and c.term_start <= cp.term_end
                    and c.term_end >= cp.term_start
                    for c in found
                ):
                    continue
                electing = meetings.get((house_id, cp.elected_at))
                committee = ResidentCommittee(
                    house_id=house_id,
                    term_start=cp.term_start,
                    term_end=cp.term_end,
                    elected_at_meeting_id=electing.id if electing else None,
                )
                found.append(committee)
                new.append(committee)
            wanted.append((committee, cp))
    _insert(session, added, "committees", new)
    committee_ids = _ids(c for c, _cp in wanted)
    seats = session.exec(
        select(CommitteeMember).where(col(CommitteeMember.committee_id).in_(committee_ids))
    ).all()
    seated = {(s.committee_id, s.person_id) for s in seats}
    chaired = {s.committee_id for s in seats if s.position == Position.chair}
    new_seats = []
    for committee, cp in wanted:
        assert committee.id is not None
        for email, position in cp.seats:
            person_id = people[email].id
            assert person_id is not None
            if (committee.id, person_id) in seated:
                continue
            if position == Position.chair and committee.id in chaired:
                position = Position.member
            new_seats.append(
                CommitteeMember(committee_id=committee.id, person_id=person_id, position=position)
            )
    _insert(session, added, "committee seats", new_seats)


def _yte(
    session: Session,
    plan: demo_plan.Plan,
    people: dict[str, Person],
    houses: dict[str, House],
    added: dict[str, int],
) -> None:
    start, end = plan.yte_term
    overlapping = session.exec(
        select(YteTerm).where(YteTerm.starts_on <= end, YteTerm.ends_on >= start)
    ).all()
    term = next((t for t in overlapping if (t.starts_on, t.ends_on) == (start, end)), None)
    if term is None:
        if overlapping:
            return  # another term covers these dates: it is left as it is
        term = YteTerm(starts_on=start, ends_on=end)
        _insert(session, added, "Haso-yte terms", [term])
    assert term.id is not None
    members = session.exec(select(YteMember).where(YteMember.term_id == term.id)).all()
    taken_people = {m.person_id for m in members}
    taken_houses = {m.house_id for m in members}
    has_chair = any(m.is_chair for m in members)
    free = get_settings().yte_seats - len(members)
    new: list[YteMember] = []
    for email, code, is_chair in plan.yte_members:
        person_id, house_id = people[email].id, houses[code].id
        assert person_id is not None and house_id is not None
        if len(new) >= free or person_id in taken_people or house_id in taken_houses:
            continue
        new.append(
            YteMember(
                term_id=term.id,
                person_id=person_id,
                house_id=house_id,
                is_chair=is_chair and not has_chair,
            )
        )
    _insert(session, added, "Haso-yte members", new)
