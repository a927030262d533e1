"""At phone width (390 px) the board scrolls sideways inside its frame and lists become cards."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from playwright.sync_api import Page, expect

from crm.db import session
from crm.demo.data import DEMO_PASSWORD
from crm.demo.loader import load_demo_data
from tests.browser.conftest import save_screenshot

PHONE = {"width": 390, "height": 844}
MAIN_PAGES = [
    "/",
    "/tasks/mine",
    "/reports/weekly",
    "/localities",
    "/people",
    "/organisations",
    "/imports",
    "/profile",
    "/search?q=maribor",
]


def page_overflows(page: Page) -> bool:
    return bool(
        page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")
    )


def test_phone_width_board_scrolls_sideways_and_lists_are_cards_screenshot(
    app: Flask, page: Page, log_in: Callable
) -> None:
    with app.app_context():
        load_demo_data()
        session.commit()
    page.set_viewport_size(PHONE)
    log_in({"email": "officer@example.com"}, password=DEMO_PASSWORD)

    expect(page.locator("[data-board-column]")).to_have_count(6)
    wrap = page.locator(".board-wrap")
    scroll_width, client_width = wrap.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert scroll_width > client_width, "the board should scroll sideways"
    assert client_width <= PHONE["width"]
    assert not page_overflows(page), "only the board scrolls sideways, not the whole page"
    wrap.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    assert wrap.evaluate("el => el.scrollLeft") > 0
    wrap.evaluate("el => { el.scrollLeft = 0; }")
    save_screenshot(page, "phone-board")

    page.goto("/partnerships")
    table = page.locator("table.data-table").first
    expect(table).to_be_visible()
    assert table.locator("thead").evaluate("el => getComputedStyle(el).display") == "none"
    row = table.locator("tbody tr").first
    assert row.evaluate("el => getComputedStyle(el).display") == "block"
    cell = row.locator("td").first
    assert cell.evaluate("el => getComputedStyle(el).display") == "block"
    # Each cell says what it is, since the column headings are hidden.
    label = cell.evaluate("el => getComputedStyle(el, '::before').content")
    assert label.strip('"').endswith(": ")
    assert not page_overflows(page), "the list fits the phone's width"
    save_screenshot(page, "phone-list")

    for path in MAIN_PAGES:
        page.goto(path)
        assert not page_overflows(page), f"{path} is wider than the phone"

    # A pairing's buttons keep their words whole (regression: "Edi/t", "Dele/te", in Kazakh a
    # letter a line), as the page fits the phone.
    page.goto("/partnerships")
    page.locator("table.data-table tbody tr a").first.click()
    one_word = [b for b in page.locator(".page-head .button").all() if " " not in b.inner_text()]
    assert len(one_word) >= 2  # Edit and Delete, at least
    for button in one_word:
        lines = button.evaluate(
            "el => { const r = document.createRange(); r.selectNodeContents(el);"
            " return r.getClientRects().length; }"
        )
        assert lines == 1, button.inner_text()
    # Regression: the sharing panel's partner select, as wide as its longest option, made it
    # 710 px wide.
    assert not page_overflows(page), "the pairing's page fits the phone's width"

    page.goto("/partnerships")
    page.set_viewport_size({"width": 1280, "height": 900})
    assert row.evaluate("el => getComputedStyle(el).display") == "table-row"
