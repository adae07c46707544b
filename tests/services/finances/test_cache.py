"""The per-process cache of a year's company-wide finance figures: every write that changes them
renews the token (in its own transaction), so a read never returns figures of another state."""

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import delete, insert, update
from sqlmodel import Session, select

from app.models.finances import BudgetLine, CacheRevision, CostGroup, GroupKind, MonthlyActual
from app.models.houses import House
from app.services.finances import cache as finance_cache
from app.services.finances import comparison as comparison_service
from app.services.finances import entries as finance_entries
from app.services.finances import imports as finance_import
from tests.services.finances.test_figures import _csv
from tests.support import make_house, make_person

TODAY = date(2026, 6, 15)
YEAR = 2026


@pytest.fixture(autouse=True)
def empty_cache():
    finance_cache._cache.clear()
    finance_cache._small.clear()
    yield
    finance_cache._cache.clear()
    finance_cache._small.clear()


def _compared(session, house) -> tuple:
    """The house, its district's and the company's €/m²/month, as the comparison gives them."""
    found = comparison_service.comparison(session, house, YEAR)
    return (found.house, found.district, found.company)


def _import(session, *rows: str) -> None:
    report = finance_import.import_actuals(
        session, _csv(*rows), None, filename="x.csv", today=TODAY
    )
    assert report.ok, report.errors


def _token(session) -> str | None:
    return session.exec(
        select(CacheRevision.token).where(CacheRevision.name == finance_cache.NAME)
    ).first()


def _per_m2(session, house) -> Decimal | None:
    found = finance_cache.year_figures(session, YEAR)
    return next(f.per_m2 for f in found if f.house_id == house.id)


def _three_houses(session):
    """A and B in Kallio, built 1995; C in Vuosaari, built 1975; 1000 m² each, January only."""
    a = make_house(session, code="CA", district="Kallio", floor_area=Decimal("1000.0"))
    b = make_house(session, code="CB", district="Kallio", floor_area=Decimal("1000.0"))
    c = make_house(
        session,
        code="CC",
        district="Vuosaari",
        year_built=1975,
        floor_area=Decimal("1000.0"),
    )
    _import(
        session, "CA;2026-01;heating;2000", "CB;2026-01;heating;4000", "CC;2026-01;heating;9000"
    )
    return a, b, c


def test_an_import_after_a_cached_read_shows_in_the_next_read(session, groups):
    a, _b, _c = _three_houses(session)
    assert _compared(session, a) == (Decimal("2.00"), Decimal("3.00"), Decimal("5.00"))
    totals = comparison_service.company_totals(session, YEAR, TODAY)
    assert totals.actual == Decimal("15000.00")
    token = _token(session)
    assert token is not None
    assert (str(session.get_bind().engine.url), token, YEAR) in finance_cache._cache

    # February: A 4000 (A's average over two months: 3.00), B 4000 (4.00), C 9000 (9.00).
    _import(
        session, "CA;2026-02;heating;4000", "CB;2026-02;heating;4000", "CC;2026-02;heating;9000"
    )
    assert _token(session) not in (None, token)
    assert _compared(session, a) == (Decimal("3.00"), Decimal("3.50"), Decimal("5.33"))
    assert comparison_service.company_totals(session, YEAR, TODAY).actual == Decimal("32000.00")


def test_a_budget_change_after_a_cached_read_shows_in_the_next_read(session, groups):
    a, b, _c = _three_houses(session)
    finance_entries.set_budget(session, a.id, YEAR, {"heating": Decimal("12000")}, None)
    assert comparison_service.company_totals(session, YEAR, TODAY).budget == Decimal("12000.00")
    token = _token(session)

    finance_entries.set_budget(session, a.id, YEAR, {"heating": Decimal("24000")}, None)
    assert _token(session) not in (None, token)
    assert comparison_service.company_totals(session, YEAR, TODAY).budget == Decimal("24000.00")
    token = _token(session)

    finance_entries.set_budget(session, b.id, YEAR, {"heating": Decimal("6000")}, None)
    assert _token(session) not in (None, token)
    assert comparison_service.company_totals(session, YEAR, TODAY).budget == Decimal("30000.00")
    summary = {s.house.id: s for s in comparison_service.summaries(session, YEAR)}
    assert (summary[a.id].budget, summary[a.id].budget_to_date) == (
        Decimal("24000.00"),
        Decimal("2000.00"),
    )


def test_a_house_change_moves_the_district_and_age_band_averages(session, groups):
    a, b, c = _three_houses(session)
    found = comparison_service.comparison(session, a, YEAR)
    assert (found.district, found.district_houses) == (Decimal("3.00"), 2)
    assert (found.age, found.age_houses) == (Decimal("3.00"), 2)
    token = _token(session)
    assert token is not None

    c.district = "Kallio"
    session.add(c)
    session.flush()
    assert _token(session) not in (None, token)
    found = comparison_service.comparison(session, a, YEAR)
    assert (found.district, found.district_houses) == (Decimal("5.00"), 3)
    assert (found.age, found.age_houses) == (Decimal("3.00"), 2)

    c.year_built = 1990
    session.add(c)
    session.flush()
    found = comparison_service.comparison(session, a, YEAR)
    assert (found.age, found.age_houses) == (Decimal("5.00"), 3)

    b.floor_area = Decimal("500.0")  # 4000 € over 500 m²: 8.00 €/m²
    session.add(b)
    session.flush()
    found = comparison_service.comparison(session, a, YEAR)
    assert (found.house, found.district, found.age, found.company) == (
        Decimal("2.00"),
        Decimal("6.33"),
        Decimal("6.33"),
        Decimal("6.33"),
    )


def test_a_rolled_back_change_restores_the_token_and_the_figures(session, groups):
    a, b, _c = _three_houses(session)
    assert comparison_service.comparison(session, a, YEAR).district == Decimal("3.00")
    token = _token(session)
    assert token is not None

    savepoint = session.begin_nested()
    _import(session, "CA;2026-01;heating;8000")
    b.floor_area = Decimal("500.0")
    session.add(b)
    session.flush()
    inside = _token(session)
    assert inside not in (None, token)
    changed = comparison_service.comparison(session, a, YEAR)
    assert (changed.house, changed.district) == (Decimal("8.00"), Decimal("8.00"))
    assert comparison_service.company_totals(session, YEAR, TODAY).actual == Decimal("21000.00")
    savepoint.rollback()

    assert _token(session) == token
    assert _compared(session, a) == (Decimal("2.00"), Decimal("3.00"), Decimal("5.00"))
    assert comparison_service.company_totals(session, YEAR, TODAY).actual == Decimal("15000.00")


def test_a_rolled_back_first_change_leaves_no_token(session, groups):
    a, _b, _c = _three_houses(session)
    session.execute(delete(CacheRevision))
    assert comparison_service.comparison(session, a, YEAR).house == Decimal("2.00")

    savepoint = session.begin_nested()
    _import(session, "CA;2026-01;heating;8000")
    assert _token(session) is not None
    assert comparison_service.comparison(session, a, YEAR).house == Decimal("8.00")
    savepoint.rollback()

    assert _token(session) is None
    assert comparison_service.comparison(session, a, YEAR).house == Decimal("2.00")


def _core_actual(house, group, month: int, amount: str) -> dict:
    return {
        "house_id": house.id,
        "cost_group_id": group.id,
        "month": date(YEAR, month, 1),
        "amount": Decimal(amount),
    }


def test_without_a_token_every_read_is_computed_afresh(session, groups):
    a, b, _c = _three_houses(session)
    session.execute(delete(CacheRevision))
    # The token is read once per transaction: this one has read it already (the houses' flush).
    session.info.pop(finance_cache.INFO_KEY, None)
    assert _token(session) is None
    assert comparison_service.company_totals(session, YEAR, TODAY).actual == Decimal("15000.00")
    assert _per_m2(session, a) == Decimal("2.00")

    heating = groups["heating"]
    rows = [_core_actual(a, heating, 2, "4000"), _core_actual(b, heating, 2, "1000")]
    session.execute(insert(MonthlyActual), rows)
    assert _token(session) is None  # the Core insert passed the flush listener by

    assert comparison_service.company_totals(session, YEAR, TODAY).actual == Decimal("20000.00")
    assert _per_m2(session, a) == Decimal("3.00")
    assert finance_cache._cache == {}


def test_with_a_token_core_writers_must_renew_it(session, groups):
    a, _b, _c = _three_houses(session)
    assert _per_m2(session, a) == Decimal("2.00")
    token = _token(session)
    assert token is not None

    session.execute(insert(MonthlyActual), [_core_actual(a, groups["heating"], 2, "4000")])
    assert _token(session) == token
    assert _per_m2(session, a) == Decimal("2.00")  # the cached figures under the same token

    finance_cache.changed(session)
    assert _token(session) not in (None, token)
    assert _per_m2(session, a) == Decimal("3.00")


def test_a_flush_of_other_rows_keeps_the_token(session, groups):
    a, _b, _c = _three_houses(session)
    figures = finance_cache.year_figures(session, YEAR)
    token = _token(session)
    assert token is not None

    person = make_person(session)
    person.name = "Toinen Nimi"
    session.add(person)
    session.flush()
    assert _token(session) == token
    assert finance_cache.year_figures(session, YEAR) is figures

    a.name = "Uusi nimi"  # a watched model: renewed even for a column the figures ignore
    session.add(a)
    session.flush()
    assert _token(session) not in (None, token)


def test_a_second_session_on_the_same_database_shares_the_cached_figures(
    session, connection, groups
):
    a, _b, _c = _three_houses(session)
    figures = finance_cache.year_figures(session, YEAR)
    with Session(bind=connection, join_transaction_mode="create_savepoint") as other:
        assert _token(other) == _token(session)
        assert finance_cache.year_figures(other, YEAR) is figures

    _import(session, "CA;2026-01;heating;8000")
    with Session(bind=connection, join_transaction_mode="create_savepoint") as other:
        assert _token(other) == _token(session)
        renewed = finance_cache.year_figures(other, YEAR)
        assert renewed is not figures
        assert next(f.per_m2 for f in renewed if f.house_id == a.id) == Decimal("8.00")
        assert finance_cache.year_figures(session, YEAR) is renewed


def test_a_change_committed_by_another_session_shows_in_the_next_transaction(engine):
    url = str(engine.url)
    with Session(engine, expire_on_commit=False) as setup:
        previous = _token(setup)
        group = CostGroup(
            code="cache-test",
            name_fi="Välimuistitesti",
            name_sv="Cachetest",
            name_en="Cache test",
            kind=GroupKind.maintenance,
        )
        house = make_house(setup, code="CACHE-1", floor_area=Decimal("1000.0"))
        setup.add(group)
        setup.flush()
        actual = MonthlyActual(
            house_id=house.id, cost_group_id=group.id, month=date(YEAR, 1, 1), amount=3000
        )
        setup.add(actual)
        setup.commit()
        ids = (house.id, group.id, actual.id)
    house_id, group_id, actual_id = ids
    try:
        with Session(engine) as reader:

            def per_m2() -> Decimal | None:
                found = finance_cache.year_figures(reader, YEAR)
                value = next(f.per_m2 for f in found if f.house_id == house_id)
                reader.commit()  # end the transaction, as a request would
                return value

            assert per_m2() == Decimal("3.00")
            token = _token(reader)
            reader.commit()
            assert (url, token, YEAR) in finance_cache._cache

            # A write that bypasses the listener: the reader keeps its cached figures.
            with engine.begin() as conn:
                conn.execute(
                    update(MonthlyActual)
                    .where(MonthlyActual.id == actual_id)
                    .values(amount=Decimal("4500"))
                )
            assert per_m2() == Decimal("3.00")

            with Session(engine) as writer:
                stored = writer.get_one(MonthlyActual, actual_id)
                stored.amount = Decimal("6000")
                writer.add(stored)
                writer.commit()
            assert per_m2() == Decimal("6.00")
            assert _token(reader) != token
            reader.commit()
    finally:
        with engine.begin() as conn:
            conn.execute(delete(MonthlyActual).where(MonthlyActual.id == actual_id))
            conn.execute(delete(BudgetLine).where(BudgetLine.house_id == house_id))
            conn.execute(delete(House).where(House.id == house_id))
            conn.execute(delete(CostGroup).where(CostGroup.id == group_id))
            revision = delete(CacheRevision).where(CacheRevision.name == finance_cache.NAME)
            conn.execute(revision)
            if previous is not None:
                conn.execute(insert(CacheRevision).values(name=finance_cache.NAME, token=previous))
        with Session(engine) as check:
            assert check.get(House, house_id) is None
            assert check.get(CostGroup, group_id) is None
            assert _token(check) == previous


def test_the_cache_keeps_at_most_keep_years(session, groups):
    make_house(session, code="KEEP-1")
    token = _token(session)
    assert token is not None
    years = list(range(2000, 2000 + finance_cache.KEEP + 3))
    for year in years:
        finance_cache.year_figures(session, year)
    assert len(finance_cache._cache) == finance_cache.KEEP
    url = str(session.get_bind().engine.url)
    assert set(finance_cache._cache) == {(url, token, y) for y in years[-finance_cache.KEEP :]}

    # A read of a kept year makes it the newest: the next new year evicts another.
    oldest = years[-finance_cache.KEEP]
    finance_cache.year_figures(session, oldest)
    finance_cache.year_figures(session, 1999)
    assert len(finance_cache._cache) == finance_cache.KEEP
    assert (url, token, oldest) in finance_cache._cache
    assert (url, token, oldest + 1) not in finance_cache._cache
