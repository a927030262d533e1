"""The pipeline core in a real browser: log in, create, drag, conflict, keyboard."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from crm.db import session
from crm.demo.data import DEMO_PASSWORD
from crm.demo.loader import load_demo_data
from crm.partnerships.models import Partnership, StageChange
from tests.browser.conftest import save_screenshot
from tests.factories import make_locality, make_partnership


def column(page: Page, stage_key: str):
    return page.locator(f"section[aria-labelledby='column-{stage_key}']")


def column_count(page: Page, stage_key: str) -> int:
    return int(column(page, stage_key).locator("[data-count]").inner_text())


def seed_pairing(app: Flask, **overrides: object) -> int:
    with app.app_context():
        maribor = make_locality("Maribor", subdivision_code="SI-070")
        kyzylorda = make_locality(
            "Қызылорда облысы",
            name_en="Kyzylorda Region",
            country_code="KZ",
            kind="region",
            subdivision_code="KZ-43",
        )
        partnership = make_partnership(maribor, kyzylorda, sectors=("education",), **overrides)
        session.commit()
        return partnership.id


def history_rows(app: Flask, partnership_id: int) -> int:
    with app.app_context():
        return (
            session.scalar(select(func.count()).where(StageChange.partnership_id == partnership_id))
            or 0
        )


def test_log_in_and_out(page: Page, user: Callable, log_in: Callable) -> None:
    account = user()
    log_in(account)
    expect(page.get_by_role("banner").get_by_role("link", name=account["name"])).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    page.goto("/board")
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_create_a_locality_and_a_pairing_with_sectors(
    app: Flask, page: Page, user: Callable, log_in: Callable
) -> None:
    account = user()
    with app.app_context():
        make_locality("Maribor", subdivision_code="SI-070")
        session.commit()
    log_in(account)

    page.get_by_role("link", name="Localities").click()
    page.get_by_role("link", name="New locality").click()
    page.get_by_label("Name as written locally").fill("Қызылорда облысы")
    page.get_by_label("English name").fill("Kyzylorda Region")
    page.get_by_label("Kind").select_option("region")
    page.get_by_label("Country").select_option("KZ")
    page.get_by_label("ISO 3166-2 subdivision").fill("KZ-KZY")
    page.get_by_role("button", name="Add locality").click()
    expect(page.get_by_text("is not in the current ISO 3166-2 list")).to_be_visible()
    expect(page.get_by_label("Name as written locally")).to_have_value("Қызылорда облысы")
    page.get_by_label("ISO 3166-2 subdivision").fill("KZ-43")
    page.get_by_role("button", name="Add locality").click()
    expect(page.get_by_role("heading", name="Kyzylorda Region (Қызылорда облысы)")).to_be_visible()

    page.get_by_role("link", name="New pairing with it").click()
    page.get_by_label("Second locality").select_option(label="Maribor · City · SI")
    page.get_by_label("Water resources management").check()
    page.get_by_label("Education").check()
    page.get_by_label("First contact").fill("2026-02-13")
    page.get_by_role("button", name="Create pairing").click()

    expect(page.get_by_role("heading", name="Kyzylorda Region – Maribor")).to_be_visible()
    expect(page.get_by_text("Started at Prospect")).to_be_visible()
    with app.app_context():
        partnership = session.scalar(select(Partnership))
        assert [s.slug for s in partnership.sectors] == ["education", "water-resources-management"]
        assert partnership.owner.email == account["email"]


def test_drag_a_card_to_the_next_stage(
    app: Flask, page: Page, user: Callable, log_in: Callable
) -> None:
    pid = seed_pairing(app)
    log_in(user())
    assert (column_count(page, "prospect"), column_count(page, "exploratory_talks")) == (1, 0)

    card = column(page, "prospect").locator(".card").first
    target = column(page, "exploratory_talks").locator("ol.cards")
    card.locator(".card-title").drag_to(target)

    expect(
        page.get_by_text("Moved “Maribor – Kyzylorda Region” to Exploratory talks.")
    ).to_be_visible()
    expect(column(page, "exploratory_talks").locator("[data-count]")).to_have_text("1")
    expect(column(page, "prospect").locator("[data-count]")).to_have_text("0")
    assert history_rows(app, pid) == 2

    page.get_by_role("link", name="Maribor – Kyzylorda Region").click()
    newest = page.locator(".timeline-item").first
    expect(newest).to_contain_text("Moved forward")
    expect(newest.locator("strong")).to_have_text("Exploratory talks")


def test_a_card_that_show_more_brought_can_be_dragged(
    app: Flask, live_app: Flask, page: Page, user: Callable, log_in: Callable
) -> None:
    """Regression: the cards "Show N more" loaded were not made draggable (only lists inside
    what htmx loaded were, and the loaded list is itself one); they snapped back."""
    with app.app_context():
        hub = make_locality("Maribor")
        older, newer = (
            make_partnership(hub, make_locality(name, country_code="KZ"))
            for name in ("Almaty", "Astana")
        )
        newer.last_activity_at = older.last_activity_at + timedelta(days=1)
        session.commit()
        older_id = older.id
    live_app.config["BOARD_COLUMN_LIMIT"] = 1
    try:
        log_in(user())
        column(page, "prospect").get_by_role("link", name="Show 1 more").click()
        card = column(page, "prospect").locator(".more-cards .card")
        expect(card).to_contain_text("Almaty")
        # Within the column, from its first cards to those loaded: the same stage, no move
        # (regression: the server refused a move to the stage it was at, and redrew the board).
        first = column(page, "prospect").locator("ol.cards").first.locator(".card")
        first.locator(".card-title").drag_to(column(page, "prospect").locator(".more-cards"))
        page.wait_for_timeout(500)
        expect(page.get_by_text("already at")).to_have_count(0)
        expect(column(page, "prospect").locator(".more-cards .card")).to_have_count(2)
        card = column(page, "prospect").locator(".more-cards .card", has_text="Almaty")
        card.locator(".card-title").drag_to(
            column(page, "exploratory_talks").locator("ol.cards").first
        )
        expect(column(page, "exploratory_talks").locator("[data-count]")).to_have_text("1")
    finally:
        live_app.config["BOARD_COLUMN_LIMIT"] = 10
    assert history_rows(app, older_id) == 2


def test_a_move_from_a_stale_board_shows_the_conflict(
    app: Flask, page: Page, user: Callable, log_in: Callable
) -> None:
    pid = seed_pairing(app)
    log_in(user())
    with app.app_context():  # someone else moves it after this board was loaded
        from crm.partnerships.services import change_stage
        from crm.partnerships.stages import stage_by_key

        partnership = session.get(Partnership, pid)
        change_stage(
            partnership,
            stage_by_key("agreement_in_principle"),
            by=partnership.owner,
            expected_version=partnership.version,
        )
        session.commit()

    card = column(page, "prospect").locator(".card").first
    card.locator(".card-title").drag_to(column(page, "exploratory_talks").locator("ol.cards"))

    expect(page.get_by_text("Someone changed this record a moment ago")).to_be_visible()
    expect(column(page, "agreement_in_principle").locator("[data-count]")).to_have_text("1")
    expect(column(page, "exploratory_talks").locator("[data-count]")).to_have_text("0")
    assert history_rows(app, pid) == 2


def test_keyboard_only_move(app: Flask, page: Page, user: Callable, log_in: Callable) -> None:
    pid = seed_pairing(app)
    log_in(user())
    move = column(page, "prospect").locator("summary", has_text="Move")
    move.focus()
    page.keyboard.press("Enter")
    stage = page.locator(f"#move-{pid}")
    stage.focus()
    stage.select_option("agreement_in_principle")  # what arrow keys do on a focused select
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    expect(page.get_by_text("to Agreement in principle.")).to_be_visible()
    expect(column(page, "agreement_in_principle").locator("[data-count]")).to_have_text("1")
    assert history_rows(app, pid) == 2


def test_list_search_and_detail_history(
    app: Flask, page: Page, user: Callable, log_in: Callable
) -> None:
    with app.app_context():
        load_demo_data()
        session.commit()
    log_in(user())
    page.get_by_label("Search pairings").fill("Stajerska")
    page.keyboard.press("Enter")
    pairings = page.locator("section[aria-labelledby='results-pairings']")
    expect(pairings.get_by_role("listitem")).to_have_count(1)
    pairings.get_by_role("link", name="Podravje (Styria) – Almaty").click()
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()

    page.get_by_label("Search pairings").fill("kyzylorda")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Maribor – Kyzylorda Region").click()
    expect(
        page.locator("#people").get_by_role("link", name="Aleksander Saša Arsenovič")
    ).to_be_visible()
    expect(page.locator(".stepper [aria-current=step]")).to_contain_text("Agreement in principle")


def test_screenshots_of_the_main_pages(
    app: Flask, page: Page, user: Callable, log_in: Callable
) -> None:
    with app.app_context():
        load_demo_data()
        session.commit()
    log_in({"email": "officer@example.com"}, password=DEMO_PASSWORD)
    expect(page.locator("[data-board-column]")).to_have_count(6)
    save_screenshot(page, "board")
    page.get_by_label("Search pairings").fill("Maribor – Kyzylorda")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Maribor – Kyzylorda Region").click()
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    save_screenshot(page, "pairing")
    page.goto("/partnerships")
    save_screenshot(page, "list")
