"""A dataset ten times Haso's size, deterministic from a seed, loaded in bulk.

    python -m bench.generate --url sqlite:///var/bench.db --scale 1.0 --seed 1

At scale 1.0: 1,500 houses, 100,000 residents (a person and a residency each), a committee per
house, Haso-yte, 30,000 initiatives with their histories, comments and followers, 300 calendar
events a year (a year back and a year ahead), four forum sessions a year, a resident meeting per
house a year, 200 newsletters with their deliveries and, when the house-finance tables exist,
five years of monthly figures per house and cost group. The schema comes from the same Alembic
migrations as production; rows go in with SQLAlchemy Core inserts of lists of dicts.

Every person's email is r<n>@bench.invalid; three named people log in with the password
`bench-password`: bench-admin@ (administrator and management), bench-manager@ (property
manager of the first houses) and bench-chair@ (a resident and the chair of house 1).
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Integer, Table, inspect, text
from sqlalchemy.engine import Connection, Engine, make_url

from app import models
from app.db import make_engine, metadata
from app.models.types import HELSINKI

PASSWORD = "bench-password"  # noqa: S105 - the benchmark's own throwaway users
BATCH = 5000
DISTRICTS = [
    "Kallio", "Vallila", "Pasila", "Herttoniemi", "Vuosaari", "Kontula", "Malmi", "Pukinmäki",
    "Oulunkylä", "Kannelmäki", "Pitäjänmäki", "Lauttasaari", "Jätkäsaari", "Kalasatama",
    "Arabianranta", "Viikki", "Myllypuro", "Mellunmäki", "Tapanila", "Maunula",
]  # fmt: skip
WORDS = [
    "piha",
    "pyörävarasto",
    "sauna",
    "kierrätys",
    "valaistus",
    "leikkipaikka",
    "hissi",
    "ilmanvaihto",
    "parveke",
    "pesutupa",
    "kerhohuone",
    "autopaikka",
    "lumityöt",
    "istutukset",
    "aita",
    "ovet",
    "lukitus",
    "siivous",
    "melu",
    "energiansäästö",
    "aurinkopaneelit",
    "latauspiste",
    "kokoontumistila",
    "grilli",
    "roskakatos",
]


@dataclass
class Sizes:
    """How many of each thing a scale gives."""

    houses: int
    residents: int
    initiatives: int
    events_per_year: int
    newsletters: int
    finance_years: int = 5

    @classmethod
    def at(cls, scale: float) -> Sizes:
        return cls(
            houses=max(3, round(1500 * scale)),
            residents=max(30, round(100_000 * scale)),
            initiatives=max(10, round(30_000 * scale)),
            events_per_year=max(6, round(300 * scale)),
            newsletters=max(5, round(200 * scale)),
        )


@dataclass
class Report:
    """What the load did and how long each part took."""

    url: str
    sizes: Sizes
    seconds: dict[str, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())

    def summary(self) -> str:
        lines = [f"Loaded {sum(self.rows.values()):,} rows in {self.total_seconds:.1f} s"]
        lines += [f"  {name}: {sec:.1f} s" for name, sec in self.seconds.items()]
        lines += [f"  rows {name}: {count:,}" for name, count in sorted(self.rows.items())]
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)


def _batches(rows: Iterable[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class Loader:
    """Inserts rows in batches through Core and counts them."""

    def __init__(self, conn: Connection, report: Report) -> None:
        self.conn = conn
        self.report = report

    def insert(self, table: Table, rows: Iterable[dict[str, Any]]) -> int:
        count = 0
        for batch in _batches(rows):
            self.conn.execute(table.insert(), batch)
            count += len(batch)
        self.report.rows[table.name] = self.report.rows.get(table.name, 0) + count
        return count


def _helsinki(day: date, hour: int = 18, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=HELSINKI).astimezone(UTC)


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize()


def reset_database(url: str) -> None:
    """Start from nothing: remove the SQLite file, or empty the PostgreSQL schema."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(parsed.database + suffix).unlink(missing_ok=True)
        return
    if parsed.database in (None, "", "test", "postgres", "portal"):
        raise SystemExit(f"refusing to empty the database {parsed.database!r}: use one of its own")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def migrate(url: str) -> None:
    """The schema through the same migrations as production."""
    from alembic import command

    from app.cli import _alembic_config

    command.upgrade(_alembic_config(url), "head")


class Generator:
    """Makes the rows; every choice comes from one seeded Random, so a seed gives one dataset."""

    def __init__(self, sizes: Sizes, seed: int, today: date) -> None:
        self.sizes = sizes
        self.rng = random.Random(seed)
        self.today = today
        self.now = _helsinki(today, 12)
        self.house_residents: dict[int, list[int]] = {}
        self.committee: dict[int, list[int]] = {}  # house id -> members, chair first
        self.chairs: list[int] = []
        self.yte: list[int] = []
        self.managers: list[int] = []
        self.staff: list[int] = []
        self.person_count = 0
        self.initiative_ids: list[int] = []
        self.company_initiatives: list[int] = []

    # ---- people and houses -----------------------------------------------------------------

    def people(self, loader: Loader) -> None:
        from app.security import hash_password

        sizes, rng = self.sizes, self.rng
        password = hash_password(PASSWORD)
        managers = max(1, sizes.houses // 30)
        staff_rows: list[dict[str, Any]] = []
        people: list[dict[str, Any]] = []

        def person(email: str, name: str, with_password: bool = False, **extra: Any) -> int:
            self.person_count += 1
            people.append(
                {
                    "id": self.person_count,
                    "name": name,
                    "email": email,
                    "phone": None,
                    "language": "fi" if rng.random() < 0.9 else "sv",
                    "birth_date": extra.get("birth_date"),
                    "password_hash": password if with_password else None,
                    "is_active": True,
                    "created_at": self.now,
                    "updated_at": self.now,
                    "version": 1,
                }
            )
            return self.person_count

        admin = person("bench-admin@bench.invalid", "Bench Admin", True)
        staff_rows += [
            {"person_id": admin, "kind": "admin", "created_at": self.now},
            {"person_id": admin, "kind": "management", "created_at": self.now},
        ]
        self.staff.append(admin)
        for n in range(4):
            pid = person(f"management{n}@bench.invalid", f"Management {n}")
            staff_rows.append({"person_id": pid, "kind": "management", "created_at": self.now})
            self.staff.append(pid)
        for n in range(managers):
            email = "bench-manager@bench.invalid" if n == 0 else f"manager{n}@bench.invalid"
            pid = person(email, f"Isännöitsijä {n}", n == 0)
            staff_rows.append(
                {"person_id": pid, "kind": "property_manager", "created_at": self.now}
            )
            self.managers.append(pid)
        houses = []
        for h in range(1, sizes.houses + 1):
            houses.append(
                {
                    "id": h,
                    "code": f"H{h:04d}",
                    "name": f"As Oy Bench {h}",
                    "street_address": f"Penkkikatu {h}",
                    "postal_code": f"00{rng.randint(100, 990):03d}",
                    "city": "Helsinki",
                    "district": rng.choice(DISTRICTS),
                    "apartments": 0,
                    "floor_area": Decimal(0),
                    "year_built": rng.randint(1990, 2025),
                    "property_manager_id": self.managers[
                        (h - 1) * len(self.managers) // sizes.houses
                    ],
                    "created_at": self.now,
                    "updated_at": self.now,
                    "version": 1,
                }
            )
        residencies = []
        first_resident = self.person_count + 1
        for n in range(sizes.residents):
            house = n % sizes.houses + 1
            email = "bench-chair@bench.invalid" if n == 0 else f"r{n}@bench.invalid"
            born = date(rng.randint(1940, 2008), rng.randint(1, 12), rng.randint(1, 28))
            pid = person(email, f"Asukas {n}", n == 0, birth_date=born)
            self.house_residents.setdefault(house, []).append(pid)
            apartment = len(self.house_residents[house])
            starts = self.today - timedelta(days=rng.randint(30, 3650))
            residencies.append(
                {
                    "person_id": pid,
                    "house_id": house,
                    "apartment": f"A {apartment}",
                    "tenure": "holder" if rng.random() < 0.85 else "renter",
                    "starts_on": starts,
                    "ends_on": None,
                    "created_at": self.now,
                }
            )
        for row in houses:
            count = len(self.house_residents.get(row["id"], []))
            row["apartments"] = max(1, count)
            row["floor_area"] = Decimal(max(1, count) * 62)
        # People first (houses point at managers), then houses, then residencies.
        loader.insert(models.Person.__table__, people)  # type: ignore[arg-type]
        loader.insert(models.StaffRole.__table__, staff_rows)  # type: ignore[arg-type]
        loader.insert(models.House.__table__, houses)  # type: ignore[arg-type]
        loader.insert(models.Residency.__table__, residencies)  # type: ignore[arg-type]
        assert first_resident == self.house_residents[1][0]
        # Some people want no residents' newsletter.
        prefs = [
            {
                "person_id": pid,
                "topic": "residents_newsletter",
                "frequency": "off",
                "updated_at": self.now,
            }
            for pid in range(first_resident, self.person_count + 1)
            if rng.random() < 0.05
        ]
        loader.insert(models.MailPreference.__table__, prefs)  # type: ignore[arg-type]

    def committees(self, loader: Loader) -> None:
        rng = self.rng
        meetings, committees, members = [], [], []
        meeting_id = 0
        for house, residents in self.house_residents.items():
            for years_back in (1, 0):
                meeting_id += 1
                day = date(self.today.year - years_back, 4, rng.randint(1, 28))
                if day > self.today:
                    day = self.today - timedelta(days=rng.randint(10, 60))
                meetings.append(
                    {
                        "id": meeting_id,
                        "house_id": house,
                        "starts_at": _helsinki(day),
                        "place": "Kerhohuone",
                        "remote_link": None,
                        "invitation_on": day - timedelta(days=20),
                        "invitation_sent_at": _helsinki(day - timedelta(days=20), 6),
                        "agenda": "1. Avaus\n2. Asukastoimikunnan valinta\n3. Muut asiat",
                        "minutes": "",
                        "decisions": "",
                        "participation": "decision",
                        "created_by_id": None,
                        "created_at": self.now,
                        "updated_at": self.now,
                        "version": 1,
                    }
                )
            start = self.today - timedelta(days=rng.randint(30, 300))
            committees.append(
                {
                    "id": house,
                    "house_id": house,
                    "term_start": start,
                    "term_end": start + timedelta(days=700),
                    "elected_at_meeting_id": meeting_id,
                    "created_at": self.now,
                    "version": 1,
                }
            )
            seats = residents[: min(5, len(residents))]
            self.committee[house] = seats
            self.chairs.append(seats[0])
            for n, pid in enumerate(seats):
                members.append(
                    {
                        "committee_id": house,
                        "person_id": pid,
                        "position": "chair" if n == 0 else ("secretary" if n == 1 else "member"),
                    }
                )
        loader.insert(models.ResidentMeeting.__table__, meetings)  # type: ignore[arg-type]
        loader.insert(models.ResidentCommittee.__table__, committees)  # type: ignore[arg-type]
        loader.insert(models.CommitteeMember.__table__, members)  # type: ignore[arg-type]
        term_start = self.today - timedelta(days=200)
        loader.insert(
            models.YteTerm.__table__,  # type: ignore[arg-type]
            [
                {
                    "id": 1,
                    "starts_on": term_start,
                    "ends_on": term_start + timedelta(days=730),
                    "created_at": self.now,
                }
            ],
        )
        houses = sorted(self.committee)[1:11] or sorted(self.committee)
        self.yte = [self.committee[h][0] for h in houses]
        loader.insert(
            models.YteMember.__table__,  # type: ignore[arg-type]
            [
                {"term_id": 1, "person_id": pid, "house_id": h, "is_chair": n == 0}
                for n, (h, pid) in enumerate(zip(houses, self.yte, strict=True))
            ],
        )

    # ---- initiatives -------------------------------------------------------------------------

    STATES = [
        ("submitted", 10), ("received", 10), ("in_preparation", 15), ("answered", 25),
        ("implemented", 10), ("evaluated", 15), ("draft", 5), ("suggested", 5),
        ("withdrawn", 3), ("declined", 2),
    ]  # fmt: skip
    PATH = ["submitted", "received", "in_preparation", "answered", "implemented", "evaluated"]
    ACTIONS = {
        "submitted": "submit", "received": "receive", "in_preparation": "prepare",
        "answered": "answer", "implemented": "implement", "evaluated": "evaluate",
        "withdrawn": "withdraw", "declined": "decline",
    }  # fmt: skip
    PARTICIPATIONS = [
        "initiative", "planning", "decision", "implementation", "evaluation", "information",
    ]  # fmt: skip

    def initiatives(self, loader: Loader) -> None:
        rng = self.rng
        states = [s for s, _ in self.STATES]
        weights = [w for _, w in self.STATES]
        initiatives: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        comments: list[dict[str, Any]] = []
        followers: list[dict[str, Any]] = []
        evaluations: list[dict[str, Any]] = []
        comment_id = 0
        span = 5 * 365
        for iid in range(1, self.sizes.initiatives + 1):
            company = rng.random() < 0.1
            house = None if company else rng.randint(1, self.sizes.houses)
            state = rng.choices(states, weights)[0]
            created = self.now - timedelta(days=rng.randint(1, span), minutes=rng.randint(0, 1440))
            if company:
                filer: int | None = rng.choice(self.yte)
                residents = self.chairs
            else:
                assert house is not None
                filer = rng.choice(self.committee[house])
                residents = self.house_residents[house]
            suggester = None
            if state in ("suggested", "declined"):
                suggester, filer = rng.choice(residents), None
                if company:  # a suggestion goes to a house's committee
                    company, house = False, rng.randint(1, self.sizes.houses)
                    residents = self.house_residents[house]
                    suggester = rng.choice(residents)
            row: dict[str, Any] = {
                "id": iid,
                "scope": "company" if company else "house",
                "house_id": house,
                "title": _sentence(rng, rng.randint(3, 8)),
                "body": " ".join(_sentence(rng, 12) + "." for _ in range(rng.randint(1, 6))),
                "participation": rng.choice(self.PARTICIPATIONS),
                "state": state,
                "filed_by_id": filer,
                "suggested_by_id": suggester,
                "assignee_id": None,
                "outcome": None,
                "answer": "",
                "answered_by_id": None,
                "submitted_at": None,
                "received_at": None,
                "answered_at": None,
                "implemented_at": None,
                "evaluated_at": None,
                "closed_at": None,
                "receipt_due_on": None,
                "answer_due_on": None,
                "review_on": None,
                "created_at": created,
                "updated_at": created,
                "version": 1,
            }
            history = [("created", None, None, created)]
            moment = created
            if state in self.PATH or state == "withdrawn":
                reached = self.PATH.index(state) if state in self.PATH else rng.randint(0, 2)
                previous = "draft"
                for step in self.PATH[: reached + 1]:
                    moment = min(self.now, moment + timedelta(days=rng.randint(1, 40)))
                    history.append(("state", previous, step, moment))
                    previous = step
                    if step == "submitted":
                        row["submitted_at"] = moment
                        row["receipt_due_on"] = moment.date() + timedelta(days=14)
                    elif step == "received":
                        row["received_at"] = moment
                        row["answer_due_on"] = moment.date() + timedelta(days=60)
                    elif step == "in_preparation":
                        row["assignee_id"] = rng.choice(self.staff)
                    elif step == "answered":
                        row["answered_at"] = moment
                        row["outcome"] = rng.choice(["accepted", "partly_accepted", "rejected"])
                        row["answer"] = _sentence(rng, 20) + "."
                        row["answered_by_id"] = rng.choice(self.staff)
                        row["review_on"] = moment.date() + timedelta(days=180)
                    elif step == "implemented":
                        row["implemented_at"] = moment
                    elif step == "evaluated":
                        row["evaluated_at"] = moment
                        evaluations.append(
                            {
                                "initiative_id": iid,
                                "person_id": filer,
                                "rating": rng.randint(1, 5),
                                "comment": _sentence(rng, 8),
                                "created_at": moment,
                            }
                        )
                if state == "withdrawn":
                    moment = min(self.now, moment + timedelta(days=3))
                    history.append(("state", previous, "withdrawn", moment))
                    row["closed_at"] = moment
            elif state == "declined":
                moment = min(self.now, moment + timedelta(days=10))
                history.append(("state", "suggested", "declined", moment))
                row["closed_at"] = moment
            row["updated_at"] = moment
            row["version"] = len(history)
            initiatives.append(row)
            self.initiative_ids.append(iid)
            if company and state in ("submitted", "received", "in_preparation"):
                self.company_initiatives.append(iid)
            actor = filer or suggester
            for kind, before, after, at in history:
                events.append(
                    {
                        "initiative_id": iid,
                        "kind": kind,
                        "action": self.ACTIONS.get(after or "", ""),
                        "from_state": before,
                        "to_state": after,
                        "actor_id": actor,
                        "note": "",
                        "changes": None,
                        "at": at,
                    }
                )
            if actor is not None:
                followers.append({"initiative_id": iid, "person_id": actor, "created_at": created})
            if state not in ("draft", "suggested"):
                thread: list[int] = []
                for _ in range(rng.choice([0, 1, 1, 2, 2, 3, 4, 5])):
                    comment_id += 1
                    parent = rng.choice(thread) if thread and rng.random() < 0.3 else None
                    if parent is None:
                        thread.append(comment_id)
                    comments.append(
                        {
                            "id": comment_id,
                            "initiative_id": iid,
                            "parent_id": parent,
                            "author_id": rng.choice(residents),
                            "body": _sentence(rng, rng.randint(5, 40)) + ".",
                            "created_at": min(
                                self.now, created + timedelta(days=rng.randint(1, 90))
                            ),
                        }
                    )
        loader.insert(models.Initiative.__table__, initiatives)  # type: ignore[arg-type]
        loader.insert(models.InitiativeEvent.__table__, events)  # type: ignore[arg-type]
        loader.insert(models.InitiativeComment.__table__, comments)  # type: ignore[arg-type]
        loader.insert(models.InitiativeFollower.__table__, followers)  # type: ignore[arg-type]
        loader.insert(models.InitiativeEvaluation.__table__, evaluations)  # type: ignore[arg-type]

    # ---- calendar, forum, newsletters ----------------------------------------------------------

    def calendar_and_forum(self, loader: Loader) -> None:
        rng = self.rng
        audiences = [
            ("all_residents", 20), ("all_chairs", 25), ("house_residents", 25),
            ("house_committee", 15), ("yte", 10), ("management", 5),
        ]  # fmt: skip
        names = [a for a, _ in audiences]
        weights = [w for _, w in audiences]
        events = []
        for year_offset in (-1, 0):
            start = self.today + timedelta(days=365 * year_offset)
            for _ in range(self.sizes.events_per_year):
                day = start + timedelta(days=rng.randint(0, 364))
                audience = rng.choices(names, weights)[0]
                house = rng.randint(1, self.sizes.houses) if audience.startswith("house") else None
                starts = _helsinki(day, rng.choice([9, 13, 17, 18]))
                events.append(
                    {
                        "template_id": None,
                        "occurrence_key": None,
                        "kind": "event",
                        "title_fi": _sentence(rng, 4),
                        "title_sv": "",
                        "title_en": "",
                        "description_fi": _sentence(rng, 20),
                        "description_sv": "",
                        "description_en": "",
                        "starts_at": starts,
                        "ends_at": starts + timedelta(hours=2),
                        "audience": audience,
                        "house_id": house,
                        "participation": rng.choice(self.PARTICIPATIONS),
                        "mode": rng.choice(["physical", "online", "hybrid"]),
                        "place": "Kerhohuone",
                        "link": "",
                        "registration": False,
                        "capacity": None,
                        "invitation_days": 21,
                        "reminder_days": 2,
                        "invitation_sent_at": None,
                        "reminders_sent_at": None,
                        "cancelled_at": None,
                        "adjusted_at": None,
                        "forum_session_id": None,
                        "created_by_id": self.staff[0],
                        "created_at": self.now,
                        "updated_at": self.now,
                        "version": 1,
                    }
                )
        loader.insert(models.CalendarEvent.__table__, events)  # type: ignore[arg-type]

        sessions, items = [], []
        queue = list(self.company_initiatives)
        # Five years back and the next session.
        for session_id, quarter in enumerate(range(-19, 2), start=1):
            day = self.today + timedelta(days=91 * quarter + 20)
            starts = _helsinki(day, 17)
            published = (
                starts - timedelta(days=10) if starts - timedelta(days=10) < self.now else None
            )
            sessions.append(
                {
                    "id": session_id,
                    "title": f"Yhteistyöfoorumi {day.year}/{quarter % 4 + 1}",
                    "starts_at": starts,
                    "duration_minutes": 120,
                    "place": "Haso, Kaupintie",
                    "remote_link": None,
                    "participation": "planning",
                    "agenda_published_at": published,
                    "late_publication_by_id": None,
                    "minutes_published_at": starts + timedelta(days=7)
                    if starts < self.now
                    else None,
                    "created_by_id": self.staff[0],
                    "created_at": self.now,
                    "updated_at": self.now,
                    "version": 1,
                }
            )
            for position in range(8):
                linked = queue.pop() if queue and position < 2 else None
                items.append(
                    {
                        "session_id": session_id,
                        "position": position,
                        "kind": "initiative"
                        if linked
                        else rng.choice(["budget", "theme", "other"]),
                        "initiative_id": linked,
                        "title": _sentence(rng, 5),
                        "description": _sentence(rng, 25),
                        "presenter": "Haso",
                        "planned_minutes": 15,
                        "participation": "planning",
                        "discussion": "",
                        "decision": "",
                        "outcome": None,
                        "follow_up": "",
                        "follow_up_owner_id": None,
                        "follow_up_due": None,
                        "follow_up_done_at": None,
                        "recorded_at": None,
                        "version": 1,
                    }
                )
        loader.insert(models.ForumSession.__table__, sessions)  # type: ignore[arg-type]
        loader.insert(models.AgendaItem.__table__, items)  # type: ignore[arg-type]

    def newsletters(self, loader: Loader) -> None:
        """Newsletters, all sent, with a delivery row per recipient. Residents' newsletters to
        every resident carry their deliveries for the latest two only (older rows would be
        pruned in production too), which keeps the table at a few hundred thousand rows."""
        rng = self.rng
        count = self.sizes.newsletters
        residents_total = sum(len(r) for r in self.house_residents.values())
        letters = []
        kinds = ["chairs"] * 3 + ["residents"] + ["house"] * 6
        deliveries = 0
        residents_seen = 0
        planned: list[tuple[int, str, int | None, datetime]] = []
        for nid in range(1, count + 1):
            kind = kinds[nid % len(kinds)]
            house = rng.randint(1, self.sizes.houses) if kind == "house" else None
            sent = self.now - timedelta(days=(count - nid) * 9 + 1)
            planned.append((nid, kind, house, sent))
        residents_letters = [p for p in planned if p[1] == "residents"]
        with_deliveries = {p[0] for p in residents_letters[-2:]}
        for nid, kind, house, sent in planned:
            if kind == "chairs":
                audience = self.chairs
            elif kind == "house":
                assert house is not None
                audience = self.house_residents[house]
            else:
                audience = [p for r in self.house_residents.values() for p in r]
                residents_seen += 1
            letters.append(
                {
                    "id": nid,
                    "kind": kind,
                    "house_id": house,
                    "title": _sentence(rng, 5),
                    "body_md": "\n\n".join(_sentence(rng, 30) + "." for _ in range(4)),
                    "participation": "information",
                    "include_events": True,
                    "include_initiatives": True,
                    "status": "sent",
                    "scheduled_at": None,
                    "sent_at": sent,
                    "recipients": len(audience) if kind != "residents" else residents_total,
                    "created_by_id": self.staff[0],
                    "created_at": sent - timedelta(days=2),
                    "updated_at": sent,
                }
            )
        loader.insert(models.Newsletter.__table__, letters)  # type: ignore[arg-type]

        def delivery_rows() -> Iterator[dict[str, Any]]:
            for nid, kind, house, sent in planned:
                if kind == "residents" and nid not in with_deliveries:
                    continue
                if kind == "chairs":
                    audience = self.chairs
                elif kind == "house":
                    assert house is not None
                    audience = self.house_residents[house]
                else:
                    audience = [p for r in self.house_residents.values() for p in r]
                for pid in audience:
                    yield {
                        "message_key": f"newsletter:{nid}",
                        "recipient": self._email(pid),
                        "person_id": pid,
                        "subject": f"Uutiskirje {nid}",
                        "body_text": "Uutiskirje, katso portaali.",
                        "body_html": "",
                        "status": "sent",
                        "attempts": 1,
                        "error": "",
                        "next_attempt_at": None,
                        "claimed_at": None,
                        "newsletter_id": nid,
                        "unsubscribe_url": "",
                        "created_at": sent,
                        "sent_at": sent,
                    }

        deliveries = loader.insert(models.Delivery.__table__, delivery_rows())  # type: ignore[arg-type]
        del deliveries

    def _email(self, pid: int) -> str:
        first = self.house_residents[1][0]
        if pid == first:
            return "bench-chair@bench.invalid"
        if pid > first:
            return f"r{pid - first}@bench.invalid"
        return f"staff{pid}@bench.invalid"

    # ---- house finances (when the tables exist) ----------------------------------------------

    FINANCE_GROUPS = [
        ("01", "Hallinto", "maintenance"), ("02", "Käyttö ja huolto", "maintenance"),
        ("03", "Ulkoalueiden hoito", "maintenance"), ("04", "Siivous", "maintenance"),
        ("05", "Lämmitys", "maintenance"), ("06", "Vesi ja jätevesi", "maintenance"),
        ("07", "Sähkö ja kaasu", "maintenance"), ("08", "Jätehuolto", "maintenance"),
        ("09", "Vahinkovakuutukset", "maintenance"), ("10", "Vuokrat", "maintenance"),
        ("11", "Kiinteistövero", "maintenance"), ("12", "Korjaukset", "maintenance"),
        ("13", "Muut hoitokulut", "maintenance"), ("20", "Pääomakulut", "capital"),
        ("30", "Käyttövastikkeet", "income"),
    ]  # fmt: skip

    def finances(self, loader: Loader, conn: Connection) -> str | None:
        """Five years of monthly figures per house and cost group, yearly budgets and usage
        charges, when the schema has the house-finance tables; otherwise a note why not."""
        tables = set(inspect(conn).get_table_names())
        if not {"cost_group", "monthly_actual"} <= tables:
            return "house finances skipped: the schema has no cost_group/monthly_actual tables yet"
        rng = self.rng
        group_table = models.CostGroup.__table__
        existing = conn.execute(text("SELECT id, code FROM cost_group")).all()
        if not existing:
            loader.insert(
                group_table,  # type: ignore[arg-type]
                [
                    {
                        "code": code,
                        "name_fi": name,
                        "name_sv": name,
                        "name_en": name,
                        "kind": kind,
                        "position": n,
                        "active": True,
                    }
                    for n, (code, name, kind) in enumerate(self.FINANCE_GROUPS)
                ],  # fmt: skip
            )
            existing = conn.execute(text("SELECT id, code FROM cost_group")).all()
        groups = [row[0] for row in existing]
        first_year = self.today.year - self.sizes.finance_years + 1
        months = [
            date(year, month, 1)
            for year in range(first_year, self.today.year + 1)
            for month in range(1, 13)
            if date(year, month, 1) <= self.today
        ]
        bases = {(h, g): rng.uniform(200, 6000) for h in self.house_residents for g in groups}

        def actuals() -> Iterator[dict[str, Any]]:
            for (house, group), base in bases.items():
                for month in months:
                    amount = Decimal(f"{base * rng.uniform(0.7, 1.3):.2f}")
                    yield {
                        "house_id": house, "cost_group_id": group, "month": month,
                        "amount": amount, "import_id": None,
                    }  # fmt: skip

        loader.insert(models.MonthlyActual.__table__, actuals())  # type: ignore[arg-type]
        loader.insert(
            models.BudgetLine.__table__,  # type: ignore[arg-type]
            (
                {
                    "house_id": house, "cost_group_id": group, "year": year,
                    "amount": Decimal(f"{base * 12:.2f}"), "updated_by_id": None,
                    "updated_at": self.now,
                }
                for (house, group), base in bases.items()
                for year in range(first_year, self.today.year + 1)
            ),
        )  # fmt: skip
        loader.insert(
            models.UsageCharge.__table__,  # type: ignore[arg-type]
            (
                {
                    "house_id": house, "effective_from": date(year, 1, 1),
                    "amount": Decimal(f"{rng.uniform(9, 14):.2f}"), "created_by_id": None,
                    "created_at": self.now,
                }
                for house in self.house_residents
                for year in range(first_year, self.today.year + 1)
            ),
        )  # fmt: skip
        if "cache_revision" in tables:  # the figures changed: company-wide sums may be cached
            token = f"{rng.getrandbits(128):032x}"
            loader.insert(models.CacheRevision.__table__, [{"name": "finances", "token": token}])  # type: ignore[arg-type]
        return None


def _reset_sequences(conn: Connection) -> None:
    """Explicit ids were inserted: move PostgreSQL's sequences past them."""
    if conn.dialect.name != "postgresql":
        return
    for table in metadata.sorted_tables:
        if "id" in table.c and table.c.id.primary_key and isinstance(table.c.id.type, Integer):
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                )
            )


def generate(url: str, scale: float = 1.0, seed: int = 1, today: date | None = None) -> Report:
    """Empty the database, migrate it and load the dataset; returns timings and row counts."""
    sizes = Sizes.at(scale)
    report = Report(url=url, sizes=sizes)
    started = time.perf_counter()
    reset_database(url)
    migrate(url)
    report.seconds["migrations"] = time.perf_counter() - started
    engine: Engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        # Write-ahead logging lets readers go on while one writer commits (persistent in the file).
        raw = engine.raw_connection()
        try:
            raw.cursor().execute("PRAGMA journal_mode=WAL")
        finally:
            raw.close()
    gen = Generator(sizes, seed, today or date.today())
    with engine.begin() as conn:
        loader = Loader(conn, report)
        for name, step in (
            ("people and houses", gen.people),
            ("committees, meetings, Haso-yte", gen.committees),
            ("initiatives", gen.initiatives),
            ("calendar and forum", gen.calendar_and_forum),
            ("newsletters", gen.newsletters),
        ):
            began = time.perf_counter()
            step(loader)
            report.seconds[name] = time.perf_counter() - began
        began = time.perf_counter()
        note = gen.finances(loader, conn)
        report.seconds["finances"] = time.perf_counter() - began
        if note:
            report.notes.append(note)
        _reset_sequences(conn)
    began = time.perf_counter()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("ANALYZE"))
        else:
            conn.exec_driver_sql("ANALYZE")
    report.seconds["analyze"] = time.perf_counter() - began
    engine.dispose()
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="sqlite:///var/bench.db", help="database URL")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = ten times Haso")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--today", type=date.fromisoformat, default=None)
    args = parser.parse_args(argv)
    report = generate(args.url, args.scale, args.seed, args.today)
    print(report.summary())


if __name__ == "__main__":
    main()
