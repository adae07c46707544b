"""House finance pages: a house's year, the company overview, CSV files and the import."""

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile, status
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from app import policies
from app.deps import CurrentUser, FormData, SessionDep, require, today
from app.errors import ValidationFailed
from app.i18n import _
from app.models.finances import ImportKind
from app.models.houses import House
from app.services.access.roles import Principal
from app.services.bodies import houses as houses_service
from app.services.finances import comparison as comparison_service
from app.services.finances import entries as finance_entries
from app.services.finances import figures as finances_service
from app.services.finances import imports as finance_import
from app.services.finances import views as finance_views
from app.templating import render

router = APIRouter()

Importer = Annotated[Principal, require("can_import_finances")]
CompanyViewer = Annotated[Principal, require("can_view_company_finances")]
Comparer = Annotated[Principal, require("can_compare_house_finances")]
Upload = Annotated[UploadFile | None, File()]
DryRun = Annotated[bool, Form()]
Kind = Annotated[str, Form()]
SORTS = ("deviation", "name", "per_m2", "actual")


def get_finance_house(house_id: int, user: CurrentUser, session: SessionDep) -> House:
    """A house whose finances the user may see; 404 or 403 otherwise."""
    house = houses_service.get(session, house_id)
    if not policies.can_view_finances(user, house_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN)
    return house


FinanceHouse = Annotated[House, Depends(get_finance_house)]


def parse_year(raw: str | None) -> tuple[int, dict[str, str]]:
    """The year asked for (this year by default) and a field error for a bad one."""
    current = today().year
    if raw is None or raw == "":
        return current, {}
    if raw.isdigit() and 2000 <= int(raw) <= current + 1:
        return int(raw), {}
    return current, {"year": _("Choose a year from the list.")}


def _years(session: Session, house_id: int | None, chosen: int) -> list[int]:
    years = set(finances_service.years_with_figures(session, house_id))
    return sorted(years | {today().year, chosen}, reverse=True)


@router.get("/houses/{house_id}/finances", name="house_finances")
def house_page(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    house: FinanceHouse,
    year: str | None = None,
) -> Response:
    """A house's budget against actuals, the statement, usage charges and comparisons."""
    assert house.id is not None
    chosen, errors = parse_year(year)
    figures = finances_service.house_year(session, house, chosen)
    smallest = policies.smallest_group(user)
    comparison = comparison_service.comparison(session, house, chosen, min_group=smallest)
    context = {
        "house": house,
        "year": chosen,
        "is_current_year": chosen == today().year,
        "years": _years(session, house.id, chosen),
        "errors": errors,
        "figures": figures,
        "monthly": policies.can_view_finance_monthly(user, house.id),
        "comparison": comparison,
        "budget_chart": finance_views.budget_chart(figures),
        "comparison_chart": finance_views.comparison_chart(comparison, house.name),
        "age_band": finance_views.age_band_label(comparison.age_band),
        "min_group": smallest,
    }
    return render(request, "finances/house.html", context, 422 if errors else 200)


@router.get("/houses/{house_id}/finances.csv", name="house_finances_csv")
def house_csv(
    session: SessionDep, user: CurrentUser, house: FinanceHouse, year: str | None = None
) -> Response:
    """The house's year as CSV: months only for those who may see them."""
    assert house.id is not None
    chosen, _errors = parse_year(year)
    figures = finances_service.house_year(session, house, chosen)
    table = finance_views.house_table(figures, policies.can_view_finance_monthly(user, house.id))
    return Response(
        finance_views.to_csv(table),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="talous-{house.code}-{chosen}.csv"'},
    )


@router.get("/finances", name="finances")
def company_page(
    request: Request,
    session: SessionDep,
    user: CompanyViewer,
    year: str | None = None,
    sort: str = "deviation",
) -> Response:
    """Company totals (Haso-yte, management) and, for management, every house side by side."""
    chosen, errors = parse_year(year)
    sort = sort if sort in SORTS else "deviation"
    rows = None
    if policies.can_compare_house_finances(user):
        rows = _sorted(comparison_service.summaries(session, chosen), sort)
    context = {
        "year": chosen,
        "years": _years(session, None, chosen),
        "errors": errors,
        "totals": comparison_service.company_totals(session, chosen, today()),
        "rows": rows,
        "sort": sort,
    }
    return render(request, "finances/company.html", context, 422 if errors else 200)


def _sorted(
    rows: list[comparison_service.HouseSummary], sort: str
) -> list[comparison_service.HouseSummary]:
    if sort == "name":
        return sorted(rows, key=lambda r: r.house.name)
    if sort == "per_m2":
        return sorted(rows, key=lambda r: (r.per_m2 is None, -(r.per_m2 or 0)))
    if sort == "actual":
        return sorted(rows, key=lambda r: -r.actual)
    return comparison_service.by_deviation(rows)


@router.get("/finances.csv", name="finances_csv")
def company_csv(session: SessionDep, user: Comparer, year: str | None = None) -> Response:
    """Every house side by side as CSV (management)."""
    chosen, _errors = parse_year(year)
    rows = comparison_service.by_deviation(comparison_service.summaries(session, chosen))
    return Response(
        finance_views.to_csv(finance_views.overview_table(rows)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="talous-{chosen}.csv"'},
    )


@router.get("/finances/import", name="finance_import_page")
def import_page(request: Request, session: SessionDep, user: Importer) -> Response:
    """The upload form with the file format and the cost groups' codes documented."""
    context = {"errors": {}, "groups": finances_service.groups(session), "kind": "actuals"}
    return render(request, "finances/import.html", context)


@router.get("/finances/import/example/{name}", name="finance_import_example")
def import_example(name: str, user: Importer) -> Response:
    """A downloadable example file (CSV or XLSX)."""
    media = (
        "text/csv; charset=utf-8"
        if name.endswith(".csv")
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return Response(
        finance_import.example(name),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/finances/import", name="finance_import")
def import_upload(
    request: Request,
    session: SessionDep,
    user: Importer,
    figures_file: Upload = None,
    dry_run: DryRun = False,
    kind: Kind = ImportKind.actuals.value,
) -> Response:
    """Import monthly figures or yearly budgets (or only check them, as a dry run) and show
    the report."""
    errors: dict[str, str] = {}
    if kind not in {k.value for k in ImportKind}:
        errors["kind"] = _("Choose what the file holds: monthly figures or budgets.")
    if figures_file is None or not figures_file.filename:
        errors["figures_file"] = _("Choose a CSV or XLSX file to import.")
    if errors or figures_file is None or not figures_file.filename:
        context = {
            "errors": errors,
            "groups": finances_service.groups(session),
            "kind": kind,
        }
        return render(request, "finances/import.html", context, status_code=422)
    report = finance_import.import_figures(
        session,
        figures_file.file.read(finance_import.MAX_BYTES + 1),
        user.id,
        kind=ImportKind(kind),
        filename=figures_file.filename,
        today=today(),
        dry_run=dry_run,
        allowed_houses=None if policies.is_staff_overseer(user) else set(user.manager_of),
    )
    status_code = 200 if report.ok else 422
    return render(request, "finances/import_report.html", {"report": report}, status_code)


# ---- the cost groups ----

GroupManager = Annotated[Principal, require("can_manage_cost_groups")]


def _groups_page(
    request: Request,
    session: Session,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    failed: int | None = None,
) -> Response:
    """The list of cost groups; failed: the group whose form has the errors (None: new)."""
    context = {
        "groups": finances_service.all_groups(session),
        "errors": errors or {},
        "values": values or {},
        "failed": failed,
    }
    return render(request, "finances/cost_groups.html", context, 422 if errors else 200)


@router.get("/finances/cost-groups", name="cost_groups")
def cost_groups(request: Request, session: SessionDep, user: GroupManager) -> Response:
    """The cost groups with their names in Finnish, Swedish and English."""
    return _groups_page(request, session)


@router.post("/finances/cost-groups", name="add_cost_group")
def add_cost_group(
    request: Request, session: SessionDep, user: GroupManager, form: FormData
) -> Response:
    """Add a cost group."""
    try:
        finance_entries.create_group(session, form, user.id)
    except ValidationFailed as exc:
        return _groups_page(request, session, exc.errors, form)
    return RedirectResponse("/finances/cost-groups", 303)


@router.post("/finances/cost-groups/{group_id}", name="edit_cost_group")
def edit_cost_group(
    group_id: int, request: Request, session: SessionDep, user: GroupManager, form: FormData
) -> Response:
    """Rename, reorder or hide a cost group."""
    group = finances_service.get_group(session, group_id)
    try:
        finance_entries.update_group(session, group, form, user.id)
    except ValidationFailed as exc:
        return _groups_page(request, session, exc.errors, form, group_id)
    return RedirectResponse("/finances/cost-groups", 303)


# ---- the budget cycle ----
