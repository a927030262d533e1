"""A row with more cells than the file has headings is an error row, not a row cut short.

Most often a value held the separator without quotes ("Maribor, City") and every cell after it
moved one column on; what falls past the last heading used to be dropped without a word.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from openpyxl import Workbook
from sqlalchemy import select

from crm.db import session
from crm.localities.models import Locality
from tests.factories import make_user
from tests.imports.test_imports import apply, marks, preview, upload

CSV = (
    "name,country,kind\n"
    "Ptuj,SI,city\n"
    "Maribor, City,SI,city\n"  # the comma in the name: four cells under three headings
    "Celje,SI,city,,\n"  # empty cells after the last heading hold nothing: not an error
)


def localities(app: Flask) -> list[str]:
    with app.app_context():
        return sorted(session.scalars(select(Locality.name)))


def test_a_csv_row_with_more_cells_than_headings_is_an_error_row(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as()
    token = upload(client, "localities", CSV.encode())
    assert preview(client, token) == 302
    found = marks(app, token)
    assert found[2][0] == "new"
    assert found[4][0] == "new"
    mark, errors, _ = found[3]
    assert mark == "error"
    assert errors == {
        "row": "Row 3 has more cells than headings (4 cells, 3 headings), so it is not "
        "imported. Put quotes around a value that holds the separator, or give the extra "
        "cells a heading."
    }
    page = client.get(f"/imports/{token}").get_data(as_text=True)
    assert "<strong>Row:</strong> Row 3 has more cells than headings" in page
    assert localities(app) == []

    assert apply(client, token, "all") == 302
    assert localities(app) == []
    assert apply(client, token, "valid") == 302
    assert localities(app) == ["Celje", "Ptuj"]


def test_an_xlsx_row_with_more_cells_than_headings_is_an_error_row(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as()
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["name", "country"])
    sheet.append(["Ptuj", "SI"])
    sheet.append(["Žalec", "SI", "a note with no heading"])
    content = io.BytesIO()
    workbook.save(content)
    token = upload(client, "localities", content.getvalue(), "towns.xlsx")
    assert preview(client, token) == 302
    found = marks(app, token)
    assert found[2][0] == "new"
    assert found[3][0] == "error"
    assert "(3 cells, 2 headings)" in found[3][1]["row"]
    assert apply(client, token, "valid") == 302
    assert localities(app) == ["Ptuj"]


def test_the_command_line_names_a_row_wide_error_without_a_column(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    """Regression: a problem of the row as a whole (not of one column) was printed under the
    column key "row", so the line read "row 3: row: Row 3 has more cells…"."""
    with app.app_context():
        make_user(role="admin", email="admin@example.com")
        session.commit()
    path = tmp_path / "localities.csv"
    path.write_text(CSV, encoding="utf-8")
    result = runner.invoke(args=["import", "localities", str(path)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("row ")]
    assert lines == [
        "row 3: Row 3 has more cells than headings (4 cells, 3 headings), so it is not "
        "imported. Put quotes around a value that holds the separator, or give the extra "
        "cells a heading."
    ]
    # A column's problem keeps its column's name.
    path.write_text("name,country\nNowhere,XX\n", encoding="utf-8")
    result = runner.invoke(args=["import", "localities", str(path)])
    assert "row 2: country: " in result.output
    assert localities(app) == []
