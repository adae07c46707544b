"""Reading a spreadsheet's CSV file: encodings, delimiters, limits, Finnish numbers and dates.

Generic, with no table in mind: a format is a tuple of Columns, and every problem found becomes a
RowError that names the row and column as a spreadsheet shows them.
"""

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from app.i18n import _

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
# Columns and characters a cell: far beyond any import format, small enough to bound the work.
MAX_COLUMNS = 100
MAX_CELL = 10_000
# Longer number cells are refused before conversion (Python's int() refuses over 4300 digits).
MAX_NUMBER_LENGTH = 30


@dataclass
class RowError:
    """One problem in the file: row as a spreadsheet numbers it (header = 1; None: whole file)."""

    row: int | None
    column: str
    value: str
    reason: str


class BadCell(Exception):
    """A cell that cannot be read; the reason is shown to the person importing."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Column:
    """A column of a CSV format: a missing required value is an error; parse reads a cell."""

    name: str
    required: bool
    parse: Callable[[str], Any]


def text_parser(max_length: int) -> Callable[[str], str]:
    """A parser of text cells of at most max_length characters."""

    def parse(raw: str) -> str:
        if len(raw) > max_length:
            raise BadCell(_("Enter at most %(n)s characters.", n=max_length))
        return raw

    return parse


def _check_number_length(raw: str) -> None:
    if len(raw) > MAX_NUMBER_LENGTH:
        raise BadCell(_("The number has too many digits."))


def integer_parser(low: int, high: int) -> Callable[[str], int]:
    """A parser of whole numbers from low to high, spaces allowed as thousand separators."""

    def parse(raw: str) -> int:
        _check_number_length(raw)
        digits = re.sub(r"\s", "", raw)
        # [0-9], not \d: \d and int() also take other scripts' digits, such as "١٢".
        if not re.fullmatch(r"[+-]?[0-9]+", digits):
            raise BadCell(_("Enter a whole number."))
        try:
            value = int(digits)
        except ValueError:
            raise BadCell(_("The number has too many digits.")) from None
        if value < low:
            raise BadCell(_("Enter a value of at least %(n)s.", n=low))
        if value > high:
            raise BadCell(_("Enter a value of at most %(n)s.", n=high))
        return value

    return parse


def parse_decimal(raw: str) -> Decimal:
    """A number written with a decimal comma or point, spaces as thousand separators."""
    _check_number_length(raw)
    text = re.sub(r"\s", "", raw)
    if "," in text and "." in text:
        # Both present: the later one separates the decimals, the other groups thousands.
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    else:
        text = text.replace(",", ".")
    if not re.fullmatch(r"[+-]?[0-9]+(\.[0-9]+)?", text):
        raise BadCell(_("Enter a number, e.g. 2345,5."))
    try:
        return Decimal(text)
    except InvalidOperation:
        raise BadCell(_("Enter a number, e.g. 2345,5.")) from None


def parse_date(raw: str) -> date:
    """A date as YYYY-MM-DD or D.M.YYYY."""
    iso = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", raw)
    finnish = re.fullmatch(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})", raw)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if finnish:
            return date(int(finnish[3]), int(finnish[2]), int(finnish[1]))
    except ValueError:
        pass
    raise BadCell(_("Enter a date as YYYY-MM-DD or D.M.YYYY."))


def _utf16(data: bytes) -> str | None:
    """The text of a UTF-16 file (Excel's "Unicode text"), known by its byte order mark or, without
    one, by the zero bytes of ASCII characters; None for any other file."""
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    sample = data[:2000]
    if len(sample) >= 4 and sample.count(0) * 3 >= len(sample):
        encoding = "utf-16-le" if sample[1::2].count(0) > sample[0::2].count(0) else "utf-16-be"
        return data[: len(data) // 2 * 2].decode(encoding, errors="replace")
    return None


def decode(data: bytes) -> str:
    """UTF-16 (with or without a byte order mark), UTF-8 with or without a BOM; otherwise what
    Excel on Windows writes (Windows-1252)."""
    wide = _utf16(data)
    if wide is not None:
        return wide
    body = data.removeprefix(codecs.BOM_UTF8)
    for encoding in ("utf-8", "cp1252"):
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    return body.decode("latin-1")


def sniff_delimiter(text: str) -> str:
    """Semicolon (Finnish Excel) or comma, judged by the header row."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return ";" if first.count(";") > first.count(",") else ","


def _file_error(reason: str) -> RowError:
    return RowError(None, "", "", reason)


def _csv_records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """The records of a CSV text with their line numbers, read one at a time."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for record in reader:
            yield reader.line_num, record
    except csv.Error as exc:
        reason = _("The file is not valid CSV: check the quotation marks.")
        raise FileRefused(reason, row=reader.line_num) from exc


class FileRefused(Exception):
    """A file that cannot be read at all; the reason is shown to the person importing."""

    def __init__(self, reason: str, row: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.row = row


def read_rows(
    data: bytes, columns: Iterable[Column], *, max_rows: int = MAX_ROWS
) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    """The file's non-empty rows as (row number, column → trimmed cell), or file-level errors."""
    if len(data) > MAX_BYTES:
        return [], [_file_error(_("The file is larger than 5 MB. Split it into smaller files."))]
    text = decode(data)
    if not text.strip():
        return [], [_file_error(_("The file is empty."))]
    records = ((n, r) for n, (_line, r) in enumerate(_csv_records(text, sniff_delimiter(text)), 1))
    return read_records(records, columns, max_rows=max_rows)


def read_records(
    records: Iterable[tuple[int, list[str]]],
    columns: Iterable[Column],
    *,
    max_rows: int = MAX_ROWS,
) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    """Rows of any spreadsheet, read one at a time with the limits enforced while reading: the
    first record is the header; at most max_rows non-empty rows, MAX_COLUMNS columns and
    MAX_CELL characters a cell; reading stops at the first limit broken."""
    columns = tuple(columns)
    rows: list[tuple[int, dict[str, str]]] = []
    errors: list[RowError] = []
    header: list[str] | None = None
    try:
        for number, record in records:
            if len(record) > MAX_COLUMNS and any(c.strip() for c in record[MAX_COLUMNS:]):
                reason = _("The file has more than %(n)s columns.", n=MAX_COLUMNS)
                return [], [RowError(number, "", "", reason)]
            if any(len(cell) > MAX_CELL for cell in record):
                reason = _("A cell has more than %(n)s characters.", n=MAX_CELL)
                return [], [RowError(number, "", "", reason)]
            if header is None:
                header = [cell.strip().lower() for cell in record]
                while header and not header[-1]:
                    header.pop()
                errors = _header_errors(header, columns)
                if errors:
                    return [], errors
                continue
            if not any(cell.strip() for cell in record):
                continue
            if len(rows) + len(errors) >= max_rows:
                reason = _(
                    "The file has more than %(n)s rows. Split it into smaller files.", n=max_rows
                )
                return [], [_file_error(reason)]
            if any(cell.strip() for cell in record[len(header) :]):
                reason = _("The row has more values than the header row has columns.")
                errors.append(RowError(number, "", "", reason))
                continue
            cells = {
                name: (record[i].strip() if i < len(record) else "")
                for i, name in enumerate(header)
            }
            rows.append((number, cells))
    except FileRefused as exc:
        return [], [RowError(exc.row, "", "", exc.reason)]
    if header is None:
        return [], [_file_error(_("The file is empty."))]
    if not rows and not errors:
        return [], [_file_error(_("The file has no rows to import."))]
    return rows, errors


def _header_errors(header: list[str], columns: tuple[Column, ...]) -> list[RowError]:
    known = [c.name for c in columns]
    errors = []
    for i, name in enumerate(header):
        if not name:
            errors.append(RowError(1, "", "", _("A column has no name in the header row.")))
        elif name not in known:
            reason = _("Unknown column. The columns are: %(columns)s.", columns=", ".join(known))
            errors.append(RowError(1, name, name, reason))
        elif name in header[:i]:
            errors.append(RowError(1, name, name, _("The column is twice in the header row.")))
    for column in columns:
        if column.required and column.name not in header:
            reason = _("The column is missing from the header row.")
            errors.append(RowError(1, column.name, "", reason))
    return errors


def parse_row(
    number: int, cells: dict[str, str], columns: Iterable[Column], errors: list[RowError]
) -> dict[str, Any] | None:
    """Column → parsed value (None for an empty cell), or None after appending the row's errors."""
    values: dict[str, Any] = {}
    ok = True
    for column in columns:
        raw = cells.get(column.name, "")
        if not raw:
            if column.required:
                errors.append(RowError(number, column.name, "", _("This field is required.")))
                ok = False
            values[column.name] = None
            continue
        try:
            values[column.name] = column.parse(raw)
        except BadCell as exc:
            errors.append(RowError(number, column.name, raw, exc.reason))
            ok = False
        except (ValueError, ArithmeticError):  # e.g. decimal.InvalidOperation: never a 500
            errors.append(RowError(number, column.name, raw, _("The value is not valid.")))
            ok = False
    return values if ok else None
