"""The demo data's plan: the seeds/ files turned into people, houses and bodies, deterministically.

The raw data lives in seeds/ (houses, name pools, named people, meeting texts); everything else is
generated with a fixed random seed, so the same day always gives the same plan. Nothing here
touches the database: app.demo.load inserts the plan.
"""

# Over 400 lines on purpose: the demo company is one plan (houses, people, bodies), data read top
# to bottom.

import csv
import json
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from typing import Any

from app.config import ROOT, get_settings
from app.models.committees import Position
from app.models.houses import Tenure
from app.models.people import StaffKind
from app.models.types import HELSINKI

SEEDS = ROOT / "seeds"
DOMAIN = "demo.example"
SEED = 5800
# Move-ins and births are fixed dates, so the same people come out whatever day the data is
# loaded; the youngest residents stay minors into the 2030s.
LAST_MOVE_IN = date(2024, 6, 30)
FIRST_CHILD_BORN = date(2013, 1, 1)
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
    """A house with its residencies (email, apartment, tenure, starts_on) and bodies.

    Committees come oldest first and their terms never overlap.
    """

    row: dict[str, str]
    residencies: list[tuple[str, str, Tenure, date]] = field(default_factory=list)
    meetings: list[MeetingPlan] = field(default_factory=list)
    committees: list[CommitteePlan] = field(default_factory=list)

    def committee_on(self, day: date) -> CommitteePlan | None:
        """The committee whose term contains a day, if any."""
        return next((c for c in self.committees if c.term_start <= day <= c.term_end), None)

    def moved_in(self, email: str) -> date:
        """When a resident of the house moved in."""
        return min(d for e, _a, _t, d in self.residencies if e == email)


@dataclass
class _Draft:
    """A house's people and would-be committee, before its meetings are planned."""

    plan: HousePlan
    rng: random.Random
    seats: list[tuple[str, Position]]
    elected_last_spring: bool
    always_upcoming: bool


@dataclass
class Plan:
    """Everything the demo data holds, before it touches the database."""

    people: dict[str, PersonPlan]
    staff: list[tuple[str, StaffKind]]
    houses: dict[str, HousePlan]
    yte_term: tuple[date, date]
    yte_members: list[tuple[str, str, bool]]  # email, house code, chairs the body


@cache
def seed_json(name: str) -> Any:
    """A JSON file of seeds/, read once."""
    return json.loads((SEEDS / name).read_text(encoding="utf-8"))


@cache
def _houses_csv() -> list[dict[str, str]]:
    with (SEEDS / "houses.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


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


def _two_years(start: date) -> date:
    """The last day of a two-year term starting on a day (terms start in spring, not on 29.2.)."""
    return date(start.year + 2, start.month, start.day) - timedelta(days=1)


def yte_term_dates(today: date) -> tuple[date, date]:
    """The Haso-yte term in force: elected in January of even years, from February on."""
    year = today.year - today.year % 2
    if today < date(year, 2, 1):
        year -= 2
    return date(year, 2, 1), date(year + 2, 1, 31)


def _partner(tenure: Tenure, apartment: str) -> Tenure:
    """A holder's partner: a co-holder in every fourth apartment (by its number), else the
    holder's spouse or cohabiting partner; a renter's partner rents too. Decided without the
    random generator, so that the rest of the demo stays as it was."""
    if tenure != Tenure.holder:
        return tenure
    number = int("".join(c for c in apartment if c.isdigit()) or 0)
    return Tenure.co_holder if number % 4 == 0 else Tenure.spouse


def _child(tenure: Tenure) -> Tenure:
    """A holder's child is another household member; a renter's child rents too."""
    return Tenure.household_member if tenure == Tenure.holder else tenure


class _Builder:
    """Turns the seed files into a Plan, deterministically for a given day."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.texts = seed_json("meetings.json")
        self.groups = seed_json("names.json")["groups"]
        self.people: dict[str, PersonPlan] = {}
        self.yte_term = yte_term_dates(today)
        # Spring meetings are over by the end of April. The Haso-yte houses elect their
        # committees in the spring before the body's term begins, so that spring is always
        # planned: the last two springs, or three when the term is in its second year.
        last = today.year if today > date(today.year, 4, 30) else today.year - 1
        self.yte_spring = self.yte_term[0].year - 1
        self.springs = tuple(range(min(last - 1, self.yte_spring), last + 1))

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
        people = seed_json("people.json")
        staff: list[tuple[str, StaffKind]] = []
        for p in people["staff"]:
            self.person(p["email"], p["name"], p["language"], None, p.get("login"))
            staff += [(p["email"], StaffKind(kind)) for kind in p["roles"]]
        for p in people["residents"]:
            born = date.fromisoformat(p["birth_date"])
            self.person(p["email"], p["name"], p["language"], born, p.get("login"))
        drafts = {
            row["code"]: self.house(
                row, [r for r in people["residents"] if r["house"] == row["code"]]
            )
            for row in _houses_csv()
        }
        # Haso-yte is chosen first: its houses' committees must be sitting when its term begins.
        yte = self.yte(drafts, people)
        on_yte = {code for _email, code, _is_chair in yte}
        for code, draft in drafts.items():
            self.meetings(draft, on_yte=code in on_yte)
        houses = {code: draft.plan for code, draft in drafts.items()}
        return Plan(self.people, staff, houses, self.yte_term, yte)

    def house(self, row: dict[str, str], named: list[dict[str, Any]]) -> _Draft:
        """A house's residents and who would sit on its committee; meetings come later."""
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
                plan.residencies.append((partner, apartment, _partner(tenure, apartment), moved_in))
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
                plan.residencies.append((child, apartment, _child(tenure), max(moved_in, born)))
        wants_committee = bool(named) or rng.random() > 0.12
        size, elected_last_spring = rng.randint(3, 6), rng.random() < 0.5
        chosen = rng.sample(voters, min(max(size - len(seats), 0), len(voters)))
        if not seats:  # the longest-standing resident of those elected chairs
            chosen.sort(key=plan.moved_in)
        for email in chosen:
            used = {position for _e, position in seats}
            position = next((p for p in SEAT_ORDER if p not in used), Position.member)
            seats.append((email, position))
        if not wants_committee or len(seats) < 3:
            seats = []
        return _Draft(plan, rng, seats, elected_last_spring, always_upcoming=bool(named))

    def electing_springs(self, draft: _Draft, on_yte: bool) -> set[int]:
        """The springs whose meeting elects a committee (for two years) for a house."""
        if not draft.seats:
            return set()
        if on_yte:  # sitting when the body's term begins, re-elected when that term runs out
            return {self.yte_spring, self.yte_spring + 2} & set(self.springs)
        return {self.springs[-1] if draft.elected_last_spring else self.springs[-2]}

    def meetings(self, draft: _Draft, on_yte: bool) -> None:
        """Spring meetings (some elect the committee) and maybe one next month."""
        rng, plan, seats = draft.rng, draft.plan, draft.seats
        electing_springs = self.electing_springs(draft, on_yte)
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
            electing = spring in electing_springs
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
            pending = spring == self.springs[-1] and not electing and rng.random() < 0.15
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
                # A committee elected before its predecessor's term is out takes over after it.
                start = max([day] + [c.term_end + timedelta(days=1) for c in plan.committees])
                plan.committees.append(
                    CommitteePlan(start, _two_years(start), meeting.starts_at, list(seats))
                )
        upcoming, offset, topic = (
            rng.random() < 0.25,
            rng.randint(30, 45),
            rng.choice(t["next_topics"]),
        )
        if upcoming or draft.always_upcoming:
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

    def yte(self, drafts: dict[str, _Draft], people: dict[str, Any]) -> list[tuple[str, str, bool]]:
        """Ten chairs (email, house code, chairs the body), the named ones first.

        Only houses that will have a committee and whose chair lives there before the spring
        that elects it qualify, so every member chairs on the day the term begins.
        """
        rng = random.Random(f"{SEED}:yte")
        moved_in_by = date(self.yte_spring, 4, 1)
        chairs = {
            code: email
            for code, draft in drafts.items()
            for email, position in draft.seats
            if position == Position.chair and draft.plan.moved_in(email) <= moved_in_by
        }
        named = list(dict.fromkeys(r["house"] for r in people["residents"] if r.get("yte")))
        named = [code for code in named if code in chairs]
        others = [code for code in chairs if code not in named]
        rng.shuffle(others)
        chosen = (named + others)[: get_settings().yte_seats]
        body_chair = next((code for code in chosen if code not in named), None)
        body_chair = body_chair or next(iter(chosen), None)
        return [(chairs[code], code, code == body_chair) for code in chosen]


# Apartment sizes (rooms) with their share of a house and their floor areas in m².
APARTMENT_SIZES = ((0.2, 30.0, 40.0), (0.35, 45.0, 60.0), (0.3, 62.0, 80.0), (0.15, 82.0, 100.0))


def apartment_area(house_code: str, apartment: str) -> Decimal:
    """An apartment's floor area, 30–100 m² by its size, the same for it on every load."""
    rng = random.Random(f"{SEED}:{house_code}:{apartment}")
    _share, low, high = rng.choices(APARTMENT_SIZES, [size[0] for size in APARTMENT_SIZES])[0]
    return Decimal(round(rng.uniform(low, high) * 2) / 2).quantize(Decimal("0.1"))


def build_plan(today: date) -> Plan:
    """The demo data for a day (only meeting and term dates follow the day)."""
    return _Builder(today).build()
