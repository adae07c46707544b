"""The CSV import of houses and residents (administration): upload, report, example files."""

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from app.deps import SessionDep, require
from app.i18n import _
from app.services.access.roles import Principal
from app.services.bodies import imports as imports_service
from app.services.bodies import resident_import
from app.templating import render

router = APIRouter()

Administrator = Annotated[Principal, require("can_administer")]
Upload = Annotated[UploadFile | None, File()]
DryRun = Annotated[bool, Form()]


def _formats() -> dict[str, object]:
    return {
        "house_columns": imports_service.HOUSE_COLUMNS,
        "resident_columns": imports_service.RESIDENT_COLUMNS,
        "max_rows": imports_service.MAX_ROWS,
    }


def _no_file(request: Request, field: str) -> Response:
    errors = {field: _("Choose a CSV file to import.")}
    return render(request, "admin/import.html", {**_formats(), "errors": errors}, status_code=422)


def _report(request: Request, report: imports_service.ImportReport) -> Response:
    status_code = 200 if report.ok else 422
    return render(request, "admin/import_report.html", {"report": report}, status_code=status_code)


@router.get("/admin/import", name="import_page")
def import_page(request: Request, admin: Administrator) -> Response:
    """The upload forms, with the file formats documented."""
    return render(request, "admin/import.html", _formats())


@router.get("/admin/import/example/{name}", name="import_example")
def import_example(name: str, admin: Administrator) -> Response:
    """A downloadable example file (houses.csv or residents.csv)."""
    return Response(
        imports_service.example(name),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/admin/import/houses", name="import_houses")
def import_houses(
    request: Request,
    session: SessionDep,
    admin: Administrator,
    houses_file: Upload = None,
    dry_run: DryRun = False,
) -> Response:
    """Import houses.csv (or only check it, as a dry run) and show the report."""
    if houses_file is None or not houses_file.filename:
        return _no_file(request, "houses_file")
    report = imports_service.import_houses(
        session,
        houses_file.file.read(imports_service.MAX_BYTES + 1),
        admin.id,
        filename=houses_file.filename,
        dry_run=dry_run,
    )
    return _report(request, report)


@router.post("/admin/import/residents", name="import_residents")
def import_residents(
    request: Request,
    session: SessionDep,
    admin: Administrator,
    residents_file: Upload = None,
    dry_run: DryRun = False,
) -> Response:
    """Import residents.csv (or only check it, as a dry run) and show the report."""
    if residents_file is None or not residents_file.filename:
        return _no_file(request, "residents_file")
    report = resident_import.import_residents(
        session,
        residents_file.file.read(imports_service.MAX_BYTES + 1),
        admin.id,
        filename=residents_file.filename,
        dry_run=dry_run,
    )
    return _report(request, report)
