"""Keyboard focus is always visible: every tab stop of a page has an outline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from playwright.sync_api import Page, expect

from crm.db import session
from crm.demo.data import DEMO_PASSWORD
from crm.demo.loader import load_demo_data

FOCUSED = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return {
        tag: el.tagName, text: (el.textContent || el.name || '').trim().slice(0, 40),
        style: style.outlineStyle, width: parseFloat(style.outlineWidth),
        color: style.outlineColor, visible: box.width > 0 && box.height > 0
            && box.right > 0 && box.bottom > 0,
    };
}"""


def tab_through(page: Page, presses: int) -> list[dict[str, Any]]:
    seen = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        focused: dict[str, Any] = page.evaluate(FOCUSED)
        if focused["tag"] != "BODY":
            seen.append(focused)
    return seen


def test_focus_is_visible_on_every_tab_stop(app: Flask, page: Page, log_in: Callable) -> None:
    with app.app_context():
        load_demo_data()
        session.commit()
    log_in({"email": "officer@example.com"}, password=DEMO_PASSWORD)

    for path in ["/board", "/partnerships", "/partnerships/new", "/reports/weekly"]:
        page.goto(path)
        page.locator("body").focus()
        stops = tab_through(page, 30)
        assert len(stops) >= 20, path
        # The first stop is the skip link, shown on screen when it has focus.
        assert stops[0]["text"] == "Skip to content"
        hidden = [s for s in stops if s["style"] == "none" or s["width"] < 2 or not s["visible"]]
        assert hidden == [], f"{path}: focus not visible on {hidden}"
        assert {s["color"] for s in stops} == {"rgb(242, 169, 0)"}, path


def test_skip_link_moves_focus_to_the_main_content(
    page: Page, user: Callable, log_in: Callable
) -> None:
    log_in(user())
    page.locator("body").focus()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
