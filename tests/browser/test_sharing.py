"""Sharing in a real browser: an officer shares a pairing; the partner sees that one only."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from playwright.sync_api import Page, expect

from crm.db import session
from tests.browser.test_pipeline import seed_pairing
from tests.factories import make_partnership


def test_an_officer_shares_and_the_partner_sees_only_that_pairing(
    app: Flask, page: Page, user: Callable, log_in: Callable
) -> None:
    shared_id = seed_pairing(app)
    with app.app_context():
        hidden_id = make_partnership(title="Secret pairing").id
        session.commit()
    officer = user("officer")
    partner = user("partner", name="Mojca Potočnik")

    log_in(officer)
    page.goto(f"/partnerships/{shared_id}")
    page.get_by_label("Share with").select_option(label=f"Mojca Potočnik <{partner['email']}>")
    page.get_by_role("button", name="Share", exact=True).click()
    expect(page.get_by_text("Shared with Mojca Potočnik")).to_be_visible()
    expect(page.locator("#sharing")).to_contain_text(partner["email"])
    page.get_by_role("button", name="Log out").click()

    log_in(partner)
    board = page.locator("main")
    expect(board).to_contain_text("Maribor")
    expect(board).not_to_contain_text("Secret pairing")
    page.goto(f"/partnerships/{shared_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Maribor – Kyzylorda Region")
    expect(page.get_by_role("button", name="Move")).to_have_count(0)
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    page.goto(f"/partnerships/{hidden_id}")
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
