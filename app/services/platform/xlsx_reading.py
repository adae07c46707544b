"""Reading an XLSX workbook's first sheet as text records, streamed, with its limits enforced.

No spreadsheet library builds the sheet in memory here: the parts are read from the zip one
element at a time, so that no file within the upload limit can make the server work long or use
much memory. What a workbook declares about itself is not trusted (the sheet's dimension, the
sizes in the zip beyond what is actually unpacked), and XML with a document type declaration
(entities) is refused. Cells come back as text: numbers as written, dates by a caller's function.
"""

import contextlib
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import IO
from xml.etree.ElementTree import Element, ParseError, iterparse  # noqa: S405 - DOCTYPE refused

from app.i18n import _
from app.services.platform.csv_reading import MAX_CELL, MAX_COLUMNS, FileRefused

# Unpacked sizes: the sheet, the shared strings, everything else together.
MAX_SHEET_BYTES = 40 * 1024 * 1024
MAX_STRINGS_BYTES = 20 * 1024 * 1024
MAX_OTHER_BYTES = 5 * 1024 * 1024
# Rows read, empty ones included: a sheet of millions of empty rows is refused, not walked.
MAX_ROWS_READ = 100_000
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# Excel's built-in number formats that show dates.
DATE_FORMATS = {14, 15, 16, 17, 22, 27, 30, 36, 45, 46, 47, 50, 57}
EPOCH = date(1899, 12, 30)  # Excel's day 0 (with its 1900 leap-year error already counted)


def _invalid() -> FileRefused:
    return FileRefused(_("The file is not a valid XLSX workbook."))


class _Guarded(io.RawIOBase):
    """A part's bytes, refused past a size or when they declare a document type or entity."""

    def __init__(self, raw: IO[bytes], limit: int) -> None:
        self.raw = raw
        self.limit = limit
        self.seen = 0
        self.tail = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: "bytearray | memoryview") -> int:  # type: ignore[override]
        chunk = self.raw.read(min(len(buffer), 64 * 1024))
        self.seen += len(chunk)
        if self.seen > self.limit:
            raise FileRefused(_("The workbook is too large when unpacked."))
        window = (self.tail + chunk).upper()
        if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
            raise FileRefused(
                _("The workbook contains a document type declaration; save it again.")
            )
        self.tail = window[-16:]
        buffer[: len(chunk)] = chunk
        return len(chunk)


def _elements(book: zipfile.ZipFile, name: str, limit: int, tag: str) -> Iterator[Element]:
    """The part's elements named tag, each handed over when complete and then forgotten."""
    with book.open(name) as raw:
        stream = io.BufferedReader(_Guarded(raw, limit))
        try:
            context = iterparse(stream, events=("start", "end"))  # noqa: S314 - guarded above
            # The open elements, outermost first: a finished element is taken off its parent,
            # so the part's tree never grows beyond one element's worth.
            open_elements: list[Element] = []
            for event, element in context:
                if event == "start":
                    open_elements.append(element)
                    continue
                open_elements.pop()
                if element.tag == tag:
                    yield element
                    if open_elements:
                        open_elements[-1].remove(element)
                    element.clear()
        except ParseError as exc:
            raise _invalid() from exc


def _first_sheet(book: zipfile.ZipFile) -> str:
    """The zip path of the workbook's first sheet."""
    names = set(book.namelist())
    if "xl/workbook.xml" not in names:
        raise _invalid()
    first = next(_elements(book, "xl/workbook.xml", MAX_OTHER_BYTES, f"{MAIN}sheet"), None)
    if first is None:
        raise FileRefused(_("The workbook has no sheets."))
    wanted = first.get(f"{REL}id")
    rels = "xl/_rels/workbook.xml.rels"
    if wanted and rels in names:
        for rel in _elements(book, rels, MAX_OTHER_BYTES, f"{PACKAGE_REL}Relationship"):
            if rel.get("Id") == wanted:
                target = (rel.get("Target") or "").lstrip("/")
                path = target if target.startswith("xl/") else f"xl/{target}"
                if path in names:
                    return path
    if "xl/worksheets/sheet1.xml" in names:
        return "xl/worksheets/sheet1.xml"
    raise _invalid()


def _shared_strings(book: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in book.namelist():
        return []
    strings = []
    for item in _elements(book, "xl/sharedStrings.xml", MAX_STRINGS_BYTES, f"{MAIN}si"):
        strings.append("".join(t.text or "" for t in item.iter(f"{MAIN}t"))[: MAX_CELL + 1])
    return strings


def _is_date_format(code: str) -> bool:
    bare = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", code).lower()
    return bool(re.search(r"[dy]", bare)) or ("m" in bare and ("d" in bare or "y" in bare))


def _date_styles(book: zipfile.ZipFile) -> set[int]:
    """The indexes of the cell styles that show a number as a date."""
    if "xl/styles.xml" not in book.namelist():
        return set()
    custom: dict[int, str] = {}
    dates: set[int] = set()
    # The styles part is small (within MAX_OTHER_BYTES): read whole.
    with book.open("xl/styles.xml") as raw:
        stream = io.BufferedReader(_Guarded(raw, MAX_OTHER_BYTES))
        try:
            tree = iterparse(stream, events=("end",))  # noqa: S314 - guarded above
            root = None
            for _event, node in tree:
                root = node
        except ParseError as exc:
            raise _invalid() from exc
    if root is None:
        return set()
    for fmt in root.iter(f"{MAIN}numFmt"):
        try:
            custom[int(fmt.get("numFmtId") or "")] = fmt.get("formatCode") or ""
        except ValueError:
            continue
    cell_xfs = root.find(f"{MAIN}cellXfs")
    for position, xf in enumerate(cell_xfs if cell_xfs is not None else []):
        try:
            number_format = int(xf.get("numFmtId") or "0")
        except ValueError:
            continue
        if number_format in DATE_FORMATS or (
            number_format in custom and _is_date_format(custom[number_format])
        ):
            dates.add(position)
    return dates


def _column(reference: str) -> int:
    """The 0-based column of a cell reference such as "C7"."""
    letters = re.match(r"[A-Z]{1,3}", reference)
    if letters is None:
        raise _invalid()
    index = 0
    for letter in letters.group(0):
        index = index * 26 + (ord(letter) - 64)
    return index - 1


def _number(raw: str) -> str:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return raw
    if not value.is_finite():
        return raw
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def iso_date(day: date) -> str:
    return day.isoformat()


def records(
    data: bytes, date_cell: Callable[[date], str] = iso_date
) -> Iterator[tuple[int, list[str]]]:
    """The first sheet's records as (row number, cells as text), read one at a time.

    Raises FileRefused (with the reason in the user's language) for anything that is not a
    readable workbook within the limits."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise _invalid() from exc
    with book:
        try:
            sheet = _first_sheet(book)
            shared = _shared_strings(book)
            date_styles = _date_styles(book)
            expected = 0
            rows = _elements(book, sheet, MAX_SHEET_BYTES, f"{MAIN}row")
            for count, row in enumerate(rows, start=1):
                if count > MAX_ROWS_READ:
                    raise FileRefused(_("The sheet has more than %(n)s rows.", n=MAX_ROWS_READ))
                expected += 1
                try:
                    number = int(row.get("r") or expected)
                except ValueError as exc:
                    raise _invalid() from exc
                expected = number
                yield number, _cells(row, shared, date_styles, date_cell)
        except (zipfile.BadZipFile, KeyError, OSError, EOFError) as exc:
            raise _invalid() from exc


def _style(cell: Element) -> int:
    try:
        return int(cell.get("s") or "0")
    except ValueError:
        return 0


def _cells(
    row: Element, shared: list[str], date_styles: set[int], date_cell: Callable[[date], str]
) -> list[str]:
    cells: dict[int, str] = {}
    position = -1
    for cell in row.iter(f"{MAIN}c"):
        reference = cell.get("r")
        position = _column(reference) if reference else position + 1
        if position >= MAX_COLUMNS:
            value_seen = cell.find(f"{MAIN}v") is not None or cell.find(f"{MAIN}is") is not None
            if value_seen:
                raise FileRefused(_("The file has more than %(n)s columns.", n=MAX_COLUMNS))
            continue
        kind = cell.get("t", "n")
        value = cell.find(f"{MAIN}v")
        raw = (value.text or "") if value is not None else ""
        if kind == "s":
            try:
                text = shared[int(raw)]
            except (ValueError, IndexError) as exc:
                raise FileRefused(_("The file is not a valid XLSX workbook.")) from exc
        elif kind == "inlineStr":
            text = "".join(t.text or "" for t in cell.iter(f"{MAIN}t"))
        elif kind == "b":
            text = "TRUE" if raw == "1" else "FALSE"
        elif kind in ("str", "e", "d"):
            text = raw
        else:
            text = _number(raw) if raw else ""
            if raw and _style(cell) in date_styles:
                with contextlib.suppress(ValueError, OverflowError):
                    text = date_cell(EPOCH + timedelta(days=int(float(raw))))
        cells[position] = text[: MAX_CELL + 1]
    if not cells:
        return []
    return [cells.get(i, "") for i in range(max(cells) + 1)]
