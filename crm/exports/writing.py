"""CSV (UTF-8 with BOM, for Excel), XLSX and the full ZIP, every cell neutralised so that a
spreadsheet never runs a value as a formula."""

from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from typing import IO, Any

from crm.auth.models import User
from crm.db import utcnow
from crm.exports.tables import TABLES
from crm.formula_guard import Cell, neutralise
from crm.reports.rendering import UTF8_BOM


def csv_chunks(header: Iterable[str], rows: Iterable[tuple[Cell, ...]]) -> Iterator[bytes]:
    """The CSV a few hundred rows at a time, for a streamed response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(UTF8_BOM)
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow([neutralise(cell) for cell in row])
        if count % 500 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def write_xlsx(
    target: IO[bytes], title: str, header: Iterable[str], rows: Iterable[tuple[Cell, ...]]
) -> None:
    import xlsxwriter

    # constant_memory writes each row to disk as it goes; text is never read as a formula.
    workbook = xlsxwriter.Workbook(
        target,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
    )
    sheet = workbook.add_worksheet(title[:31])
    bold = workbook.add_format({"bold": True})
    header = list(header)
    sheet.write_row(0, 0, header, bold)
    for index, row in enumerate(rows, start=1):
        for column, cell in enumerate(row):
            value = neutralise(cell)
            if isinstance(value, int):
                sheet.write_number(index, column, value)
            else:
                sheet.write_string(index, column, value or "")
    sheet.set_column(0, len(header) - 1, 20)
    workbook.close()


def full_export(user: User) -> IO[bytes]:
    """Every table the user may see as CSV in a ZIP, with manifest.json describing them. Built
    in a temporary file that spills to disk, not in memory."""
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    files: list[dict[str, Any]] = []
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in TABLES.values():
            counted = _Counted(table.rows(user, {}))
            name = f"{table.key}.csv"
            with archive.open(name, "w") as member:
                for chunk in csv_chunks(table.header, counted):
                    member.write(chunk)
            files.append(
                {
                    "file": name,
                    "title": str(table.title),
                    "columns": list(table.header),
                    "rows": counted.count,
                }
            )
        manifest = {
            "application": "Twinning",
            "created_at": utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "created_by": user.email,
            "encoding": "UTF-8 with BOM; cells starting with = + - @, a tab or a carriage return "
            "are prefixed with '",
            "files": files,
        }
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    spool.seek(0)
    return spool


class _Counted:
    def __init__(self, rows: Iterable[tuple[Cell, ...]]) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[tuple[Cell, ...]]:
        for row in self.rows:
            self.count += 1
            yield row
