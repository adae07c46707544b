"""The participation profile: how many items of each kind of participation took place in a year.

Counts are made for a house, a district (its houses together) or the whole company, and every
house side by side. An item "took place" when its moment (see each source) falls in the calendar
year in Helsinki time and has already come.

Adding a source: every kind of participatory item is one entry of SOURCES. Write a query function
`(session, window, house_ids) -> rows`, where rows are (house_id or None, Participation, count)
grouped by house and kind, counting items whose moment is in [window.start, window.end). With
house_ids given, return only those houses' items (no company-level ones); with None, return
everything, company-level items with house_id None. Then add `Source("events", N_("Events"),
_events)` to SOURCES (company_only=True if the source has no house-level items). One query per
source serves every house at once, so the side-by-side table stays a handful of queries.

Totals add up the sources: an initiative handled in the forum counts once as an initiative and
once as an agenda item (the pages and the API say so).
"""

from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from sqlalchemy import case, func
from sqlmodel import Session, col, or_, select

from app.errors import ValidationFailed
from app.i18n import N_, _
from app.models.forum import AgendaItem, ForumSession
from app.models.houses import House, Residency
from app.models.initiatives import Initiative, Scope, State
from app.models.meetings import ResidentMeeting
from app.models.participation import Participation
from app.models.types import HELSINKI, utcnow

FIRST_YEAR = 2000
KINDS: tuple[Participation, ...] = tuple(Participation)

Row = tuple[int | None, Participation, int]
Level = Literal["house", "district", "company"]


@dataclass(frozen=True)
class Window:
    """A stretch of time in UTC: from start (inclusive) to end (exclusive)."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class Source:
    """One kind of participatory item the profile counts."""

    name: str  # a stable code, used by the API
    label: str  # a msgid, for pages
    query: Callable[[Session, Window, Collection[int] | None], Iterable[Row]]
    company_only: bool = False  # no house-level items: left out of house and district profiles


def _initiatives(session: Session, window: Window, house_ids: Collection[int] | None) -> list[Row]:
    """Initiatives by the moment they were submitted (drafts and suggestions never count, nor
    withdrawn ones: their handling did not take place); house scope for its house, company
    scope at company level only."""
    house = case((col(Initiative.scope) == Scope.house, col(Initiative.house_id)), else_=None)
    stmt = (
        select(house, Initiative.participation, func.count())
        .where(
            col(Initiative.submitted_at).is_not(None),
            col(Initiative.state) != State.withdrawn,
            col(Initiative.submitted_at) >= window.start,
            col(Initiative.submitted_at) < window.end,
        )
        .group_by(house, col(Initiative.participation))
    )
    if house_ids is not None:
        stmt = stmt.where(
            Initiative.scope == Scope.house, col(Initiative.house_id).in_(list(house_ids))
        )
    return [(h, Participation(p), n) for h, p, n in session.exec(stmt)]


def _forum_items(session: Session, window: Window, house_ids: Collection[int] | None) -> list[Row]:
    """Agenda items of the cooperation forum, by the session's start (company level)."""
    if house_ids is not None:
        return []
    stmt = (
        select(AgendaItem.participation, func.count())
        .join(ForumSession, col(ForumSession.id) == AgendaItem.session_id)
        .where(ForumSession.starts_at >= window.start, ForumSession.starts_at < window.end)
        .group_by(col(AgendaItem.participation))
    )
    return [(None, Participation(p), n) for p, n in session.exec(stmt)]


def _meetings(session: Session, window: Window, house_ids: Collection[int] | None) -> list[Row]:
    """Resident meetings that have started, by their start, for their house."""
    stmt = (
        select(ResidentMeeting.house_id, ResidentMeeting.participation, func.count())
        .where(ResidentMeeting.starts_at >= window.start, ResidentMeeting.starts_at < window.end)
        .group_by(col(ResidentMeeting.house_id), col(ResidentMeeting.participation))
    )
    if house_ids is not None:
        stmt = stmt.where(col(ResidentMeeting.house_id).in_(list(house_ids)))
    return [(h, Participation(p), n) for h, p, n in session.exec(stmt)]


# Later: events, newsletters, budget steps, surveys (one entry each, see the module docstring).
SOURCES: list[Source] = [
    Source("initiatives", N_("Initiatives"), _initiatives),
    Source("forum_agenda_items", N_("Cooperation forum agenda items"), _forum_items, True),
    Source("resident_meetings", N_("Resident meetings"), _meetings),
]


# ---- years ---------------------------------------------------------------------------------


def current_year(now: datetime | None = None) -> int:
    """The calendar year in Helsinki."""
    return (now or utcnow()).astimezone(HELSINKI).year


def check_year(raw: str | int | None, today: date) -> int:
    """The year asked for: today's year if none; a field error unless 2000 to next year."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return today.year
    try:
        year = int(raw)
    except ValueError:
        raise ValidationFailed({"year": _("Enter a whole number.")}) from None
    if year < FIRST_YEAR:
        raise ValidationFailed({"year": _("Enter a value of at least %(n)s.", n=FIRST_YEAR)})
    if year > today.year + 1:
        raise ValidationFailed({"year": _("Enter a value of at most %(n)s.", n=today.year + 1)})
    return year


def year_choices(today: date, chosen: int | None = None) -> list[int]:
    """Years offered in the year select, newest first: next year back ten years."""
    years = list(range(today.year + 1, max(FIRST_YEAR, today.year - 10) - 1, -1))
    if chosen is not None and chosen not in years and FIRST_YEAR <= chosen <= today.year + 1:
        years.append(chosen)
        years.sort(reverse=True)
    return years


def window(year: int, now: datetime | None = None) -> Window:
    """The part of a Helsinki calendar year that has passed by now."""
    start = datetime(year, 1, 1, tzinfo=HELSINKI).astimezone(UTC)
    end = datetime(year + 1, 1, 1, tzinfo=HELSINKI).astimezone(UTC)
    return Window(start, min(end, now or utcnow()))


def check_district(session: Session, raw: str | None, min_group: int = 1) -> str | None:
    """The district asked for (None: the whole company); a field error if no house is in it, or
    fewer than min_group (a smaller district's profile would be a house's own)."""
    if raw is None or not raw.strip():
        return None
    houses = len(district_house_ids(session, raw))
    if not houses:
        raise ValidationFailed({"district": _("Choose one of the options.")})
    if houses < min_group:
        reason = _("Too few houses to compare: a district needs at least %(n)s.", n=min_group)
        raise ValidationFailed({"district": reason})
    return raw


def houses_by_name(session: Session, house_ids: Collection[int]) -> list[House]:
    """Houses by id, alphabetically."""
    if not house_ids:
        return []
    stmt = select(House).where(col(House.id).in_(list(house_ids))).order_by(col(House.name))
    return list(session.exec(stmt))


# ---- the profile ---------------------------------------------------------------------------


@dataclass
class Profile:
    """Counts per kind and per source for a house, a district or the company."""

    year: int
    level: Level
    house_id: int | None = None
    district: str | None = None
    by_source: dict[str, dict[Participation, int]] = field(default_factory=dict)
    counts: dict[Participation, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Items of every kind together."""
        return sum(self.counts.values())

    @property
    def missing(self) -> list[Participation]:
        """The kinds of which nothing took place, in the model's order."""
        return [kind for kind in KINDS if not self.counts.get(kind)]

    def sources(self) -> list[Source]:
        """The sources counted at this level, in the order of SOURCES."""
        return [s for s in SOURCES if s.name in self.by_source]


def _zero() -> dict[Participation, int]:
    return dict.fromkeys(KINDS, 0)


def district_house_ids(session: Session, district: str) -> list[int]:
    """The ids of a district's houses."""
    ids = session.exec(select(House.id).where(House.district == district))
    return [i for i in ids if i is not None]


def profile(
    session: Session,
    year: int,
    *,
    house_id: int | None = None,
    district: str | None = None,
    now: datetime | None = None,
) -> Profile:
    """The year's counts for a house, a district (its houses), or else the whole company."""
    house_ids: list[int] | None = None
    level: Level
    if house_id is not None:
        level, house_ids = "house", [house_id]
    elif district is not None:
        level, house_ids = "district", district_house_ids(session, district)
    else:
        level = "company"
    result = Profile(year=year, level=level, house_id=house_id, district=district)
    span = window(year, now)
    totals = _zero()
    for source in SOURCES:
        if source.company_only and house_ids is not None:
            continue
        counts = _zero()
        if house_ids != []:
            for _house, kind, n in source.query(session, span, house_ids):
                counts[kind] += n
        result.by_source[source.name] = counts
        for kind, n in counts.items():
            totals[kind] += n
    result.counts = totals
    return result


# ---- every house ---------------------------------------------------------------------------


def _per_house(
    session: Session, year: int, house_ids: Collection[int] | None, now: datetime | None
) -> dict[int, Counter[Participation]]:
    """house id → counts per kind: one query per source, whatever the number of houses."""
    span = window(year, now)
    found: dict[int, Counter[Participation]] = {}
    for source in SOURCES:
        if source.company_only:
            continue
        for house_id, kind, n in source.query(session, span, house_ids):
            if house_id is not None:
                found.setdefault(house_id, Counter())[kind] += n
    return found


@dataclass(frozen=True)
class Average:
    """The average count per kind over the houses counted, to one decimal."""

    counts: dict[Participation, Decimal]
    houses: int  # how many houses the average is over


def _inhabited(session: Session, year: int) -> list[int]:
    """Houses with someone living in them at some point of the year."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    stmt = (
        select(Residency.house_id)
        .where(
            Residency.starts_on <= last,
            or_(col(Residency.ends_on).is_(None), col(Residency.ends_on) >= first),
        )
        .distinct()
    )
    return list(session.exec(stmt))


def company_average_per_house(session: Session, year: int, now: datetime | None = None) -> Average:
    """The average per house of house-level items, per kind.

    Over the houses that had residents at some point of the year: a house nobody lived in (not
    yet built, or emptied for renovation) has no one to take part and would only pull the
    average down. Company-level items (company initiatives, the forum) are not per house and
    are left out.
    """
    houses = _inhabited(session, year)
    if not houses:
        return Average(dict.fromkeys(KINDS, Decimal("0.0")), 0)
    per_house = _per_house(session, year, houses, now)
    sums: Counter[Participation] = Counter()
    for counts in per_house.values():
        sums.update(counts)
    return Average(
        {
            kind: (Decimal(sums[kind]) / len(houses)).quantize(Decimal("0.1"), ROUND_HALF_UP)
            for kind in KINDS
        },
        len(houses),
    )


@dataclass(frozen=True)
class HouseRow:
    """One house's line in the side-by-side table."""

    house_id: int
    code: str
    name: str
    district: str
    counts: dict[Participation, int]

    @property
    def total(self) -> int:
        """Items of every kind together."""
        return sum(self.counts.values())

    @property
    def missing(self) -> list[Participation]:
        """The kinds of which nothing took place."""
        return [kind for kind in KINDS if not self.counts.get(kind)]


SORT_KEYS = ("name", "code", "district", "total", "missing", *(k.value for k in KINDS))
DEFAULT_SORT = "name"


def _sort_key(sort: str) -> Callable[[HouseRow], tuple[object, ...]]:
    if sort in ("code", "district"):
        return lambda row: (getattr(row, sort).casefold(), row.name.casefold())
    if sort == "total":
        return lambda row: (-row.total, row.name.casefold())
    if sort == "missing":
        return lambda row: (-len(row.missing), row.name.casefold())
    if sort in Participation.__members__:
        kind = Participation(sort)
        return lambda row: (-row.counts[kind], row.name.casefold())
    return lambda row: (row.name.casefold(), row.code)


def houses_side_by_side(
    session: Session,
    year: int,
    *,
    district: str | None = None,
    sort: str = DEFAULT_SORT,
    now: datetime | None = None,
) -> list[HouseRow]:
    """Every house (of a district) with its counts per kind; counts sort the most first."""
    stmt = select(House)
    if district is not None:
        stmt = stmt.where(House.district == district)
    houses = [(h.id, h) for h in session.exec(stmt) if h.id is not None]
    ids = None if district is None else [house_id for house_id, _h in houses]
    per_house = _per_house(session, year, ids, now)
    rows = [
        HouseRow(
            house_id=house_id,
            code=h.code,
            name=h.name,
            district=h.district,
            counts={kind: per_house.get(house_id, Counter())[kind] for kind in KINDS},
        )
        for house_id, h in houses
    ]
    return sorted(rows, key=_sort_key(sort if sort in SORT_KEYS else DEFAULT_SORT))
