"""Browser tests: the real app served on 127.0.0.1, driven through Debian's Chromium.

Chromium is required: if it is missing or cannot start, these tests fail (they never skip), as
CI must. The page refuses every request that would leave 127.0.0.1, and a test fails if one
was attempted.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, Playwright, Route, sync_playwright
from werkzeug.serving import BaseWSGIServer, make_server

from config import TestConfig
from crm import create_app
from crm.db import engine_for, session
from tests.factories import TEST_PASSWORD, make_user

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.path):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_app(app: Flask) -> Iterator[Flask]:
    """The app as a user meets it: CSRF on, same database as the rest of the suite."""
    served = create_app(
        TestConfig,
        DATABASE_URL=app.config["DATABASE_URL"],
        WTF_CSRF_ENABLED=True,
        PROPAGATE_EXCEPTIONS=False,
    )
    yield served
    engine_for(served).dispose()


@pytest.fixture(scope="session")
def server(live_app: Flask) -> Iterator[str]:
    http: BaseWSGIServer = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium", pytrace=False)
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
    yield launched
    launched.close()


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=server)
    context.set_default_timeout(10_000)
    outside: list[str] = []

    def only_this_machine(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_this_machine)
    errors: list[str] = []
    opened = context.new_page()
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert outside == [], f"requests left the machine: {outside}"
    assert errors == [], f"JavaScript errors: {errors}"


@pytest.fixture
def user(app: Flask) -> Callable[..., dict[str, str]]:
    def create(role: str = "officer", **overrides: object) -> dict[str, str]:
        with app.app_context():
            account = make_user(role=role, **overrides)
            session.commit()
            return {"email": account.email, "name": account.name, "id": str(account.id)}

    return create


@pytest.fixture
def log_in(page: Page) -> Callable[..., None]:
    def submit(account: dict[str, str], password: str = TEST_PASSWORD) -> None:
        # Straight to the board, where the pipeline tests begin (the dashboard is "/").
        page.goto("/login?next=/board")
        page.get_by_label("E-mail").fill(account["email"])
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/board")

    return submit


def save_screenshot(page: Page, name: str) -> None:
    """Kept for the README when SCREENSHOTS_DIR is set (`make screenshots`)."""
    folder = os.environ.get("SCREENSHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
