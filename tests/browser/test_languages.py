"""The language switch in a real browser: the board in Kazakh, then back in English."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.conftest import save_screenshot
from tests.i18n.catalogues import read_catalogue


def test_switching_to_kazakh_and_back_keeps_the_page(
    page: Page, user: Callable, log_in: Callable
) -> None:
    kazakh = read_catalogue("kk")
    log_in(user())
    page.get_by_role("button", name="Қазақша").click()
    page.wait_for_url("**/board")
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    expect(page.get_by_role("link", name=str(kazakh.get("My tasks").string))).to_be_visible()
    expect(page.get_by_role("heading", name=str(kazakh.get("Prospect").string))).to_be_visible()
    save_screenshot(page, "board-kk")
    page.get_by_role("button", name="English").click()
    page.wait_for_url("**/board")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="My tasks")).to_be_visible()
