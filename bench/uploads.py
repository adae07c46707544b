"""Hostile uploads: how long the finance import takes and how much memory it adds for files made
to exhaust a server, each within the 5 MB upload limit.

    python -m bench.uploads [--out bench/results/uploads.md]

Every file is read by the import as an upload would be (a dry run, on an empty SQLite database
in a temporary folder); the time is the wall clock of that call and the memory is Python's peak
allocation during it (tracemalloc), beyond what was allocated before.
"""

import argparse
import os
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import date
from pathlib import Path


def _files() -> list[tuple[str, Callable[[], bytes], str]]:
    from tests.security.test_hostile_spreadsheets import HEADER, workbook

    row = '<row r="%d"><c r="A%d" t="inlineStr"><is><t>X</t></is></c><c r="B%d"><v>1</v></c></row>'
    return [
        (
            "XLSX declaring A1:XFD1048576, one cell at the far corner",
            lambda: workbook(
                HEADER + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
                dimension="A1:XFD1048576",
            ),
            "a.xlsx",
        ),
        (
            "XLSX of 3,000,000 empty rows",
            lambda: workbook(HEADER.encode() + b"<row/>" * 3_000_000),
            "a.xlsx",
        ),
        (
            "XLSX of 60,000 data rows",
            lambda: workbook(HEADER + "".join(row % (n, n, n) for n in range(2, 60_002))),
            "a.xlsx",
        ),
        (
            "XLSX with an entity declaration",
            lambda: workbook(HEADER, prolog='<!DOCTYPE x [<!ENTITY e "e">]>'),
            "a.xlsx",
        ),
        (
            "CSV of 250,000 rows",
            lambda: b"house;month;group;amount\n" + b"X;2026-01;heating;1\n" * 250_000,
            "a.csv",
        ),
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-uploads-"))
    os.environ["PORTAL_DATABASE_URL"] = f"sqlite:///{work / 'uploads.db'}"
    os.environ.setdefault("PORTAL_SECRET_KEY", "bench-uploads-secret-key")
    from alembic import command
    from sqlmodel import Session

    from app.cli import _alembic_config
    from app.db import get_engine
    from app.services.finances import imports as finance_import

    command.upgrade(_alembic_config(os.environ["PORTAL_DATABASE_URL"]), "head")
    lines = [
        "| file | size | time | extra memory (peak) | answer |",
        "|---|---:|---:|---:|---|",
    ]
    for name, make, filename in _files():
        data = make()
        with Session(get_engine()) as session:
            tracemalloc.start()
            start = time.perf_counter()
            report = finance_import.import_actuals(
                session, data, None, filename=filename, today=date(2026, 6, 1), dry_run=True
            )
            seconds = time.perf_counter() - start
            _now, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        answer = report.errors[0].reason if report.errors else "read"
        lines.append(
            f"| {name} | {len(data) / 1024:,.0f} KB | {seconds:.2f} s | {peak / 2**20:.1f} MB "
            f"| {answer} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
