"""The participation profile: what counts, in which year, at which level, and the average."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event

from app import i18n
from app.errors import ValidationFailed
from app.models.forum import AgendaItem
from app.models.initiatives import State
from app.models.meetings import ResidentMeeting
from app.models.participation import Participation
from app.services.overview import participation as profile_service
from tests.support import (
    make_forum_session,
    make_house,
    make_initiative,
    make_resident,
)

YEAR = 2024
P = Participation


@pytest.fixture(autouse=True)
def english():
    """Messages in English, whatever catalogues exist."""
    with i18n.use_language("en"):
        yield


def at(month: int, day: int, hour: int = 12, year: int = YEAR) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def meeting(session, house, starts_at: datetime, kind: P = P.decision) -> ResidentMeeting:
    row = ResidentMeeting(
        house_id=house.id,
        starts_at=starts_at,
        place="Kerhohuone",
        invitation_on=(starts_at - timedelta(days=20)).date(),
        participation=kind,
    )
    session.add(row)
    session.flush()
    return row


def agenda_item(session, forum_session, kind: P) -> AgendaItem:
    item = AgendaItem(session_id=forum_session.id, title="Asia", participation=kind)
    session.add(item)
    session.flush()
    return item


def submitted(session, filer, house, when: datetime, kind: P = P.initiative, **fields):
    return make_initiative(
        session,
        filer,
        house,
        state=State.submitted,
        submitted_at=when,
        participation=kind,
        **fields,
    )


@pytest.fixture()
def town(session):
    """Two houses in Kallio and one in Vuosaari, each with a resident."""
    kallio_1 = make_house(session, district="Kallio", name="Kallio 1")
    kallio_2 = make_house(session, district="Kallio", name="Kallio 2")
    vuosaari = make_house(session, district="Vuosaari", name="Vuosaari 1")
    people = [make_resident(session, h) for h in (kallio_1, kallio_2, vuosaari)]
    return kallio_1, kallio_2, vuosaari, people


def test_initiatives_count_by_the_helsinki_year_of_submission(session, town):
    house, _other, _v, people = town
    # 31.12. 22:30 UTC is already New Year's Day in Helsinki.
    submitted(session, people[0], house, datetime(YEAR - 1, 12, 31, 22, 30, tzinfo=UTC))
    submitted(session, people[0], house, datetime(YEAR, 12, 31, 21, 30, tzinfo=UTC), P.planning)
    submitted(session, people[0], house, datetime(YEAR, 12, 31, 22, 30, tzinfo=UTC))  # next year
    make_initiative(session, people[0], house, state=State.draft, participation=P.decision)
    make_initiative(session, people[0], house, state=State.suggested, participation=P.evaluation)

    found = profile_service.profile(session, YEAR, house_id=house.id)

    assert found.counts[P.initiative] == 1
    assert found.counts[P.planning] == 1
    assert found.counts[P.decision] == 0  # a draft never took place
    assert found.counts[P.evaluation] == 0  # nor a suggestion
    assert found.by_source["initiatives"][P.initiative] == 1
    assert found.total == 2
    previous = profile_service.profile(session, YEAR - 1, house_id=house.id)
    assert previous.total == 0


def test_company_initiatives_and_the_forum_count_at_company_level_only(session, town):
    house, _other, _v, people = town
    submitted(session, people[0], None, at(3, 1), P.information)
    submitted(session, people[0], house, at(3, 2), P.initiative)
    held = make_forum_session(session, starts_at=at(5, 10))
    agenda_item(session, held, P.planning)
    agenda_item(session, held, P.planning)
    later = make_forum_session(session, starts_at=at(11, 10))
    agenda_item(session, later, P.decision)

    company = profile_service.profile(session, YEAR)
    house_level = profile_service.profile(session, YEAR, house_id=house.id)
    district = profile_service.profile(session, YEAR, district="Kallio")

    assert company.counts[P.information] == 1
    assert company.counts[P.initiative] == 1
    assert company.by_source["forum_agenda_items"] == {
        **dict.fromkeys(P, 0),
        P.planning: 2,
        P.decision: 1,
    }
    assert "forum_agenda_items" not in house_level.by_source
    assert [s.name for s in house_level.sources()] == ["initiatives", "resident_meetings"]
    assert house_level.counts[P.information] == 0
    assert house_level.counts[P.initiative] == 1
    assert district.counts[P.information] == 0 and district.counts[P.planning] == 0


def test_only_items_that_have_taken_place_count(session, town):
    house, _other, _v, _people = town
    meeting(session, house, at(4, 20, 15))
    meeting(session, house, at(9, 1, 15))
    forum = make_forum_session(session, starts_at=at(9, 2, 14))
    agenda_item(session, forum, P.evaluation)

    mid_year = profile_service.profile(session, YEAR, now=at(6, 1))
    assert mid_year.counts[P.decision] == 1
    assert mid_year.counts[P.evaluation] == 0
    year_end = profile_service.profile(session, YEAR)
    assert year_end.counts[P.decision] == 2
    assert year_end.counts[P.evaluation] == 1


def test_missing_kinds_are_named_in_order(session, town):
    house, _other, _v, people = town
    meeting(session, house, at(4, 20))
    submitted(session, people[0], house, at(2, 1), P.evaluation)

    found = profile_service.profile(session, YEAR, house_id=house.id)

    assert found.missing == [P.initiative, P.planning, P.implementation, P.information]
    empty = profile_service.profile(session, YEAR, district="Nowhere")
    assert empty.missing == list(P)


def test_a_district_is_its_houses_together(session, town):
    kallio_1, kallio_2, vuosaari, people = town
    meeting(session, kallio_1, at(3, 1))
    meeting(session, kallio_2, at(3, 2))
    meeting(session, vuosaari, at(3, 3))

    assert profile_service.profile(session, YEAR, district="Kallio").counts[P.decision] == 2
    assert profile_service.profile(session, YEAR, district="Vuosaari").counts[P.decision] == 1
    assert profile_service.profile(session, YEAR).counts[P.decision] == 3


def test_company_average_is_over_houses_with_residents(session, town):
    kallio_1, kallio_2, vuosaari, people = town
    empty = make_house(session, district="Kallio", name="Not yet built")
    moved_out = make_house(session, district="Kallio", name="Emptied before the year")
    make_resident(session, moved_out, starts_on=date(2010, 1, 1), ends_on=date(YEAR - 1, 6, 30))
    meeting(session, kallio_1, at(3, 1))
    meeting(session, kallio_1, at(9, 1))
    meeting(session, kallio_2, at(3, 2))
    meeting(session, empty, at(3, 3))  # an odd meeting in an empty house: not in the average
    submitted(session, people[0], None, at(1, 5), P.decision)  # company level: not per house

    average = profile_service.company_average_per_house(session, YEAR)

    assert average.houses == 3
    assert average.counts[P.decision] == Decimal("1.0")  # 3 meetings / 3 houses
    assert average.counts[P.planning] == Decimal("0.0")
    meeting(session, vuosaari, at(5, 5))
    assert profile_service.company_average_per_house(session, YEAR).counts[P.decision] == Decimal(
        "1.3"
    )


def test_company_average_without_inhabited_houses_is_zero(session):
    make_house(session)
    average = profile_service.company_average_per_house(session, YEAR)
    assert average.houses == 0
    assert set(average.counts.values()) == {Decimal("0.0")}


def test_houses_side_by_side_lists_every_house_sorted(session, town):
    kallio_1, kallio_2, vuosaari, people = town
    meeting(session, kallio_2, at(3, 1))
    meeting(session, kallio_2, at(4, 1))
    meeting(session, vuosaari, at(3, 1))
    submitted(session, people[0], kallio_1, at(2, 1), P.planning)

    by_name = profile_service.houses_side_by_side(session, YEAR)
    names = [r.name for r in by_name if r.district in ("Kallio", "Vuosaari")]
    assert names == ["Kallio 1", "Kallio 2", "Vuosaari 1"]
    by_decision = profile_service.houses_side_by_side(session, YEAR, sort="decision")
    assert [r.name for r in by_decision][:2] == ["Kallio 2", "Vuosaari 1"]
    by_planning = profile_service.houses_side_by_side(session, YEAR, sort="planning")
    assert by_planning[0].name == "Kallio 1"
    assert by_planning[0].missing == [P.initiative, P.decision, P.implementation] + [
        P.evaluation,
        P.information,
    ]
    kallio = profile_service.houses_side_by_side(session, YEAR, district="Kallio", sort="total")
    assert [(r.name, r.total) for r in kallio] == [("Kallio 2", 2), ("Kallio 1", 1)]
    # An unknown sort key falls back to the name.
    odd = profile_service.houses_side_by_side(session, YEAR, district="Kallio", sort="drop table")
    assert [r.name for r in odd] == ["Kallio 1", "Kallio 2"]


def count_queries(session, action) -> int:
    statements: list[str] = []

    def record(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    engine = session.get_bind().engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(statements)


def test_side_by_side_makes_the_same_queries_for_many_houses(session, town):
    kallio_1, *_rest = town
    meeting(session, kallio_1, at(3, 1))
    few = count_queries(session, lambda: profile_service.houses_side_by_side(session, YEAR))
    for n in range(15):
        meeting(session, make_house(session, name=f"Lisätalo {n}"), at(3, 1))
    many = count_queries(session, lambda: profile_service.houses_side_by_side(session, YEAR))
    assert few == many


def test_a_new_source_is_one_entry(session, town, monkeypatch):
    house, *_rest = town

    def surveys(session, window, house_ids):  # type: ignore[no-untyped-def]
        rows = [(house.id, P.evaluation, 2), (None, P.information, 1)]
        return [r for r in rows if house_ids is None or r[0] in house_ids]

    extra = profile_service.Source("surveys", "Surveys", surveys)
    monkeypatch.setattr(profile_service, "SOURCES", [*profile_service.SOURCES, extra])

    assert profile_service.profile(session, YEAR, house_id=house.id).counts[P.evaluation] == 2
    company = profile_service.profile(session, YEAR)
    assert company.by_source["surveys"][P.information] == 1
    rows = profile_service.houses_side_by_side(session, YEAR, sort="evaluation")
    assert rows[0].house_id == house.id and rows[0].counts[P.evaluation] == 2


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("abc", "Enter a whole number."),
        ("20.5", "Enter a whole number."),
        ("1999", "Enter a value of at least 2000."),
        ("-3", "Enter a value of at least 2000."),
        ("2028", "Enter a value of at most 2027."),
    ],
)
def test_a_bad_year_is_a_field_error(raw, message):
    with pytest.raises(ValidationFailed) as caught:
        profile_service.check_year(raw, date(2026, 5, 1))
    assert caught.value.errors == {"year": message}


def test_years_default_to_today_and_reach_next_year():
    today = date(2026, 5, 1)
    assert profile_service.check_year(None, today) == 2026
    assert profile_service.check_year("", today) == 2026
    assert profile_service.check_year("2027", today) == 2027
    assert profile_service.check_year(2000, today) == 2000
    choices = profile_service.year_choices(today, 2003)
    assert choices[0] == 2027 and 2016 in choices and 2003 in choices
    assert choices == sorted(choices, reverse=True)


def test_an_unknown_district_is_a_field_error(session, town):
    assert profile_service.check_district(session, "Kallio") == "Kallio"
    assert profile_service.check_district(session, "") is None
    with pytest.raises(ValidationFailed) as caught:
        profile_service.check_district(session, "Atlantis")
    assert set(caught.value.errors) == {"district"}


def test_the_window_is_the_helsinki_year_so_far():
    span = profile_service.window(YEAR, now=at(6, 1))
    assert span.start == datetime(YEAR - 1, 12, 31, 22, 0, tzinfo=UTC)
    assert span.end == at(6, 1)
    whole = profile_service.window(YEAR)
    assert whole.end == datetime(YEAR, 12, 31, 22, 0, tzinfo=UTC)
    assert profile_service.current_year(datetime(YEAR, 12, 31, 22, 30, tzinfo=UTC)) == YEAR + 1


def test_withdrawn_initiatives_do_not_count(session, town):
    house, _other, _v, people = town
    submitted(session, people[0], house, at(3, 1), P.planning)
    for where, kind in ((house, P.planning), (None, P.decision)):
        # Withdrawn after it was submitted: its handling never took place.
        make_initiative(
            session,
            people[0],
            where,
            state=State.withdrawn,
            submitted_at=at(3, 2),
            participation=kind,
        )

    house_level = profile_service.profile(session, YEAR, house_id=house.id)
    company = profile_service.profile(session, YEAR)
    side_by_side = profile_service.houses_side_by_side(session, YEAR)

    assert house_level.counts[P.planning] == 1
    assert company.counts[P.planning] == 1 and company.counts[P.decision] == 0
    assert next(r for r in side_by_side if r.house_id == house.id).counts[P.planning] == 1


def test_both_pages_say_that_totals_add_up_the_sources(client, session, town):
    # A page test kept here: tests/routers/overview/test_participation.py belongs to another change.
    from app.models.people import StaffKind
    from tests.support import fi, make_staff

    house = town[0]
    management = make_staff(session, StaffKind.management)
    session.commit()
    client.login_as(session, management)
    sentence = fi(
        "Totals add up the sources: an initiative handled in the forum counts once as an "
        "initiative and once as an agenda item."
    )
    for url in (f"/participation-profile?year={YEAR}", f"/houses/{house.id}/participation-profile"):
        page = client.get(url)
        assert page.status_code == 200 and sentence in page.text
