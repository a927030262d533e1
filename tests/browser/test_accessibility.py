"""axe-core on every main page, as an officer and as an admin: no serious or critical violations.

axe-core is vendored from its npm package (tests/browser/vendor/axe.min.js, with its licence). It
is a test asset, never served by the app: the test adds it as an init script, which the page's
strict Content-Security-Policy does not block, and no request leaves 127.0.0.1 for it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from playwright.sync_api import Page

from crm.auth.models import User
from crm.db import session
from crm.tasks.dates import today_for
from tests.factories import (
    make_activity,
    make_locality,
    make_organisation,
    make_partnership,
    make_person,
    make_task,
)

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = {"serious", "critical"}

OFFICER_PAGES = [
    "/",
    "/board",
    "/partnerships",
    "/partnerships/{p}",
    "/partnerships/new",
    "/localities",
    "/localities/{maribor}",
    "/people",
    "/organisations",
    "/tasks/mine",
    "/search?q=maribor",
    "/reports/weekly",
    "/imports",
    "/profile",
]
ADMIN_PAGES = ["/users", "/audit"]


def seed(app: Flask, user_id: int) -> dict[str, int]:
    with app.app_context():
        me = session.get(User, user_id)
        assert me is not None
        maribor = make_locality("Maribor", subdivision_code="SI-070")
        kyzylorda = make_locality(
            "Қызылорда облысы", name_en="Kyzylorda Region", country_code="KZ", kind="region"
        )
        partnership = make_partnership(
            maribor, kyzylorda, owner=me, sectors=("education",), stage_key="exploratory_talks"
        )
        person = make_person("Altay Abibullayev")
        make_organisation("Štajerska Chamber of Commerce and Industry", kind="chamber_of_commerce")
        make_activity(partnership, participants=(person,), by=me)
        make_task(
            partnership,
            title="Identify water-management contacts",
            assignee=me,
            due_on=today_for(me) - timedelta(days=2),
        )
        session.commit()
        return {"p": partnership.id, "maribor": maribor.id}


def violations(page: Page) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const result = await window.axe.run(document, {resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
            }));
        }"""
    )
    return [v for v in found if v["impact"] in BLOCKING]


def audit(page: Page, paths: list[str], ids: dict[str, int]) -> dict[str, list[dict[str, Any]]]:
    problems: dict[str, list[dict[str, Any]]] = {}
    for path in paths:
        url = path.format(**ids)
        response = page.goto(url)
        assert response is not None and response.ok, url
        page.wait_for_load_state("networkidle")
        assert page.evaluate("typeof window.axe") == "object", url
        if found := violations(page):
            problems[url] = found
    return problems


def test_main_pages_have_no_serious_accessibility_violations(
    app: Flask, page: Page, user: Callable, log_in: Callable
) -> None:
    page.context.add_init_script(path=str(AXE))
    account = user()
    ids = seed(app, int(account["id"]))

    page.goto("/login")
    assert violations(page) == [], "login page"

    log_in(account)
    assert audit(page, OFFICER_PAGES, ids) == {}


def test_admin_pages_have_no_serious_accessibility_violations(
    app: Flask, page: Page, user: Callable, log_in: Callable
) -> None:
    page.context.add_init_script(path=str(AXE))
    account = user("admin")
    ids = seed(app, int(account["id"]))
    log_in(account)
    problems = audit(page, [*ADMIN_PAGES, f"/users/{account['id']}", "/board"], ids)
    assert problems == {}


def test_axe_catches_a_missing_label(page: Page, user: Callable, log_in: Callable) -> None:
    """The check itself works: an unlabelled field added to a page is reported."""
    page.context.add_init_script(path=str(AXE))
    log_in(user())
    page.evaluate(
        """() => {
            const input = document.createElement('input');
            input.type = 'text';
            document.querySelector('main').append(input);
        }"""
    )
    assert "label" in {v["id"] for v in violations(page)}
