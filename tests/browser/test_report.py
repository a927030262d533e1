"""The weekly report in a real browser: the page, its PDF download, and its screenshot."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, time, timedelta
from pathlib import Path

from flask import Flask
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from crm.auth.models import User
from crm.db import session, utcnow
from crm.partnerships.services import change_stage
from crm.partnerships.stages import stage_by_key
from crm.reports.services import deployment_zone
from crm.reports.weeks import IsoWeek
from tests.browser.conftest import save_screenshot
from tests.factories import make_locality, make_partnership


def seed(app: Flask, user_id: int) -> None:
    """Two pairings begun in the last complete week (the report's default), one moved forward."""
    with app.app_context():
        week = IsoWeek.last_complete(utcnow(), deployment_zone(app))
        at = datetime.combine(week.monday + timedelta(days=2), time(12), deployment_zone(app))
        me = session.get(User, user_id)
        assert me is not None
        kyzylorda = make_locality(
            "Қызылорда облысы", name_en="Kyzylorda Region", country_code="KZ", kind="region"
        )
        pairing = make_partnership(make_locality("Maribor"), kyzylorda, owner=me, at=at)
        make_partnership(make_locality("Graz", country_code="AT"), kyzylorda, owner=me, at=at)
        stage = stage_by_key("exploratory_talks")
        assert stage is not None
        change_stage(
            pairing, stage, by=me, expected_version=pairing.version, at=at + timedelta(hours=1)
        )
        session.commit()


def test_weekly_report_page_and_pdf_download_screenshot(
    app: Flask, page: Page, user: Callable, log_in: Callable, tmp_path: Path
) -> None:
    account = user()
    seed(app, int(account["id"]))
    log_in(account)
    page.get_by_role("link", name="Weekly report").first.click()
    page.wait_for_url("**/reports/weekly*")
    expect(page.get_by_role("heading", name="Weekly status report", level=1)).to_be_visible()

    headline = page.locator("#headline-heading + table tbody tr")
    figures = {
        row.locator("th").inner_text().strip(): [
            cell.inner_text().strip() for cell in row.locator("td").all()[:2]
        ]
        for row in headline.all()
    }
    assert figures["Open pairings"] == ["2", "0"]
    assert figures["New pairings"] == ["2", "0"]
    assert figures["Moves forward"] == ["1", "0"]
    week = re.search(r"Week \d+ of \d{4}", page.locator("main").inner_text())
    assert week is not None
    save_screenshot(page, "weekly-report")

    with page.expect_download() as waiting:
        page.get_by_role("link", name="PDF", exact=True).click()
    download = waiting.value
    assert re.fullmatch(r"twinning-weekly-\d{4}-W\d{2}\.pdf", download.suggested_filename)
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")
    text = " ".join(p.extract_text() for p in PdfReader(saved).pages)
    flat = " ".join(text.split())
    assert week.group(0) in flat
    for label, (this_week, before) in figures.items():
        assert f"{label} {this_week} {before}" in flat, label
    assert "Kyzylorda" in flat
