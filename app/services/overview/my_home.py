"""A resident's own home on the front page: the apartment's floor area and monthly usage charge,
what the charge pays for, the house's next resident meeting, the latest newsletter and the
person's coming event registrations.

Everything comes from its own record (the meeting from the meetings, the charge from the
house's usage charges, the shares from the monthly figures), in a handful of queries whatever
the number of homes.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from app.i18n import _, get_language
from app.models.calendar import CalendarEvent, EventRegistration, RegistrationStatus
from app.models.finances import CostGroup, GroupKind, MonthlyActual, UsageCharge
from app.models.houses import House, Residency
from app.models.meetings import ResidentMeeting
from app.models.newsletters import Newsletter, NewsletterKind, NewsletterStatus
from app.models.people import Person
from app.models.types import local_date
from app.services.access import policies as access_policies
from app.services.access.roles import Principal
from app.services.bodies import apartments as apartments_service
from app.services.calendar import registrations as registrations_service
from app.services.finances import figures
from app.services.finances import policies as finances_policies
from app.services.newsletters import content as newsletter_content
from app.services.newsletters import policies as newsletters_policies
from app.services.platform import charts

COST_KINDS = (GroupKind.maintenance, GroupKind.capital)  # what the usage charge pays for
REGISTRATIONS_SHOWN = 10
NEWSLETTERS_READ = 20  # newest sent ones looked at for one the person may read
PERCENT_TENTHS = 1000  # shares are rounded to tenths of a per cent: 100.0 % is 1000 tenths


@dataclass
class CostShare:
    """A cost group's part of a house's costs in a year."""

    name: str
    amount: Decimal
    percent: Decimal  # one decimal; a house's shares add up to exactly 100.0


@dataclass
class Home:
    """One apartment the person lives in, with what it costs them and what that pays for."""

    residency_id: int
    house: House
    apartment: str
    property_manager: Person | None
    floor_area: Decimal | None  # m²; None: not recorded
    charge_per_m2: Decimal | None  # €/m² a month in effect today; None: none recorded
    charge_from: date | None
    next_charge_per_m2: Decimal | None = None  # a charge already decided for a later day
    next_charge_from: date | None = None
    next_meeting: ResidentMeeting | None = None
    costs_year: int | None = None  # the year the shares are of; None: no figures
    costs_to_date: bool = False  # the year is not over
    costs_total: Decimal = figures.ZERO
    shares: list[CostShare] = field(default_factory=list)
    chart: charts.BarChart | None = None

    @property
    def monthly_charge(self) -> Decimal | None:
        """The apartment's usage charge a month: floor area × €/m², to the cent."""
        return _monthly(self.floor_area, self.charge_per_m2)

    @property
    def next_monthly_charge(self) -> Decimal | None:
        """The monthly charge from the next charge's first day on."""
        return _monthly(self.floor_area, self.next_charge_per_m2)


@dataclass
class NewsletterLine:
    """The latest newsletter, titled in the reader's language (or in Finnish)."""

    newsletter_id: int
    title: str
    lang: str  # the title's language
    sent_at: datetime | None


@dataclass
class RegistrationLine:
    """A coming event the person has registered for or waits a place at."""

    event_id: int
    title: str
    starts_at: datetime
    place: str
    waiting: bool
    participants: int
    cancelled: bool  # the event was called off


@dataclass
class MyHome:
    """Everything of the person's own on the front page."""

    homes: list[Home]
    newsletter: NewsletterLine | None = None
    registrations: list[RegistrationLine] = field(default_factory=list)


def _monthly(area: Decimal | None, per_m2: Decimal | None) -> Decimal | None:
    if area is None or per_m2 is None:
        return None
    # Rounded as the house's billing rounds it (figures.billed): area × charge, to the cent.
    return (area * per_m2).quantize(figures.CENT)


def for_person(session: Session, user: Principal, now: datetime) -> MyHome | None:
    """The person's homes today and what goes with them; None for someone who lives nowhere."""
    today = local_date(now)
    residencies = list(
        session.exec(
            select(Residency, House)
            .join(House, col(House.id) == Residency.house_id)
            .where(
                Residency.person_id == user.id,
                Residency.starts_on <= today,
                or_(col(Residency.ends_on).is_(None), col(Residency.ends_on) >= today),
            )
            .order_by(col(House.name), col(Residency.apartment), col(Residency.id))
        )
    )
    if not residencies:
        return None
    house_ids = sorted({house.id for _r, house in residencies if house.id is not None})
    areas = apartments_service.floor_areas(session, (r for r, _house in residencies))
    managers = _managers(session, [house for _r, house in residencies])
    charges = _charges(session, house_ids)
    meetings = _next_meetings(session, house_ids, now)
    costs = _costs(session, house_ids, today.year)
    homes = []
    for residency, house in residencies:
        assert residency.id is not None and house.id is not None
        current, coming = _charge_now_and_next(charges.get(house.id, []), today)
        home = Home(
            residency_id=residency.id,
            house=house,
            apartment=residency.apartment,
            property_manager=managers.get(house.property_manager_id or 0),
            floor_area=areas.get(residency.id),
            charge_per_m2=current.amount if current else None,
            charge_from=current.effective_from if current else None,
            next_charge_per_m2=coming.amount if coming else None,
            next_charge_from=coming.effective_from if coming else None,
            next_meeting=meetings.get(house.id),
        )
        if finances_policies.can_view_finances(user, house.id):  # a resident's yearly figures
            _add_costs(home, costs, today.year)
        homes.append(home)
    return MyHome(
        homes=homes,
        newsletter=latest_newsletter(session, user),
        registrations=coming_registrations(session, user, now),
    )


def _managers(session: Session, houses: list[House]) -> dict[int, Person]:
    ids = sorted({h.property_manager_id for h in houses if h.property_manager_id is not None})
    if not ids:
        return {}
    found = session.exec(select(Person).where(col(Person.id).in_(ids), col(Person.is_active)))
    return {p.id: p for p in found if p.id is not None}


def _charges(session: Session, house_ids: list[int]) -> dict[int, list[UsageCharge]]:
    """Each house's usage charges, newest first."""
    found: dict[int, list[UsageCharge]] = defaultdict(list)
    query = (
        select(UsageCharge)
        .where(col(UsageCharge.house_id).in_(house_ids))
        .order_by(col(UsageCharge.effective_from).desc())
    )
    for charge in session.exec(query):
        found[charge.house_id].append(charge)
    return found


def _charge_now_and_next(
    charges: list[UsageCharge], today: date
) -> tuple[UsageCharge | None, UsageCharge | None]:
    """The charge in effect today and the first one decided for a later day (newest first in)."""
    current = next((c for c in charges if c.effective_from <= today), None)
    coming = [c for c in charges if c.effective_from > today]
    return current, (coming[-1] if coming else None)


def _next_meetings(
    session: Session, house_ids: list[int], now: datetime
) -> dict[int, ResidentMeeting]:
    """Each house's next resident meeting, as convened (its own record, not the calendar's)."""
    found: dict[int, ResidentMeeting] = {}
    query = (
        select(ResidentMeeting)
        .where(col(ResidentMeeting.house_id).in_(house_ids), ResidentMeeting.starts_at >= now)
        .order_by(col(ResidentMeeting.starts_at), col(ResidentMeeting.id))
    )
    for meeting in session.exec(query):
        found.setdefault(meeting.house_id, meeting)
    return found


@dataclass
class _Costs:
    """The actual costs per house, year and cost group (by id), and the groups."""

    groups: dict[int, CostGroup] = field(default_factory=dict)
    amounts: dict[int, dict[int, dict[int, Decimal]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(lambda: defaultdict(Decimal)))
    )


def _costs(session: Session, house_ids: list[int], year: int) -> _Costs:
    """The houses' maintenance and capital costs of this year and the last (one query).

    Each month's figure is a row (at most 24 a group and house), summed here: the same on
    every database.
    """
    found = _Costs()
    query = (
        select(
            CostGroup,
            col(MonthlyActual.house_id),
            col(MonthlyActual.month),
            col(MonthlyActual.amount),
        )
        .join(MonthlyActual, col(MonthlyActual.cost_group_id) == CostGroup.id)
        .where(
            col(MonthlyActual.house_id).in_(house_ids),
            MonthlyActual.month >= date(year - 1, 1, 1),
            MonthlyActual.month <= date(year, 12, 1),
            col(CostGroup.kind).in_(COST_KINDS),
            col(CostGroup.active),
        )
    )
    for group, house_id, month, amount in session.exec(query):
        assert group.id is not None
        found.groups[group.id] = group
        found.amounts[house_id][month.year][group.id] += amount
    return found


def shares(amounts: list[Decimal]) -> list[Decimal]:
    """Each amount's share of their sum in per cent, to one decimal, adding up to exactly 100.0.

    Rounded by the largest remainder: each share is first rounded down, then the tenths still
    missing go to the shares that lost most in rounding. Every amount must be above zero.
    """
    total = sum(amounts, figures.ZERO)
    if not amounts or total <= 0:
        return []
    exact = [amount * PERCENT_TENTHS / total for amount in amounts]
    tenths = [int(value) for value in exact]  # positive: int() rounds down
    missing = PERCENT_TENTHS - sum(tenths)
    by_remainder = sorted(range(len(exact)), key=lambda i: (exact[i] - tenths[i], -i), reverse=True)
    for i in by_remainder[:missing]:
        tenths[i] += 1
    return [Decimal(t).scaleb(-1) for t in tenths]


def _add_costs(home: Home, costs: _Costs, year: int) -> None:
    """This year's costs to date or, before this year has figures, last year's, as shares."""
    assert home.house.id is not None
    by_year = costs.amounts.get(home.house.id, {})
    costs_year = year if by_year.get(year) else year - 1
    # A group that came out at zero or below (e.g. a refund) has no share of what was paid.
    paid = sorted(
        (
            (costs.groups[group_id], amount)
            for group_id, amount in by_year.get(costs_year, {}).items()
            if amount > 0
        ),
        key=lambda pair: (pair[0].position, pair[0].id or 0),
    )
    if not paid:
        return
    lang = get_language()
    percents = shares([amount for _group, amount in paid])
    home.costs_year = costs_year
    home.costs_to_date = costs_year == year
    home.costs_total = sum((amount for _group, amount in paid), figures.ZERO)
    home.shares = [
        CostShare(name=group.name(lang), amount=amount, percent=percent)
        for (group, amount), percent in zip(paid, percents, strict=True)
    ]
    home.chart = charts.horizontal_bar_chart(
        f"my-home-costs-{home.residency_id}",
        _("Shares of the house's costs by cost group, %(year)s", year=costs_year),
        _("A bar for each cost group: its share of the house's costs in the year, in per cent."),
        [share.name for share in home.shares],
        [charts.Series(_("Share, %"), [share.percent for share in home.shares], digits=1)],
        category_header=_("Cost group"),
    )


def latest_newsletter(session: Session, user: Principal) -> NewsletterLine | None:
    """The newest sent newsletter the person may read, with its title in their language."""
    query = select(Newsletter).where(Newsletter.status == NewsletterStatus.sent)
    if not access_policies.is_staff_overseer(user):
        # The kinds whose audience may include the person; can_read_newsletter has the last word.
        kinds = [col(Newsletter.kind) == NewsletterKind.residents]
        if user.houses:
            kinds.append(
                and_(
                    col(Newsletter.kind) == NewsletterKind.house,
                    col(Newsletter.house_id).in_(sorted(user.houses)),
                )
            )
        if user.is_chair:
            kinds.append(col(Newsletter.kind) == NewsletterKind.chairs)
        query = query.where(or_(*kinds))
    query = query.order_by(col(Newsletter.sent_at).desc(), col(Newsletter.id).desc())
    for newsletter in session.exec(query.limit(NEWSLETTERS_READ)):
        if newsletter.id is not None and newsletters_policies.can_read_newsletter(user, newsletter):
            title, lang = newsletter_content.title_in(newsletter, get_language())
            return NewsletterLine(newsletter.id, title, lang, newsletter.sent_at)
    return None


def coming_registrations(
    session: Session, user: Principal, now: datetime
) -> list[RegistrationLine]:
    """The person's registrations and waiting-list places for events not yet over, soonest first."""
    lang = get_language()
    query = (
        select(EventRegistration, CalendarEvent)
        .join(CalendarEvent, col(CalendarEvent.id) == EventRegistration.event_id)
        .where(
            EventRegistration.person_id == user.id,
            col(EventRegistration.status).in_(registrations_service.ACTIVE),
            CalendarEvent.ends_at >= now,
        )
        .order_by(col(CalendarEvent.starts_at), col(CalendarEvent.id))
        .limit(REGISTRATIONS_SHOWN)
    )
    return [
        RegistrationLine(
            event_id=event.id,
            title=registrations_service.title_in(event, lang),
            starts_at=event.starts_at,
            place=event.place,
            waiting=registration.status == RegistrationStatus.waiting,
            participants=registration.participants,
            cancelled=event.cancelled_at is not None,
        )
        for registration, event in session.exec(query)
        if event.id is not None
    ]
