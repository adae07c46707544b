"""House finances API: importing monthly figures, a house's year and the company totals."""

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Query, UploadFile, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from app import policies
from app.deps import ApiUser, SessionDep, permit, require_api, today
from app.models.finances import ImportKind
from app.routers.api import ValidationProblem
from app.services.access.roles import Principal
from app.services.bodies import houses as houses_service
from app.services.finances import comparison
from app.services.finances import figures as finances_service
from app.services.finances import imports as finance_import

router = APIRouter(prefix="/api/v1", tags=["finances"])

ApiImporter = Annotated[Principal, require_api("can_import_finances", "import")]
CompanyReader = Annotated[Principal, require_api("can_view_company_finances")]


class RowErrorPublic(BaseModel):
    """One problem in an imported file."""

    row: int | None
    column: str
    value: str
    reason: str


class ImportPublic(BaseModel):
    """What an import found and did (months: for a budget file, years)."""

    ok: bool
    kind: ImportKind
    dry_run: bool
    rows: int
    replaced: int
    import_id: int | None
    months: dict[str, list[str]]
    errors: list[RowErrorPublic]


class GroupPublic(BaseModel):
    """One cost group's budget and actuals in a year; months only for those who may see them."""

    code: str
    kind: str
    budget: Decimal | None
    actual: Decimal
    months: list[Decimal | None] | None


class HouseYearPublic(BaseModel):
    """A house's year: per cost group, the statement's figures and the usage charges."""

    house_id: int
    year: int
    months_with_figures: int
    maintenance_per_m2_month: Decimal | None
    charged: Decimal
    costs: Decimal
    result: Decimal
    cumulated: Decimal
    groups: list[GroupPublic]
    usage_charges: dict[str, Decimal]


class CompanyPublic(BaseModel):
    """Company-level totals and averages, without any house's row."""

    year: int
    houses: int
    budget: Decimal
    actual: Decimal
    average_per_m2_month: Decimal | None
    average_usage_charge: Decimal | None


@router.post(
    "/finances/imports",
    response_model=ImportPublic,
    responses={
        422: {
            "model": ImportPublic | ValidationProblem,
            "description": "The file has errors and nothing was stored (a report), or the "
            "request itself is incomplete, e.g. no file (the fields at fault)",
        }
    },
)
def import_figures(
    session: SessionDep,
    user: ApiImporter,
    file: Annotated[
        UploadFile,
        File(
            description="CSV or XLSX: house, month, group, amount (a budget file: house, year, "
            "group, amount)"
        ),
    ],
    kind: Annotated[
        ImportKind, Form(description="What the file holds: monthly actuals or yearly budgets")
    ] = ImportKind.actuals,
    dry_run: Annotated[bool, Query(description="Only check the file")] = False,
) -> JSONResponse:
    """Import monthly actual amounts or yearly budgets (token scope "import"): all rows or, on
    any error, none."""
    report = finance_import.import_figures(
        session,
        file.file.read(finance_import.MAX_BYTES + 1),
        user.id,
        kind=kind,
        filename=file.filename or "upload",
        today=today(),
        dry_run=dry_run,
        channel="api",
        allowed_houses=None if policies.is_staff_overseer(user) else set(user.manager_of),
    )
    body = ImportPublic(
        ok=report.ok,
        kind=report.kind,
        dry_run=report.dry_run,
        rows=report.rows,
        replaced=report.replaced,
        import_id=report.import_id,
        months=report.months,
        errors=[RowErrorPublic(**vars(e)) for e in report.errors],
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=200 if report.ok else 422)


@router.get("/houses/{house_id}/finances", response_model=HouseYearPublic)
def read_house_year(
    house_id: int,
    session: SessionDep,
    user: ApiUser,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> HouseYearPublic:
    """A house's year (its residents, committee, manager and management; months only for the
    committee, the manager and management)."""
    permit(policies.has_scope(user, "read"))
    house = houses_service.get(session, house_id)
    if not policies.can_view_finances(user, house_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    monthly = policies.can_view_finance_monthly(user, house_id)
    figures = finances_service.house_year(session, house, year or today().year)
    return HouseYearPublic(
        house_id=house_id,
        year=figures.year,
        months_with_figures=figures.months_with_figures,
        maintenance_per_m2_month=figures.maintenance_per_m2,
        charged=figures.charged,
        costs=figures.costs,
        result=figures.result,
        cumulated=figures.cumulated,
        groups=[
            GroupPublic(
                code=r.group.code,
                kind=r.group.kind.value,
                budget=r.budget,
                actual=r.actual,
                months=r.months if monthly else None,
            )
            for r in figures.rows
        ],
        usage_charges={c.effective_from.isoformat(): c.amount for c in figures.charges},
    )


@router.get("/finances/company", response_model=CompanyPublic)
def read_company(
    session: SessionDep,
    user: CompanyReader,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> CompanyPublic:
    """Company totals and averages (Haso-yte, management)."""
    chosen = year or today().year
    totals = comparison.company_totals(session, chosen, today())
    return CompanyPublic(
        year=chosen,
        houses=totals.houses,
        budget=totals.budget,
        actual=totals.actual,
        average_per_m2_month=totals.average_per_m2,
        average_usage_charge=totals.average_charge,
    )
