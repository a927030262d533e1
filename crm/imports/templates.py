"""A downloadable template per kind: the expected columns and one example row."""

from __future__ import annotations

import csv
import io

from flask_babel import gettext

from crm.imports.engine import Importer
from crm.reports.rendering import UTF8_BOM


def template_file(importer: type[Importer], fmt: str) -> tuple[bytes, str]:
    header = [column.key for column in importer.columns]
    example = [column.example for column in importer.columns]
    notes = [
        gettext("Required. %(help)s", help=column.help or column.label)
        if column.required
        else str(column.help or column.label)
        for column in importer.columns
    ]
    if fmt == "csv":
        buffer = io.StringIO()
        buffer.write(UTF8_BOM)
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerow(example)
        return buffer.getvalue().encode("utf-8"), "text/csv; charset=utf-8"
    import xlsxwriter

    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        output, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = workbook.add_worksheet(str(importer.label)[:31])
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, header, bold)
    sheet.write_row(1, 0, example)
    for index, note in enumerate(notes):
        sheet.write_comment(0, index, note)
    sheet.set_column(0, len(header) - 1, 22)
    workbook.close()
    return output.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
