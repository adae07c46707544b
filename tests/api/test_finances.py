"""The house finances API: the import with an "import" token, a house's year, company totals."""

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import select

from app.models.committees import Position
from app.models.finances import BudgetLine, FinanceImport, MonthlyActual
from app.models.people import StaffKind
from app.services.finances import figures as finances_service
from tests.support import (
    api_headers,
    make_committee,
    make_house,
    make_manager,
    make_resident,
    make_staff,
    make_yte_term,
)

YEAR = date.today().year - 1
CSV = f"house;month;group;amount\nAPI-1;{YEAR}-01;heating;1 500,25\nAPI-1;{YEAR}-02;heating;500\n"


@pytest.fixture()
def world(session):
    finances_service.ensure_default_groups(session)
    house = make_house(session, code="API-1", floor_area=Decimal("500.0"))
    other = make_house(session, code="API-2")
    resident = make_resident(session, house)
    chair = make_resident(session, house)
    make_committee(session, house, [(chair, Position.chair)])
    yte = make_resident(session, other)
    make_yte_term(session, [(yte, other)])
    management = make_staff(session, StaffKind.management)
    manager = make_manager(session, house)
    session.commit()
    return {
        "house": house,
        "resident": resident,
        "chair": chair,
        "yte": yte,
        "management": management,
        "manager": manager,
    }


def _post(client, headers, body=CSV, name="f.csv", dry_run=False):
    return client.post(
        "/api/v1/finances/imports" + ("?dry_run=true" if dry_run else ""),
        headers=headers,
        files={"file": (name, body.encode(), "text/csv")},
    )


def test_an_import_token_imports(client, session, world):
    headers = api_headers(session, world["management"], scopes=["import"])
    response = _post(client, headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (
        body["ok"]
        and body["rows"] == 2
        and body["months"] == {"API-1": [f"{YEAR}-01", f"{YEAR}-02"]}
    )
    batch = session.get(FinanceImport, body["import_id"])
    assert batch.channel == "api" and batch.imported_by_id == world["management"].id
    assert len(session.exec(select(MonthlyActual)).all()) == 2


def test_a_read_token_may_not_import(client, session, world):
    headers = api_headers(session, world["management"], scopes=["read"])
    assert _post(client, headers).status_code == 403
    assert session.exec(select(MonthlyActual)).all() == []


def test_a_resident_may_not_import_even_with_the_scope(client, session, world):
    headers = api_headers(session, world["resident"], scopes=["import"])
    assert _post(client, headers).status_code == 403


def test_errors_come_back_row_by_row_and_nothing_is_stored(client, session, world):
    headers = api_headers(session, world["manager"], scopes=["import"])
    body = CSV + f"API-2;{YEAR}-01;heating;1\nAPI-1;{YEAR}-01;heating;2\n"
    response = _post(client, headers, body)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(4, "house"), (5, "group")]
    assert session.exec(select(MonthlyActual)).all() == []


def test_the_house_year_hides_the_months_from_residents(client, session, world):
    importer = api_headers(session, world["management"], scopes=["import"])
    assert _post(client, importer).status_code == 200
    url = f"/api/v1/houses/{world['house'].id}/finances?year={YEAR}"
    resident = client.get(url, headers=api_headers(session, world["resident"])).json()
    heating = next(g for g in resident["groups"] if g["code"] == "heating")
    assert Decimal(heating["actual"]) == Decimal("2000.25") and heating["months"] is None
    # 2 000,25 € / 500 m² / 2 months = 2,00 €/m²/month (2,00025 rounded)
    assert Decimal(resident["maintenance_per_m2_month"]) == Decimal("2.00")
    chair = client.get(url, headers=api_headers(session, world["chair"])).json()
    heating = next(g for g in chair["groups"] if g["code"] == "heating")
    assert Decimal(heating["months"][0]) == Decimal("1500.25")
    assert client.get(url, headers=api_headers(session, world["yte"])).status_code == 403


def test_company_totals_for_haso_yte(client, session, world):
    importer = api_headers(session, world["management"], scopes=["import"])
    assert _post(client, importer).status_code == 200
    url = f"/api/v1/finances/company?year={YEAR}"
    body = client.get(url, headers=api_headers(session, world["yte"])).json()
    assert body["houses"] == 1 and Decimal(body["actual"]) == Decimal("2000.25")
    assert client.get(url, headers=api_headers(session, world["chair"])).status_code == 403


def test_a_budget_file_is_imported_with_the_kind_field(client, session, world):
    headers = api_headers(session, world["management"], scopes=["import"])
    body = f"house;year;group;amount\nAPI-1;{YEAR};heating;18 000\nAPI-2;{YEAR};heating;9000\n"
    response = client.post(
        "/api/v1/finances/imports",
        headers=headers,
        data={"kind": "budget"},
        files={"file": ("b.csv", body.encode(), "text/csv")},
    )
    assert response.status_code == 200, response.text
    assert response.json()["kind"] == "budget"
    assert response.json()["months"] == {"API-1": [str(YEAR)], "API-2": [str(YEAR)]}
    batch = session.get(FinanceImport, response.json()["import_id"])
    assert batch.channel == "api" and batch.kind == "budget"
    lines = session.exec(select(BudgetLine).where(BudgetLine.import_id == batch.id)).all()
    assert sorted(line.amount for line in lines) == [Decimal("9000.00"), Decimal("18000.00")]
    wrong = client.post(
        "/api/v1/finances/imports",
        headers=headers,
        data={"kind": "forecast"},
        files={"file": ("b.csv", body.encode(), "text/csv")},
    )
    assert wrong.status_code == 422
    # Without the field the file is read as monthly actuals: the year column is refused.
    assert _post(client, headers, body=body).status_code == 422
