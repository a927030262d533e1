"""Importing a spreadsheet in a real browser: upload, map, preview with its marks, apply."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from crm.db import session
from crm.localities.models import Locality
from tests.factories import make_locality


def test_upload_preview_and_apply(
    app: Flask, page: Page, user: Callable, log_in: Callable, tmp_path: Path
) -> None:
    with app.app_context():
        make_locality("Maribor")
        session.commit()
    spreadsheet = tmp_path / "places.csv"
    spreadsheet.write_bytes(
        "Town;Nation;Kind\nMaribor;SI;city\nŽalec;SI;city\nNowhere;XX;city\n".encode("cp1250")
    )
    log_in(user())
    page.get_by_role("link", name="Import").click()
    page.get_by_label("What the file holds").select_option("localities")
    page.get_by_label("CSV or XLSX file").set_input_files(str(spreadsheet))
    page.get_by_role("button", name="Upload and map the columns").click()
    expect(page.get_by_text("Windows-1250")).to_be_visible()
    page.get_by_label("Town").select_option("name")
    page.get_by_label("Nation").select_option("country")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Preview: 3 rows")).to_be_visible()
    rows = page.locator("table.import-rows tbody tr")
    expect(rows.nth(0)).to_contain_text("Unchanged")
    expect(rows.nth(1)).to_contain_text("New")
    expect(rows.nth(2)).to_contain_text("“XX” is not a country")
    page.get_by_label("Valid rows only: skip the rows with errors").check()
    page.get_by_role("button", name="Import 1 row", exact=True).click()
    expect(page.get_by_text("1 row written")).to_be_visible()
    with app.app_context():
        assert set(session.scalars(select(Locality.name))) == {"Maribor", "Žalec"}
