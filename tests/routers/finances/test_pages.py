"""House finance pages: who sees months, yearly figures or company totals; CSV files; import."""

import codecs
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook
from sqlmodel import select

from app.i18n import ngettext, use_language
from app.models.committees import Position
from app.models.finances import BudgetLine, MonthlyActual
from app.models.people import StaffKind
from app.services.finances import entries as finance_entries
from app.services.finances import figures as finances_service
from app.services.finances import imports as finance_import
from tests.support import (
    fi,
    make_committee,
    make_house,
    make_manager,
    make_resident,
    make_staff,
    make_yte_term,
)

YEAR = date.today().year - 1


@pytest.fixture()
def world(session):
    finances_service.ensure_default_groups(session)
    house = make_house(session, code="FIN-A", name="Aallokko", floor_area=Decimal("1000.0"))
    other = make_house(session, code="FIN-B", name="Bulevardi", floor_area=Decimal("1000.0"))
    resident = make_resident(session, house)
    member = make_resident(session, house)
    chair = make_resident(session, house)
    make_committee(session, house, [(member, Position.member), (chair, Position.chair)])
    manager = make_manager(session, house)
    other_chair = make_resident(session, other)
    make_committee(session, other, [(other_chair, Position.chair)])
    yte = make_resident(session, other)
    make_yte_term(session, [(yte, other)])
    management = make_staff(session, StaffKind.management)
    data = (
        f"house;month;group;amount\nFIN-A;{YEAR}-01;heating;3210,55\nFIN-A;{YEAR}-02;heating;=1+1\n"
    ).encode()
    # The formula-looking amount is refused by the import; store a plain one.
    data = data.replace(b"=1+1", b"2000")
    data += f"FIN-B;{YEAR}-01;heating;9999,99\n".encode()
    report = finance_import.import_actuals(
        session, data, None, filename="x.csv", today=date.today()
    )
    assert report.ok, report.errors
    finance_entries.set_budget(session, house.id, YEAR, {"heating": Decimal("24000")}, None)
    finance_entries.set_usage_charge(session, house.id, date(YEAR, 1, 1), Decimal("11.55"), None)
    session.commit()
    return {
        "house": house,
        "other": other,
        "resident": resident,
        "member": member,
        "chair": chair,
        "manager": manager,
        "other_chair": other_chair,
        "yte": yte,
        "management": management,
    }


def _page(client, session, person, url):
    client.login_as(session, person)
    return client.get(url)


def test_a_resident_sees_the_year_but_not_the_months(client, session, world):
    house = world["house"]
    response = _page(client, session, world["resident"], f"/houses/{house.id}/finances?year={YEAR}")
    assert response.status_code == 200
    assert "5\xa0210,55" in response.text  # the year's heating: 3 210,55 + 2 000
    assert "3\xa0210,55" not in response.text  # January alone is a monthly figure
    assert "11,55" in response.text  # the usage charge history
    assert "Bulevardi" not in response.text  # no other house's own figures


@pytest.mark.parametrize("who", ["member", "chair", "manager", "management"])
def test_the_committee_manager_and_management_see_the_months(client, session, world, who):
    house = world["house"]
    response = _page(client, session, world[who], f"/houses/{house.id}/finances?year={YEAR}")
    assert response.status_code == 200
    assert "3\xa0210,55" in response.text
    assert f"01/{YEAR}" in response.text


@pytest.mark.parametrize("who", ["other_chair", "yte"])
def test_others_see_nothing_of_the_house(client, session, world, who):
    house = world["house"]
    assert _page(client, session, world[who], f"/houses/{house.id}/finances").status_code == 403
    response = client.get(f"/houses/{house.id}/finances.csv")
    assert response.status_code == 403
    assert client.get(f"/api/v1/houses/{house.id}/finances").status_code == 401


def test_per_m2_and_the_statement_on_the_page(client, session, world):
    house = world["house"]
    text = _page(client, session, world["chair"], f"/houses/{house.id}/finances?year={YEAR}").text
    # 5 210,55 € / 1 000 m² / 2 months = 2,61 €/m²/month
    assert "2,61" in text
    # billed 11,55 × 1 000 × 2 = 23 100; costs 5 210,55; surplus 17 889,45
    assert "23\xa0100,00" in text and "17\xa0889,45" in text


def test_the_csv_follows_what_the_viewer_may_see(client, session, world):
    house = world["house"]
    client.login_as(session, world["resident"])
    yearly = client.get(f"/houses/{house.id}/finances.csv?year={YEAR}")
    assert yearly.status_code == 200
    assert yearly.content.startswith(codecs.BOM_UTF8)
    lines = yearly.content.decode("utf-8-sig").splitlines()
    assert lines[0].count(";") == 3  # group, budget, actual, deviation: no months
    assert "Lämmitys;24000,00;5210,55;-18789,45" in lines
    client.login_as(session, world["chair"])
    monthly = client.get(f"/houses/{house.id}/finances.csv?year={YEAR}").content.decode("utf-8-sig")
    assert f"{YEAR}-01" in monthly.splitlines()[0] and "3210,55" in monthly


def test_csv_cells_that_look_like_formulas_are_escaped(client, session, world):
    world["house"].name = "=HYPERLINK()"
    session.add(world["house"])
    session.commit()
    client.login_as(session, world["management"])
    text = client.get(f"/finances.csv?year={YEAR}").content.decode("utf-8-sig")
    assert "'=HYPERLINK()" in text
    assert "Kallio;24000,00;4000,00;5210,55;1210,55;30,3;2,61" in text  # numbers stay numbers


def test_management_sees_every_house_with_the_largest_deviation_first(client, session, world):
    response = _page(client, session, world["management"], f"/finances?year={YEAR}")
    assert response.status_code == 200
    text = response.text
    # Aallokko has a budget (deviation -78,1 %); Bulevardi has none and comes after it.
    assert text.index("Aallokko") < text.index("Bulevardi")
    by_name = client.get(f"/finances?year={YEAR}&sort=name").text
    assert by_name.index("Aallokko") < by_name.index("Bulevardi")


def test_haso_yte_sees_company_totals_only(client, session, world):
    response = _page(client, session, world["yte"], f"/finances?year={YEAR}")
    assert response.status_code == 200
    assert "Aallokko" not in response.text and "Bulevardi" not in response.text
    assert "15\xa0210,54" in response.text  # 5 210,55 + 9 999,99
    assert client.get(f"/finances.csv?year={YEAR}").status_code == 403


def test_a_bad_year_is_an_error_tied_to_the_field(client, session, world):
    house = world["house"]
    response = _page(client, session, world["chair"], f"/houses/{house.id}/finances?year=abc")
    assert response.status_code == 422
    assert fi("Choose a year from the list.") in response.text


def _xlsx(rows) -> bytes:
    book = Workbook()
    book.active.append(["house", "month", "group", "amount"])
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_manager_imports_an_xlsx_of_their_house(client, session, world):
    client.login_as(session, world["manager"])
    assert client.get("/finances/import").status_code == 200
    data = _xlsx([["FIN-A", f"{YEAR}-03", "water", 123.45]])
    response = client.submit(
        "/finances/import",
        files={"figures_file": ("m.xlsx", data, "application/octet-stream")},
    )
    assert response.status_code == 200, response.text
    stored = session.exec(
        select(MonthlyActual).where(MonthlyActual.month == date(YEAR, 3, 1))
    ).all()
    assert [a.amount for a in stored] == [Decimal("123.45")]


def test_a_manager_cannot_import_another_house(client, session, world):
    client.login_as(session, world["manager"])
    data = f"house;month;group;amount\nFIN-B;{YEAR}-03;water;1\n".encode()
    response = client.submit(
        "/finances/import", files={"figures_file": ("m.csv", data, "text/csv")}
    )
    assert response.status_code == 422
    assert fi("You may not import figures for this house.") in response.text


def test_the_import_report_lists_errors_and_a_dry_run_stores_nothing(client, session, world):
    client.login_as(session, world["management"])
    bad = f"house;month;group;amount\nNOPE;{YEAR}-03;water;1\n".encode()
    response = client.submit("/finances/import", files={"figures_file": ("b.csv", bad, "text/csv")})
    assert response.status_code == 422
    assert fi("No house has this code.") in response.text
    # The summary at the top links to the error's row in the table below it.
    assert 'href="#import-error-1"' in response.text and 'id="import-error-1"' in response.text
    good = f"house;month;group;amount\nFIN-A;{YEAR}-04;water;1\n".encode()
    response = client.submit(
        "/finances/import",
        data={"dry_run": "true"},
        files={"figures_file": ("g.csv", good, "text/csv")},
    )
    assert response.status_code == 200
    assert fi("Dry run: nothing was stored.") in response.text
    advice = (
        "The file has no errors. To store the figures, upload the file again without the dry run."
    )
    assert fi(advice) in response.text
    assert (
        session.exec(select(MonthlyActual).where(MonthlyActual.month == date(YEAR, 4, 1))).all()
        == []
    )


def test_no_file_is_an_error_tied_to_the_field(client, session, world):
    client.login_as(session, world["management"])
    response = client.submit("/finances/import")
    assert response.status_code == 422
    assert (
        'aria-describedby="figures_file-error"' in response.text or "figures_file" in response.text
    )
    assert fi("Choose a CSV or XLSX file to import.") in response.text


def test_example_files_download(client, session, world):
    client.login_as(session, world["management"])
    response = client.get("/finances/import/example/finance_actuals.xlsx")
    assert response.status_code == 200 and response.content.startswith(b"PK")
    assert client.get("/finances/import/example/other.csv").status_code == 404


def test_the_house_page_links_to_finances_for_those_who_may_see_them(client, session, world):
    house = world["house"]
    page = _page(client, session, world["resident"], f"/houses/{house.id}").text
    assert f"/houses/{house.id}/finances" in page
    other = _page(client, session, world["other_chair"], f"/houses/{house.id}").text
    assert f"/houses/{house.id}/finances" not in other


def test_management_edits_and_adds_cost_groups(client, session, world):
    from app.models.finances import CostGroup

    client.login_as(session, world["management"])
    assert client.get("/finances/cost-groups").status_code == 200
    heating = session.exec(select(CostGroup).where(CostGroup.code == "heating")).one()
    bad = client.submit(
        f"/finances/cost-groups/{heating.id}",
        {"name_fi": "", "name_sv": "Värme", "name_en": "Heat", "position": "6"},
    )
    assert bad.status_code == 422
    assert 'aria-describedby="error-field-name_fi"' in bad.text
    ok = client.submit(
        f"/finances/cost-groups/{heating.id}",
        {"name_fi": "Lämpö", "name_sv": "Värme", "name_en": "Heat", "position": "6"},
    )
    assert ok.status_code == 303
    session.refresh(heating)
    assert (heating.name_fi, heating.active) == ("Lämpö", False)  # unchecked: hidden
    duplicate = client.submit(
        "/finances/cost-groups",
        {"code": "heating", "name_fi": "a", "name_sv": "b", "name_en": "c", "kind": "maintenance"},
    )
    assert duplicate.status_code == 422
    assert fi("A cost group already has this code.") in duplicate.text
    added = client.submit(
        "/finances/cost-groups",
        {"code": "sauna", "name_fi": "Sauna", "name_sv": "Bastu", "name_en": "Sauna"},
    )
    assert added.status_code == 303
    assert session.exec(select(CostGroup).where(CostGroup.code == "sauna")).one().active


def test_others_may_not_edit_cost_groups(client, session, world):
    client.login_as(session, world["manager"])
    assert client.get("/finances/cost-groups").status_code == 403


def test_the_house_page_compares_with_houses_of_the_same_age(client, session, world):
    house = world["house"]  # built 1995, like FIN-B: both in the band 1980–1999
    # Management sees every house, so an average over two houses is theirs to see.
    url = f"/houses/{house.id}/finances?year={YEAR}"
    response = _page(client, session, world["management"], url)
    assert response.status_code == 200
    band = fi("built %(first)s–%(last)s", first=1980, last=1999)
    label = fi("Houses of the same age, %(band)s (average)", band=band)
    with use_language("fi"):
        counted = ngettext(
            "%(label)s (%(num)s house)", "%(label)s (%(num)s houses)", 2, label=label
        )
    assert counted in response.text
    with use_language("fi"):
        summary = ngettext(
            "Same age band (%(band)s): %(num)s house with figures.",
            "Same age band (%(band)s): %(num)s houses with figures.",
            2,
            band=band,
        )
    assert summary in response.text


def test_a_budget_file_is_imported_by_choosing_its_kind(client, session, world):
    client.login_as(session, world["manager"])
    page = client.get("/finances/import").text
    assert 'name="kind" value="budget"' in page
    assert "/finances/import/example/finance_budget.csv" in page
    assert client.get("/finances/import/example/finance_budget.csv").status_code == 200
    data = f"house;year;group;amount\nFIN-A;{YEAR + 1};heating;25 000,50\n".encode()
    as_actuals = client.submit(
        "/finances/import", files={"figures_file": ("b.csv", data, "text/csv")}
    )
    assert as_actuals.status_code == 422  # a budget file read as monthly figures
    response = client.submit(
        "/finances/import",
        data={"kind": "budget"},
        files={"figures_file": ("b.csv", data, "text/csv")},
    )
    assert response.status_code == 200, response.text
    assert fi("Import report: budgets") in response.text
    line = session.exec(
        select(BudgetLine).where(
            BudgetLine.house_id == world["house"].id, BudgetLine.year == YEAR + 1
        )
    ).one()
    assert line.amount == Decimal("25000.50")
    # Another house than the manager's own: refused row by row, nothing stored.
    other = f"house;year;group;amount\nFIN-B;{YEAR + 1};heating;1\n".encode()
    refused = client.submit(
        "/finances/import",
        data={"kind": "budget"},
        files={"figures_file": ("o.csv", other, "text/csv")},
    )
    assert refused.status_code == 422
    assert fi("You may not import figures for this house.") in refused.text
    bad_kind = client.submit(
        "/finances/import",
        data={"kind": "forecast"},
        files={"figures_file": ("b.csv", data, "text/csv")},
    )
    assert bad_kind.status_code == 422
    assert fi("Choose what the file holds: monthly figures or budgets.") in bad_kind.text


def test_an_average_over_too_few_houses_is_not_shown_to_a_resident(
    client, session, world, settings, monkeypatch
):
    monkeypatch.setattr(settings, "min_comparison_houses", 3)
    url = f"/houses/{world['house'].id}/finances?year={YEAR}"
    with use_language("fi"):
        too_few = ngettext(
            "An average over fewer than %(num)s house is not shown: too few houses to compare.",
            "An average over fewer than %(num)s houses is not shown: too few houses to compare.",
            3,
        )
    district = fi("Houses in the same district (average)")
    # Two houses with figures: the district's average would give the neighbour's €/m².
    resident_page = _page(client, session, world["resident"], url).text
    assert too_few in resident_page and district not in resident_page
    management_page = _page(client, session, world["management"], url).text
    assert too_few not in management_page and district in management_page
