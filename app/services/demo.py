"""Demo data: thirty Helsinki houses with residents, committees, meetings and Haso-yte.

The raw data lives in seeds/ (houses, name pools, named people, meeting texts); everything else is
generated with a fixed random seed. Rows are matched by natural keys and only missing ones are
inserted, so loading twice leaves the same data.
"""

import csv
import json
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from app.config import ROOT, get_settings
from app.models.committees import CommitteeMember, Position, ResidentCommittee
from app.models.houses import House, Residency, Tenure
from app.models.meetings import ResidentMeeting
from app.models.people import Language, Person, StaffKind, StaffRole
from app.models.yte import YteMember, YteTerm
from app.security import hash_password

SEEDS = ROOT / "seeds"
PASSWORD = "asukasdemo"  # noqa: S105 - the published password of the demo logins
DOMAIN = "demo.example"
HELSINKI = ZoneInfo("Europe/Helsinki")
SEED = 5800
# Move-ins and births are fixed dates, so the same people come out whatever day the data is
# loaded; the youngest residents stay minors into the 2030s.
LAST_MOVE_IN = date(2024, 6, 30)
FIRST_CHILD_BORN = date(2013, 1, 1)
SINGULAR = {
    "people": "person",
    "houses": "house",
    "staff roles": "staff role",
    "residencies": "residency",
    "resident meetings": "resident meeting",
    "committees": "committee",
    "committee seats": "committee seat",
    "Haso-yte terms": "Haso-yte term",
    "Haso-yte members": "Haso-yte member",
}
SEAT_ORDER = [Position.chair, Position.vice_chair, Position.secretary]


@dataclass
class PersonPlan:
    """A person to exist."""

    name: str
    language: str
    birth_date: date | None
    login: str | None = None


@dataclass
class MeetingPlan:
    """A resident meeting to exist; upcoming ones are skipped if the house already has one."""

    starts_at: datetime
    place: str
    remote_link: str | None
    invitation_on: date
    invitation_sent_at: datetime | None
    agenda: str
    minutes: str = ""
    decisions: str = ""
    upcoming: bool = False


@dataclass
class CommitteePlan:
    """A committee, the meeting that elected it and its seats (email, position)."""

    term_start: date
    term_end: date
    elected_at: datetime
    seats: list[tuple[str, Position]]


@dataclass
class HousePlan:
    """A house with its residencies (email, apartment, tenure, starts_on) and bodies."""

    row: dict[str, str]
    residencies: list[tuple[str, str, Tenure, date]] = field(default_factory=list)
    meetings: list[MeetingPlan] = field(default_factory=list)
    committee: CommitteePlan | None = None


@dataclass
class Plan:
    """Everything the demo data holds, before it touches the database."""

    people: dict[str, PersonPlan]
    staff: list[tuple[str, StaffKind]]
    houses: dict[str, HousePlan]
    yte_term: tuple[date, date]
    yte_members: list[tuple[str, str, bool]]  # email, house code, chairs the body


@cache
def _json(name: str) -> Any:
    return json.loads((SEEDS / name).read_text(encoding="utf-8"))


@cache
def _houses_csv() -> list[dict[str, str]]:
    with (SEEDS / "houses.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def demo_logins() -> list[tuple[str, str]]:
    """(role, email) of every demo login; all share the demo password."""
    people = _json("people.json")
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


def _local(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=HELSINKI).astimezone(UTC)


def _meeting_day(day: date) -> date:
    """Meetings are held Monday to Thursday, never over Christmas and New Year."""
    if (day.month, day.day) >= (12, 20) or (day.month, day.day) <= (1, 7):
        day = date(day.year + (day.month == 12), 1, 8)
    return day + timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 4 else 0)


def _fi_date(day: date) -> str:
    return f"{day.day}.{day.month}.{day.year}"


def _between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, max((last - first).days, 0)))


def yte_term_dates(today: date) -> tuple[date, date]:
    """The Haso-yte term in force: elected in January of even years, from February on."""
    year = today.year - today.year % 2
    if today < date(year, 2, 1):
        year -= 2
    return date(year, 2, 1), date(year + 2, 1, 31)


class _Builder:
    """Turns the seed files into a Plan, deterministically for a given day."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.texts = _json("meetings.json")
        self.groups = _json("names.json")["groups"]
        self.people: dict[str, PersonPlan] = {}
        last = today.year if today > date(today.year, 4, 30) else today.year - 1
        self.springs = (last - 1, last)

    def person(
        self, email: str, name: str, language: str, born: date | None, login: Any = None
    ) -> str:
        self.people[email] = PersonPlan(name, language, born, login)
        return email

    def new_email(self, name: str) -> str:
        folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
        local = ".".join(
            "".join(c for c in part if c.isalnum() or c == "-") for part in folded.split()
        )
        email, n = f"{local}@{DOMAIN}", 1
        while email in self.people:
            n += 1
            email = f"{local}{n}@{DOMAIN}"
        return email

    def generated(
        self,
        rng: random.Random,
        group: str,
        last: str | None,
        born: date,
        avoid: frozenset[str] = frozenset(),
    ) -> str:
        pool = self.groups[group]
        name = ""
        for _attempt in range(20):  # household members get different names
            if "full" in pool:
                name = rng.choice(pool["full"])
            else:
                name = f"{rng.choice(pool['first'])} {last or rng.choice(pool['last'])}"
            if name not in avoid:
                break
        language = rng.choice(pool["languages"])
        return self.person(self.new_email(name), name, language, born)

    def build(self) -> Plan:
        people = _json("people.json")
        staff: list[tuple[str, StaffKind]] = []
        for p in people["staff"]:
            self.person(p["email"], p["name"], p["language"], None, p.get("login"))
            staff += [(p["email"], StaffKind(kind)) for kind in p["roles"]]
        for p in people["residents"]:
            born = date.fromisoformat(p["birth_date"])
            self.person(p["email"], p["name"], p["language"], born, p.get("login"))
        houses = {
            row["code"]: self.house(
                row, [r for r in people["residents"] if r["house"] == row["code"]]
            )
            for row in _houses_csv()
        }
        start, end = yte_term_dates(self.today)
        return Plan(self.people, staff, houses, (start, end), self.yte(houses, people, start))

    def house(self, row: dict[str, str], named: list[dict[str, Any]]) -> HousePlan:
        rng = random.Random(f"{SEED}:{row['code']}")
        plan = HousePlan(row)
        count = int(row["apartments"])
        per_stair = -(-count // (1 + count // 40))
        taken = {r["apartment"] for r in named}
        seats: list[tuple[str, Position]] = []
        for r in sorted(named, key=lambda r: r.get("position") != "chair"):
            move_in = date.fromisoformat(r["moved_in"])
            plan.residencies.append((r["email"], r["apartment"], Tenure(r["tenure"]), move_in))
            if "position" in r:
                seats.append((r["email"], Position(r["position"])))
        voters: list[str] = []  # one adult ASO holder per apartment: who may stand
        target = rng.randint(5, 15)
        first_move_in = date(int(row["year_built"]), 6, 1)
        shares = [(g, pool["share"]) for g, pool in self.groups.items()]
        while len(plan.residencies) < target:
            number = rng.randint(1, count)
            apartment = f"{'ABCDEFGH'[(number - 1) // per_stair]} {number}"
            if apartment in taken:
                continue
            taken.add(apartment)
            moved_in = _between(rng, first_move_in, LAST_MOVE_IN)
            tenure = Tenure.renter if rng.random() < 0.15 else Tenure.holder
            group = rng.choices([g for g, _s in shares], [s for _g, s in shares])[0]
            year = rng.randint(1940, min(2000, moved_in.year - 20))
            adult_born = _between(rng, date(year, 1, 1), date(year, 12, 28))
            adult = self.generated(rng, group, None, adult_born)
            plan.residencies.append((adult, apartment, tenure, moved_in))
            if tenure == Tenure.holder:
                voters.append(adult)
            family = self.people[adult].name.split()[-1] if rng.random() < 0.8 else None
            if rng.random() < 0.45 and len(plan.residencies) < target:
                born = adult_born + timedelta(days=rng.randint(-2500, 2500))
                partner = self.generated(
                    rng, group, family, born, frozenset({self.people[adult].name})
                )
                plan.residencies.append((partner, apartment, tenure, moved_in))
            if rng.random() < 0.15 and len(plan.residencies) < target:
                born = _between(
                    rng, max(moved_in - timedelta(days=1000), FIRST_CHILD_BORN), LAST_MOVE_IN
                )
                household = frozenset(
                    self.people[e].name for e, apt, _t, _d in plan.residencies if apt == apartment
                )
                child = self.generated(
                    rng, group, self.people[adult].name.split()[-1], born, household
                )
                plan.residencies.append((child, apartment, tenure, max(moved_in, born)))
        wants_committee = bool(named) or rng.random() > 0.12
        # A Haso-yte member must already chair the committee when the body's term begins.
        on_yte = any(r.get("yte") for r in named)
        size, elected_last_spring = rng.randint(3, 6), rng.random() < 0.5 and not on_yte
        for email in rng.sample(voters, min(max(size - len(seats), 0), len(voters))):
            used = {position for _e, position in seats}
            position = next((p for p in SEAT_ORDER if p not in used), Position.member)
            seats.append((email, position))
        if not wants_committee or len(seats) < 3:
            seats = []
        self.meetings(rng, plan, seats, elected_last_spring, always_upcoming=bool(named))
        return plan

    def meetings(
        self,
        rng: random.Random,
        plan: HousePlan,
        seats: list[tuple[str, Position]],
        elected_last_spring: bool,
        always_upcoming: bool,
    ) -> None:
        """Last two springs' meetings (one elected the committee) and maybe one next month."""
        t, row = self.texts, plan.row
        place = rng.choice(t["places"]).format(street=row["street_address"])
        link = t["remote_link"].format(code=row["code"].lower())
        remote = link if rng.random() < t["remote_share"] else None
        manager = self.people[row["property_manager"]].name
        adults = [
            self.people[e].name
            for e, _a, _t, _d in plan.residencies
            if (self.people[e].birth_date or FIRST_CHILD_BORN) < FIRST_CHILD_BORN
        ]
        for spring in self.springs:
            day = _meeting_day(date(spring, 4, rng.randint(6, 24)))
            electing = bool(seats) and (spring == self.springs[1]) == elected_last_spring
            if electing:
                election = t["election"].format(
                    members=", ".join(self.people[e].name for e, _p in seats),
                    committee_chair=self.people[seats[0][0]].name,
                )
            else:
                election = t["no_election"] if seats else t["no_candidates"]
            minutes = t["spring_minutes"].format(
                house=row["name"],
                date=_fi_date(day),
                attendees=rng.randint(6, 25),
                manager=manager,
                chair=rng.choice(adults),
                secretary=rng.choice(adults),
                election=election,
                wish=rng.choice(t["wishes"]),
                other=rng.choice(t["others"]),
            )
            pending = spring == self.springs[1] and not electing and rng.random() < 0.15
            invited = day - timedelta(days=17)
            meeting = MeetingPlan(
                starts_at=_local(day, 18),
                place=place,
                remote_link=remote,
                invitation_on=invited,
                invitation_sent_at=_local(invited, 9),
                agenda=t["spring_agenda"],
                minutes="" if pending else minutes,
                decisions="" if pending else "\n".join(rng.sample(t["decisions"], 2)),
            )
            plan.meetings.append(meeting)
            if electing:
                start = day
                end = date(start.year + 2, start.month, start.day) - timedelta(days=1)
                plan.committee = CommitteePlan(start, end, meeting.starts_at, seats)
        upcoming, offset, topic = (
            rng.random() < 0.25,
            rng.randint(30, 45),
            rng.choice(t["next_topics"]),
        )
        if upcoming or always_upcoming:
            day = _meeting_day(self.today + timedelta(days=offset))
            plan.meetings.append(
                MeetingPlan(
                    starts_at=_local(day, 18),
                    place=place,
                    remote_link=remote,
                    invitation_on=day - timedelta(days=16),
                    invitation_sent_at=None,
                    agenda=t["next_agenda"].format(topic=topic[0].upper() + topic[1:]),
                    upcoming=True,
                )
            )

    def yte(
        self, houses: dict[str, HousePlan], people: dict[str, Any], start: date
    ) -> list[tuple[str, str, bool]]:
        """Ten sitting chairs, preferring those already chairing when the term began."""
        rng = random.Random(f"{SEED}:yte")
        chairs = {
            code: next(e for e, p in house.committee.seats if p == Position.chair)
            for code, house in houses.items()
            if house.committee is not None
        }
        named = list(dict.fromkeys(r["house"] for r in people["residents"] if r.get("yte")))
        named = [code for code in named if code in chairs]
        others = [code for code in chairs if code not in named]

        def sitting_at_start(code: str) -> bool:
            committee = houses[code].committee
            return committee is not None and committee.term_start <= start <= committee.term_end

        others.sort(key=lambda code: (not sitting_at_start(code), rng.random()))
        chosen = (named + others)[: get_settings().yte_seats]
        body_chair = others[0] if others else next(iter(chosen), None)
        return [(chairs[code], code, code == body_chair) for code in chosen]


def build_plan(today: date) -> Plan:
    """The demo data for a day (only meeting and term dates follow the day)."""
    return _Builder(today).build()


def load(session: Session, today: date | None = None) -> str:
    """Insert whatever of the demo data is missing, flushing; returns a summary line."""
    plan = build_plan(today or datetime.now(HELSINKI).date())
    added: dict[str, int] = {}
    people = _people(session, plan, added)
    houses = _houses(session, plan, people, added)
    _staff_roles(session, plan, people, added)
    _residencies(session, plan, people, houses, added)
    meetings = _meetings(session, plan, people, houses, added)
    _committees(session, plan, people, houses, meetings, added)
    _yte(session, plan, people, houses, added)
    done = [f"{n} {what if n != 1 else SINGULAR[what]}" for what, n in added.items() if n]
    if not done:
        return "The demo data is already in place: nothing was added."
    return "Demo data loaded: added " + ", ".join(done) + "."


def _insert(session: Session, added: dict[str, int], what: str, rows: list[Any]) -> None:
    session.add_all(rows)
    session.flush()
    added[what] = added.get(what, 0) + len(rows)


def _ids(rows: Any) -> list[int]:
    return [row.id for row in rows if row.id is not None]


def _people(session: Session, plan: Plan, added: dict[str, int]) -> dict[str, Person]:
    found = session.exec(select(Person).where(col(Person.email).like(f"%@{DOMAIN}")))
    people = {person.email: person for person in found}
    password_hash: str | None = None  # argon2 is slow on purpose: hash once per run
    new = []
    for email, p in plan.people.items():
        if email in people:
            continue
        if p.login and password_hash is None:
            password_hash = hash_password(PASSWORD)
        person = Person(
            name=p.name,
            email=email,
            language=Language(p.language),
            birth_date=p.birth_date,
            password_hash=password_hash if p.login else None,
        )
        people[email] = person
        new.append(person)
    _insert(session, added, "people", new)
    return people


def _houses(
    session: Session, plan: Plan, people: dict[str, Person], added: dict[str, int]
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
    session: Session, plan: Plan, people: dict[str, Person], added: dict[str, int]
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
    plan: Plan,
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


def _meetings(
    session: Session,
    plan: Plan,
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
    plan: Plan,
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
    wanted: list[tuple[ResidentCommittee, CommitteePlan]] = []
    new = []
    for code, house_plan in plan.houses.items():
        cp, house_id = house_plan.committee, houses[code].id
        if cp is None or house_id is None:
            continue
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
    plan: Plan,
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
