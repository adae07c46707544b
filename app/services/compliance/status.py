"""Compliance: what the cooperation model promises each year, and where it is not kept.

Per house: a resident meeting every calendar year, a committee whose term has not run out, and
a meeting convened without delay when a tenth of the voters demand one (bodies/demands.py).
For the company: four residents' newsletters a year and the chairs' newsletter every month.
The view counts, the daily reminder job (send_reminders) tells whoever must act, once each.
"""

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, col, select

from app.errors import ValidationFailed
from app.i18n import N_, _
from app.jinja import fmt_date
from app.models.committees import ResidentCommittee
from app.models.demands import MeetingDemand
from app.models.houses import House
from app.models.meetings import ResidentMeeting
from app.models.newsletters import Newsletter, NewsletterKind, NewsletterStatus
from app.models.people import Person
from app.models.types import HELSINKI, local_date
from app.services.access.roles import Principal
from app.services.bodies import demands as demands_service
from app.services.compliance import policies

RESIDENTS_NEWSLETTERS_PROMISED = 4
TERM_WARNING_DAYS = 90  # the view flags a term ending this soon
TERM_REMINDER_DAYS = 60  # the chair and the manager are mailed this long before the end
MEETING_REMINDER_MONTH = 9  # from 1 September a house without a meeting is reminded of
CHAIRS_NEWSLETTER_REMINDER_DAY = 20  # from the 20th a month without Puheenjohtajaposti

MEETING_HELD = "held"
MEETING_PLANNED = "planned"
MEETING_MISSING = "missing"
TERM_OK = "ok"
TERM_ENDING = "ending"
TERM_ENDED = "ended"
TERM_NONE = "none"
MONTH_SENT = "sent"
MONTH_MISSING = "missing"
MONTH_OPEN = "open"  # the current month, not yet sent
MONTH_COMING = "coming"

MEETING_LABELS = {
    MEETING_HELD: N_("Held"),
    MEETING_PLANNED: N_("Planned"),
    MEETING_MISSING: N_("Not held"),
}
TERM_LABELS = {
    TERM_OK: N_("In force"),
    TERM_ENDING: N_("Ends soon"),
    TERM_ENDED: N_("Ended"),
    TERM_NONE: N_("No committee"),
}
MONTH_LABELS = {
    MONTH_SENT: N_("Sent"),
    MONTH_MISSING: N_("Missing"),
    MONTH_OPEN: N_("Not yet sent"),
    MONTH_COMING: N_("Coming"),
}
SORT_KEYS = ("problems", "name", "district", "meeting", "term")
DEFAULT_SORT = "problems"


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The start of a Helsinki calendar year and of the next, in UTC."""
    start = datetime(year, 1, 1, tzinfo=HELSINKI).astimezone(UTC)
    end = datetime(year + 1, 1, 1, tzinfo=HELSINKI).astimezone(UTC)
    return start, end


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """The start of a Helsinki month and of the next, in UTC."""
    start = datetime(year, month, 1, tzinfo=HELSINKI)
    following = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=HELSINKI)
    return start.astimezone(UTC), following.astimezone(UTC)


# ---- houses ----------------------------------------------------------------------------------


@dataclass
class HouseRow:
    """One house's compliance in a year."""

    house: House
    meeting: str  # MEETING_*
    meeting_at: datetime | None  # the held meeting, else the planned one
    committee: ResidentCommittee | None  # the term that ends last
    term: str  # TERM_*
    manager_name: str = ""
    # The oldest due demand for a meeting that no convened meeting answers yet (open today,
    # whatever the year shown).
    demand: MeetingDemand | None = None

    @property
    def problems(self) -> list[str]:
        """What is wrong, as codes: meeting, term, demand."""
        found = []
        if self.meeting == MEETING_MISSING:
            found.append("meeting")
        if self.term in (TERM_ENDED, TERM_NONE, TERM_ENDING):
            found.append("term")
        if self.demand is not None:
            found.append("demand")
        return found


def _meeting_status(meetings: list[ResidentMeeting], now: datetime) -> tuple[str, datetime | None]:
    held = [m.starts_at for m in meetings if m.starts_at <= now]
    if held:
        return MEETING_HELD, max(held)
    planned = [m.starts_at for m in meetings if m.starts_at > now]
    if planned:
        return MEETING_PLANNED, min(planned)
    return MEETING_MISSING, None


def term_status(committee: ResidentCommittee | None, today: date) -> str:
    """Whether a committee's term is in force, ends within TERM_WARNING_DAYS, or has ended."""
    if committee is None:
        return TERM_NONE
    if committee.term_end < today:
        return TERM_ENDED
    if committee.term_end <= today + timedelta(days=TERM_WARNING_DAYS):
        return TERM_ENDING
    return TERM_OK


def _latest_committees(session: Session) -> dict[int, ResidentCommittee]:
    """Per house, the committee whose term ends last.

    A next term already recorded (starting after today) thus stands for the house: it has seen
    to its next election, and the view judges the term that follows.
    """
    found: dict[int, ResidentCommittee] = {}
    for committee in session.exec(
        select(ResidentCommittee).order_by(
            col(ResidentCommittee.term_end), col(ResidentCommittee.id)
        )
    ):
        found[committee.house_id] = committee  # the latest term wins
    return found


def house_rows(
    session: Session,
    year: int,
    now: datetime,
    house_ids: Collection[int] | None = None,
    sort: str = DEFAULT_SORT,
    only_problems: bool = False,
) -> list[HouseRow]:
    """Every house (or those given) with its meeting and committee status; problems first."""
    today = local_date(now)
    query = select(House).order_by(col(House.name), col(House.id))
    if house_ids is not None:
        if not house_ids:
            return []
        query = query.where(col(House.id).in_(sorted(house_ids)))
    houses = list(session.exec(query))
    start, end = year_bounds(year)
    meetings: dict[int, list[ResidentMeeting]] = {}
    for meeting in session.exec(
        select(ResidentMeeting).where(
            ResidentMeeting.starts_at >= start, ResidentMeeting.starts_at < end
        )
    ):
        meetings.setdefault(meeting.house_id, []).append(meeting)
    committees = _latest_committees(session)
    demands: dict[int, MeetingDemand] = {}
    for demand, _house in demands_service.open_due(session, house_ids):
        demands.setdefault(demand.house_id, demand)  # the oldest first
    manager_ids = {h.property_manager_id for h in houses if h.property_manager_id}
    names: dict[int | None, str] = {}
    if manager_ids:
        rows_found = session.exec(
            select(Person.id, Person.name).where(col(Person.id).in_(manager_ids))
        )
        names = {person_id: name for person_id, name in rows_found}
    rows = []
    for house in houses:
        assert house.id is not None
        status, when = _meeting_status(meetings.get(house.id, []), now)
        committee = committees.get(house.id)
        rows.append(
            HouseRow(
                house=house,
                meeting=status,
                meeting_at=when,
                committee=committee,
                term=term_status(committee, today),
                manager_name=names.get(house.property_manager_id, "")
                if house.property_manager_id
                else "",
                demand=demands.get(house.id),
            )
        )
    if only_problems:
        rows = [r for r in rows if r.problems]
    return sorted(rows, key=_sort_key(sort if sort in SORT_KEYS else DEFAULT_SORT))


_MEETING_ORDER = {MEETING_MISSING: 0, MEETING_PLANNED: 1, MEETING_HELD: 2}
_TERM_ORDER = {TERM_NONE: 0, TERM_ENDED: 1, TERM_ENDING: 2, TERM_OK: 3}


def _sort_key(sort: str):  # type: ignore[no-untyped-def]
    def name(row: HouseRow) -> tuple[str, int]:
        return row.house.name.casefold(), row.house.id or 0

    if sort == "name":
        return name
    if sort == "district":
        return lambda row: (row.house.district.casefold(), *name(row))
    if sort == "meeting":
        return lambda row: (_MEETING_ORDER[row.meeting], *name(row))
    if sort == "term":
        return lambda row: (
            _TERM_ORDER[row.term],
            row.committee.term_end if row.committee else date.min,
            *name(row),
        )
    return lambda row: (
        -len(row.problems),
        _MEETING_ORDER[row.meeting],
        _TERM_ORDER[row.term],
        *name(row),
    )


def visible_house_ids(user: Principal) -> set[int] | None:
    """The houses whose rows a user sees: None for every house (management)."""
    if policies.can_view_company_compliance(user):
        return None
    return set(user.manager_of)


# ---- newsletters -----------------------------------------------------------------------------


@dataclass
class Month:
    """One month of the chairs' newsletter."""

    month: int
    status: str  # MONTH_*
    sent_at: datetime | None = None


@dataclass
class Newsletters:
    """The company's newsletters in a year against the promises."""

    year: int
    residents_sent: list[Newsletter]
    residents_expected: int  # by now: one per quarter passed
    months: list[Month] = field(default_factory=list)

    @property
    def residents_behind(self) -> bool:
        """Fewer residents' newsletters than the quarters passed."""
        return len(self.residents_sent) < self.residents_expected

    @property
    def missing_months(self) -> list[int]:
        """Months that ended without a chairs' newsletter."""
        return [m.month for m in self.months if m.status == MONTH_MISSING]


def quarters_passed(year: int, today: date) -> int:
    """How many quarters of a year have ended by today."""
    if year < today.year:
        return 4
    if year > today.year:
        return 0
    return (today.month - 1) // 3


def sent_count(
    session: Session, kind: NewsletterKind, start: datetime, end: datetime
) -> list[Newsletter]:
    return list(
        session.exec(
            select(Newsletter)
            .where(
                Newsletter.kind == kind,
                Newsletter.status == NewsletterStatus.sent,
                col(Newsletter.sent_at).is_not(None),
                col(Newsletter.sent_at) >= start,
                col(Newsletter.sent_at) < end,
            )
            .order_by(col(Newsletter.sent_at))
        )
    )


def newsletters(session: Session, year: int, today: date) -> Newsletters:
    """Residents' newsletters sent in a year, and each month's chairs' newsletter."""
    start, end = year_bounds(year)
    chairs = sent_count(session, NewsletterKind.chairs, start, end)
    by_month: dict[int, datetime] = {}
    for letter in chairs:
        assert letter.sent_at is not None
        by_month.setdefault(local_date(letter.sent_at).month, letter.sent_at)
    months = []
    for month in range(1, 13):
        if month in by_month:
            status = MONTH_SENT
        elif (year, month) < (today.year, today.month):
            status = MONTH_MISSING
        elif (year, month) == (today.year, today.month):
            status = MONTH_OPEN
        else:
            status = MONTH_COMING
        months.append(Month(month, status, by_month.get(month)))
    return Newsletters(
        year=year,
        residents_sent=sent_count(session, NewsletterKind.residents, start, end),
        residents_expected=quarters_passed(year, today),
        months=months,
    )


def chairs_newsletter_sent(session: Session, year: int, month: int) -> bool:
    """Whether a chairs' newsletter was sent in a Helsinki month."""
    start, end = month_bounds(year, month)
    return bool(sent_count(session, NewsletterKind.chairs, start, end))


# ---- reminders -------------------------------------------------------------------------------


def label(labels: dict[str, str], code: str) -> str:
    """A status code's label in the current language."""
    return _(labels[code])


FIRST_YEAR = 2000


def check_year(raw: str | None, today: date) -> int:
    """The year asked for (this year when none), from FIRST_YEAR to next year."""
    if raw is None or not raw.strip():
        return today.year
    try:
        year = int(raw.strip())
    except ValueError:
        year = 0
    if not FIRST_YEAR <= year <= today.year + 1:
        raise ValidationFailed(
            {
                "year": _(
                    "Enter a year from %(first)s to %(last)s.",
                    first=FIRST_YEAR,
                    last=today.year + 1,
                )
            }
        )
    return year


def years(today: date) -> list[int]:
    """The years offered in the view's year choice, newest first."""
    return list(range(today.year + 1, today.year - 6, -1))


def month_name(year: int, month: int) -> str:
    """A month's name in the current language (e.g. "tammikuu")."""
    return fmt_date(date(year, month, 1), "LLLL")
