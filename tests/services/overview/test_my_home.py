"""My home on the front page: the apartment's floor area and monthly usage charge, what the
charge pays for, the house's next meeting, the latest newsletter, coming registrations, and the
partial that shows them."""

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event
from sqlmodel import col, select

from app import i18n
from app.demo import load as demo
from app.jinja import fmt_money
from app.models.calendar import EventRegistration, RegistrationStatus
from app.models.finances import MonthlyActual, UsageCharge
from app.models.houses import Apartment, House, Residency
from app.models.meetings import ResidentMeeting
from app.models.newsletters import Newsletter, NewsletterKind, NewsletterStatus
from app.models.people import Person, StaffKind
from app.models.types import utcnow
from app.services.access.roles import load_principal
from app.services.overview import my_home
from app.templating import templates
from tests.support import fi, make_house, make_manager, make_person, make_resident, make_staff
from tests.support_calendar import make_event

NOW = utcnow()
TODAY = NOW.astimezone(ZoneInfo("Europe/Helsinki")).date()
YEAR = TODAY.year


@pytest.fixture(autouse=True)
def english():
    """Messages in English, whatever catalogues exist (the partial's test picks Finnish)."""
    with i18n.use_language("en"):
        yield


def apartment(session, house, label: str, area: str | None) -> Apartment:
    row = Apartment(house_id=house.id, label=label, floor_area_m2=Decimal(area) if area else None)
    session.add(row)
    session.flush()
    return row


def charge(session, house, effective_from: date, amount: str) -> UsageCharge:
    row = UsageCharge(house_id=house.id, effective_from=effective_from, amount=Decimal(amount))
    session.add(row)
    session.flush()
    return row


def actual(session, house, group, year: int, month: int, amount: str) -> None:
    session.add(
        MonthlyActual(
            house_id=house.id,
            cost_group_id=group.id,
            month=date(year, month, 1),
            amount=Decimal(amount),
        )
    )
    session.flush()


def meeting(session, house, days: float, **fields) -> ResidentMeeting:
    starts_at = NOW + timedelta(days=days)
    row = ResidentMeeting(
        house_id=house.id,
        starts_at=starts_at,
        place="Kerhohuone",
        invitation_on=(starts_at - timedelta(days=20)).date(),
        **fields,
    )
    session.add(row)
    session.flush()
    return row


def newsletter(session, sent_days_ago: float, **fields) -> Newsletter:
    values = {
        "kind": NewsletterKind.residents,
        "title": "Asukaskirje",
        "body_md": "Hei",
        "status": NewsletterStatus.sent,
        "sent_at": NOW - timedelta(days=sent_days_ago),
    }
    values.update(fields)
    row = Newsletter(**values)
    session.add(row)
    session.flush()
    return row


def home_of(session, person, now=NOW):
    return my_home.for_person(session, load_principal(session, person, TODAY), now)


@pytest.fixture()
def world(session, groups):
    """A resident of apartment A 12 (62,5 m²) in a house with a charge and a year of costs."""
    house = make_house(session, name="Koivukuja")
    manager = make_manager(session, house)
    resident = make_resident(session, house, apartment="A 12")
    apartment(session, house, "A 12", "62.5")
    charge(session, house, TODAY - timedelta(days=400), "10.90")
    charge(session, house, TODAY - timedelta(days=30), "11.55")
    charge(session, house, TODAY + timedelta(days=60), "12.10")
    # 1000 € of costs in thirds of odd cents: the shares must still add up to 100.0 %.
    actual(session, house, groups["heating"], YEAR, 1, "333.33")
    actual(session, house, groups["water"], YEAR, 1, "333.33")
    actual(session, house, groups["capital"], YEAR, 1, "333.34")
    actual(session, house, groups["charges"], YEAR, 1, "5000.00")  # income: no cost
    actual(session, house, groups["cleaning"], YEAR - 1, 12, "999.00")  # last year's
    return SimpleNamespace(house=house, manager=manager, resident=resident, groups=groups)


# ---- who has a home ---------------------------------------------------------------------


def test_someone_who_lives_nowhere_has_no_home(session, world):
    assert home_of(session, world.manager) is None
    assert home_of(session, make_staff(session, StaffKind.management)) is None
    moved_out = make_resident(
        session, world.house, starts_on=date(2015, 1, 1), ends_on=TODAY - timedelta(days=1)
    )
    assert home_of(session, moved_out) is None
    assert home_of(session, make_person(session)) is None


# ---- the charge ---------------------------------------------------------------------------


def test_monthly_charge_is_the_floor_area_times_the_charge_per_m2(session, world):
    found = home_of(session, world.resident)
    assert found is not None
    [home] = found.homes
    assert (home.house.id, home.apartment) == (world.house.id, "A 12")
    assert home.floor_area == Decimal("62.5")
    assert home.charge_per_m2 == Decimal("11.55")  # in effect today, not the older or later one
    assert home.charge_from == TODAY - timedelta(days=30)
    assert home.monthly_charge == Decimal("721.88")  # 62,5 m² × 11,55 €/m² = 721,875 €
    assert home.next_charge_per_m2 == Decimal("12.10")
    assert home.next_charge_from == TODAY + timedelta(days=60)
    assert home.next_monthly_charge == Decimal("756.25")
    assert home.property_manager is not None and home.property_manager.id == world.manager.id


def test_apartment_is_matched_however_the_residency_spells_it(session, world):
    other = make_resident(session, world.house, apartment="a  12")
    found = home_of(session, other)
    assert found is not None and found.homes[0].floor_area == Decimal("62.5")


def test_unknown_area_or_charge_gives_no_charge(session, world):
    no_area = make_resident(session, world.house, apartment="B 7")
    [home] = home_of(session, no_area).homes
    assert home.floor_area is None and home.charge_per_m2 == Decimal("11.55")
    assert home.monthly_charge is None and home.next_monthly_charge is None

    bare = make_house(session)
    newcomer = make_resident(session, bare, apartment="C 1")
    apartment(session, bare, "C 1", "40.0")
    [home] = home_of(session, newcomer).homes
    assert home.floor_area == Decimal("40.0")
    assert home.charge_per_m2 is None and home.monthly_charge is None
    assert home.chart is None and home.next_meeting is None


# ---- what the charge pays for --------------------------------------------------------------


def test_cost_shares_add_up_to_100_percent(session, world):
    [home] = home_of(session, world.resident).homes
    assert home.costs_year == YEAR and home.costs_to_date
    assert home.costs_total == Decimal("1000.00")  # the income group is no cost
    names = [share.name for share in home.shares]
    assert names == ["Heating", "Water and wastewater", "Capital costs"]  # the groups' order
    assert [share.percent for share in home.shares] == [
        Decimal("33.3"),
        Decimal("33.3"),
        Decimal("33.4"),
    ]
    assert sum(share.percent for share in home.shares) == Decimal("100.0")
    assert home.chart is not None
    assert home.chart.categories == names
    assert [float(v) for v in home.chart.series[0].values] == [33.3, 33.3, 33.4]


def test_before_this_years_figures_the_shares_are_last_years(session, world):
    quiet = make_house(session)
    resident = make_resident(session, quiet)
    actual(session, quiet, world.groups["staff"], YEAR - 1, 6, "250.00")
    actual(session, quiet, world.groups["tax"], YEAR - 1, 12, "750.00")
    actual(session, quiet, world.groups["repairs"], YEAR - 1, 3, "-40.00")  # a refund: no share
    [home] = home_of(session, resident).homes
    assert home.costs_year == YEAR - 1 and not home.costs_to_date
    assert [(s.name, s.percent) for s in home.shares] == [
        ("Staff", Decimal("25.0")),
        ("Property tax", Decimal("75.0")),
    ]


@pytest.mark.parametrize(
    "amounts",
    [
        ["1", "1", "1"],
        ["1", "1", "1", "1", "1", "1", "1"],
        ["0.01", "1000000", "3.33", "2.22"],
        ["17.5", "17.5", "65"],
        ["5"],
    ],
)
def test_shares_are_rounded_to_add_up_to_exactly_100(amounts):
    found = my_home.shares([Decimal(a) for a in amounts])
    assert sum(found) == Decimal("100.0")
    total = sum(Decimal(a) for a in amounts)
    for share, amount in zip(found, amounts, strict=True):
        assert abs(share - Decimal(amount) * 100 / total) < Decimal("0.1")


def test_shares_of_nothing_are_none():
    assert my_home.shares([]) == []


# ---- the next meeting, the newsletter, the registrations ------------------------------------


def test_next_meeting_is_the_houses_next_convened_one(session, world):
    meeting(session, world.house, -10, minutes="Pidetty")
    later = meeting(session, world.house, 40)
    sooner = meeting(session, world.house, 12)
    meeting(session, make_house(session), 5)  # another house's
    [home] = home_of(session, world.resident).homes
    assert home.next_meeting is not None and home.next_meeting.id == sooner.id
    assert later.id != sooner.id


def test_latest_newsletter_the_person_may_read_in_their_language(session, world):
    newsletter(session, 30, title="Vanha kirje")
    latest = newsletter(session, 5, title="Kevään kirje", title_sv="Vårens brev")
    newsletter(session, 1, title="Luonnos", status=NewsletterStatus.draft, sent_at=None)
    elsewhere = make_house(session)
    newsletter(session, 0.5, kind=NewsletterKind.house, house_id=elsewhere.id, title="Muu talo")
    newsletter(session, 0.2, kind=NewsletterKind.chairs, title="Puheenjohtajaposti")
    line = home_of(session, world.resident).newsletter
    assert line is not None
    assert (line.newsletter_id, line.title, line.lang) == (latest.id, "Kevään kirje", "fi")
    with i18n.use_language("sv"):
        line = home_of(session, world.resident).newsletter
    assert (line.title, line.lang) == ("Vårens brev", "sv")
    own = newsletter(
        session, 0.1, kind=NewsletterKind.house, house_id=world.house.id, title="Talotiedote"
    )
    assert home_of(session, world.resident).newsletter.newsletter_id == own.id


def test_no_newsletter_yet(session, world):
    assert home_of(session, world.resident).newsletter is None


def test_coming_registrations_soonest_first(session, world):
    def register(days, status=RegistrationStatus.registered, participants=1, **fields):
        found = make_event(session, days_ahead=days, **fields)
        session.add(
            EventRegistration(
                event_id=found.id,
                person_id=world.resident.id,
                status=status,
                participants=participants,
            )
        )
        session.flush()
        return found

    later = register(20, participants=2)
    waiting = register(3, RegistrationStatus.waiting)
    register(5, RegistrationStatus.cancelled)  # given up
    register(-3)  # over
    called_off = register(8, cancelled_at=utcnow())
    lines = home_of(session, world.resident).registrations
    assert [line.event_id for line in lines] == [waiting.id, called_off.id, later.id]
    assert [line.waiting for line in lines] == [True, False, False]
    assert [line.cancelled for line in lines] == [False, True, False]
    assert lines[2].participants == 2
    assert lines[0].title == waiting.title_en


# ---- a few queries, however many homes ----------------------------------------------------


def count_queries(session, connection, person) -> int:
    principal = load_principal(session, person, TODAY)
    session.flush()
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(connection, "before_cursor_execute", seen)
    try:
        assert my_home.for_person(session, principal, NOW) is not None
    finally:
        event.remove(connection, "before_cursor_execute", seen)
    return len(statements)


def test_a_few_queries_whatever_the_number_of_homes(session, connection, world):
    one = count_queries(session, connection, world.resident)
    for n in range(3):
        house = make_house(session)
        make_manager(session, house)
        make_resident(session, house, world.resident, apartment=f"D {n}")
        apartment(session, house, f"D {n}", "50.0")
        charge(session, house, TODAY - timedelta(days=5), "12.00")
        meeting(session, house, 10 + n)
        actual(session, house, world.groups["heating"], YEAR, 1, "100.00")
    assert len(home_of(session, world.resident).homes) == 4
    assert count_queries(session, connection, world.resident) == one <= 10


# ---- the partial ----------------------------------------------------------------------------


def render(session, person, lang: str = "fi") -> str:
    with i18n.use_language(lang):
        view = SimpleNamespace(my_home=home_of(session, person))
        principal = load_principal(session, person, TODAY)
        return templates.get_template("home/_my_home.html").render(view=view, user=principal)


def test_the_partial_shows_the_charge_in_finnish_and_the_shares_as_a_chart_and_table(
    session, world
):
    upcoming = meeting(session, world.house, 12, remote_link="https://example.com/kokous")
    letter = newsletter(session, 5, title="Kevään kirje")
    registered = make_event(session, days_ahead=4)
    session.add(EventRegistration(event_id=registered.id, person_id=world.resident.id))
    session.flush()
    html = render(session, world.resident)
    with i18n.use_language("fi"):
        monthly = fmt_money(Decimal("721.88"))
    assert monthly == "721,88\xa0€"
    assert monthly in html
    assert "62,5 m²" in html and "11,55" in html
    assert fi("%(house)s, apartment %(apartment)s", house="Koivukuja", apartment="A 12") in html
    # The chart has its table, in a labelled region that scrolls by itself, not the page.
    chart_id = f"my-home-costs-{home_of(session, world.resident).homes[0].residency_id}"
    assert f'id="{chart_id}-title"' in html
    assert 'role="region"' in html and f'aria-labelledby="{chart_id}-caption"' in html
    assert f'<caption id="{chart_id}-caption">' in html
    assert "33,4" in html and "33,3" in html
    assert f'href="/meetings/{upcoming.id}"' in html
    assert f'<time datetime="{upcoming.starts_at.replace(microsecond=0).isoformat()}"' in html
    assert fi("Remote participation is possible") in html
    assert f'href="/newsletters/{letter.id}"' in html and "Kevään kirje" in html
    assert f'href="/calendar/events/{registered.id}"' in html
    assert registered.title_fi in html
    assert f'href="/houses/{world.house.id}/finances"' in html
    assert fi("The floor area of your apartment is not recorded") not in html
    assert "<h1" not in html and "style=" not in html and "<script" not in html
    # In English the newsletter has no title of its own: the Finnish one, marked as Finnish.
    english = render(session, world.resident, "en")
    assert f'<a href="/newsletters/{letter.id}" lang="fi">Kevään kirje</a>' in english
    assert "Registered</span>" in english


def test_the_partial_says_plainly_what_is_not_recorded(session, world):
    newcomer = make_resident(session, world.house, apartment="B 7")
    html = render(session, newcomer, "en")
    assert (
        "The floor area of your apartment is not recorded, so your monthly usage charge cannot be"
        " worked out; ask your property manager." in html
    )
    assert (
        "ask your property manager. Your property manager is"
        f' {world.manager.name}. <a href="mailto:{world.manager.email}">' in html
    )
    assert f'href="mailto:{world.manager.email}"' in html
    assert "No usage charge is recorded" not in html
    assert "My monthly usage charge" in html and "unknown" in html

    bare = make_house(session)
    lonely = make_resident(session, bare)
    html = render(session, lonely, "en")
    assert "No usage charge is recorded for your house; ask your property manager." in html
    assert "No cost figures of your house have been recorded yet." in html
    assert "No resident meeting of your house has been convened yet." in html
    assert "No newsletter has been sent to you yet." in html
    assert "You have not registered for any coming event." in html


def test_the_partial_is_empty_for_someone_who_lives_nowhere(session, world):
    view = SimpleNamespace(my_home=None)
    html = templates.get_template("home/_my_home.html").render(view=view, user=None)
    assert html.strip() == ""


# ---- the demo data ---------------------------------------------------------------------------


def test_every_demo_apartment_has_an_area_and_the_demo_resident_their_charge(session):
    demo.load(session, TODAY)
    residencies = session.exec(
        select(Residency, House)
        .join(House, col(House.id) == Residency.house_id)
        .where(col(House.code).like("HASO-%"))
    ).all()
    areas = {(a.house_id, a.label): a.floor_area_m2 for a in session.exec(select(Apartment))}
    assert {(r.house_id, r.apartment) for r, _house in residencies} == set(areas)
    assert all(area is not None and 30 <= area <= 100 for area in areas.values())
    email = dict(demo.demo_logins())["Resident (renter)"]
    renter = session.exec(select(Person).where(Person.email == email)).one()
    found = home_of(session, renter)
    assert found is not None
    [home] = found.homes
    assert home.floor_area is not None and home.charge_per_m2 is not None
    assert home.monthly_charge == (home.floor_area * home.charge_per_m2).quantize(Decimal("0.01"))
    assert home.chart is not None
    assert sum(share.percent for share in home.shares) == Decimal("100.0")
