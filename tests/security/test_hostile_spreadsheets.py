"""Spreadsheets made to exhaust the server are refused with a reason, never read whole.

Each file here is within the upload limit: a sheet declaring the whole grid with one cell at the
far corner, millions of empty rows in a few hundred kilobytes, far more data rows than the import
takes, an XML entity declaration, a CSV of a million rows or with a huge cell. The reader stops
at the first limit it meets; the import page answers 422 with the reason at the file.
"""

import io
import zipfile
from datetime import date
from typing import Any

import pytest

from app.services.finances import imports as finance_import
from app.services.platform import xlsx_reading
from app.services.platform.csv_reading import MAX_BYTES, MAX_CELL, MAX_ROWS, FileRefused
from tests.support import fi, make_house, make_staff

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HEADER = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>house</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>month</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>group</t></is></c>'
    '<c r="D1" t="inlineStr"><is><t>amount</t></is></c></row>'
)


def workbook(sheet_rows: str | bytes, *, dimension: str = "A1:D2", prolog: str = "") -> bytes:
    """A minimal XLSX whose first sheet holds the given <row> elements."""
    rows = sheet_rows.encode() if isinstance(sheet_rows, str) else sheet_rows
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"/>',
        )
        book.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
            '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="x" '
            'Target="worksheets/sheet1.xml"/></Relationships>',
        )
        book.writestr(
            "xl/worksheets/sheet1.xml",
            f'<?xml version="1.0"?>{prolog}<worksheet xmlns="{MAIN}">'.encode()
            + f'<dimension ref="{dimension}"/><sheetData>'.encode()
            + rows
            + b"</sheetData></worksheet>",
        )
    return out.getvalue()


def refusal(session: Any, data: bytes, filename: str = "a.xlsx") -> str:
    """The reason the import gives for refusing the whole file."""
    report = finance_import.import_actuals(
        session, data, None, filename=filename, today=date(2026, 6, 1)
    )
    assert not report.ok
    assert len(report.errors) == 1 and report.errors[0].column == "", report.errors[:3]
    return report.errors[0].reason


def test_a_declared_grid_with_one_cell_at_the_far_corner_is_refused(session):
    far = HEADER + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    data = workbook(far, dimension="A1:XFD1048576")
    assert len(data) < 5_000
    assert "100" in refusal(session, data)


def test_millions_of_empty_rows_are_not_walked(session):
    empty = b"<row/>" * 3_000_000
    data = workbook(HEADER.encode() + empty)
    assert len(data) < 500_000
    reason = refusal(session, data)
    assert reason == fi("The sheet has more than %(n)s rows.", n=xlsx_reading.MAX_ROWS_READ)


def test_more_data_rows_than_the_import_takes_stop_the_reading(session):
    row = '<row r="%d"><c r="A%d" t="inlineStr"><is><t>X</t></is></c><c r="B%d"><v>1</v></c></row>'
    body = "".join(row % (n, n, n) for n in range(2, 60_000))
    data = workbook(HEADER + body)
    assert len(data) < MAX_BYTES
    assert str(MAX_ROWS) in refusal(session, data).replace("\xa0", "").replace(",", "")


def test_xml_with_an_entity_declaration_is_refused(session):
    prolog = '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    data = workbook(HEADER, prolog=prolog)
    reason = fi("The workbook contains a document type declaration; save it again.")
    assert refusal(session, data) == reason
    with pytest.raises(FileRefused):
        list(xlsx_reading.records(data))


def test_a_huge_declared_size_in_the_zip_is_not_trusted(session):
    big = b"<row/>" * (xlsx_reading.MAX_SHEET_BYTES // 6 + 10)
    data = workbook(HEADER.encode() + big)
    assert len(data) < MAX_BYTES
    assert refusal(session, data)


def test_a_csv_of_a_million_rows_stops_at_the_limit(session):
    data = b"house;month;group;amount\n" + b"X;2026-01;heating;1\n" * 250_000
    assert len(data) < MAX_BYTES
    assert str(MAX_ROWS) in refusal(session, data, "a.csv").replace("\xa0", "").replace(",", "")


def test_a_csv_cell_beyond_the_cell_limit_is_refused(session):
    data = b"house;month;group;amount\n" + b"X;2026-01;heating;" + b"9" * (MAX_CELL + 1) + b"\n"
    assert str(MAX_CELL) in refusal(session, data, "a.csv").replace("\xa0", "").replace(",", "")


def test_the_import_page_answers_422_at_the_file_for_an_entity_workbook(client, session):
    from app.models.people import StaffKind

    make_house(session)
    client.login_as(session, make_staff(session, StaffKind.management))
    data = workbook(HEADER, prolog='<!DOCTYPE x [<!ENTITY e "e">]>')
    response = client.submit(
        "/finances/import", files={"figures_file": ("m.xlsx", data, "application/octet-stream")}
    )
    assert response.status_code == 422
    assert fi("The workbook contains a document type declaration; save it again.") in (
        response.text
    )


def test_a_utf16_csv_is_read_as_text(session):
    house = make_house(session, code="UTF-16")
    from app.services.finances import figures as finances_service

    finances_service.ensure_default_groups(session)
    text = "house;month;group;amount\nUTF-16;2026-01;heating;1 234,50\n"
    for data in (
        "\ufeff".encode("utf-16-le") + text.encode("utf-16-le"),
        text.encode("utf-16-be"),
    ):
        report = finance_import.import_actuals(
            session, data, None, filename="a.csv", today=date(2026, 6, 1), dry_run=True
        )
        assert report.ok, [(e.row, e.column, e.reason) for e in report.errors]
        assert report.rows == 1
    assert house.id is not None
