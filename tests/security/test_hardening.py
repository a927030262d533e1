"""Error pages without internals, GET never writes, CSRF on every POST, headers, size limits."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from config import Config, TestConfig
from crm import create_app
from crm.db import Base, engine_for, session
from tests.factories import make_user
from tests.security.test_access_matrix import MATRIX, ROLES, World, log_in
from tests.security.test_access_matrix import world as world

INTERNALS = ("Traceback", "SELECT", "sqlalchemy", "/work/", "crm/", ".py", "Werkzeug Debugger")


def assert_plain_error(page: str) -> None:
    for internal in INTERNALS:
        assert internal not in page


def test_error_pages_show_no_internals(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as("officer")
    pages = {
        403: client.get("/stages"),
        404: client.get("/partnerships/987654"),
        405: client.get("/logout"),
        413: client.post("/localities/new", data={"name": "x" * (3 * 1024 * 1024)}),
    }
    for status, response in pages.items():
        assert response.status_code == status
        assert_plain_error(response.get_data(as_text=True))


def test_a_405_page_says_which_methods_the_address_takes(
    client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as("officer")
    response = client.get("/logout")
    assert response.status_code == 405
    # RFC 9110 asks for Allow with every 405; the page replaces werkzeug's, not its headers.
    allowed = {method.strip() for method in response.headers["Allow"].split(",")}
    assert allowed == {"POST", "OPTIONS"}
    assert response.mimetype == "text/html"


def test_a_rate_limited_login_page_shows_no_internals(app: Flask, client: FlaskClient) -> None:
    from crm.auth import throttle

    with app.test_request_context():
        throttle.reset()
    for number in range(11):
        response = client.post(
            "/login",
            data={"email": "x@example.com", "password": f"wrong {number}"},
            environ_base={"REMOTE_ADDR": "10.8.0.1"},
        )
    assert response.status_code == 429
    assert_plain_error(response.get_data(as_text=True))


class ProductionConfig(Config):
    SECRET_KEY = "x" * 64
    TESTING = False


@pytest.fixture
def production(app: Flask) -> Iterator[Flask]:
    instance = create_app(ProductionConfig, DATABASE_URL=app.config["DATABASE_URL"])

    @instance.get("/boom")
    def boom() -> str:
        raise RuntimeError("SELECT password_hash FROM users -- /work/wt5/crm/secret.py")

    yield instance
    engine_for(instance).dispose()


def test_a_500_in_production_shows_no_traceback_sql_or_path(production: Flask, app: Flask) -> None:
    assert production.debug is False
    with app.app_context():
        user = make_user()
        session.commit()
        session_id = user.get_id()
    client = production.test_client()
    with client.session_transaction() as cookie_session:
        cookie_session["_user_id"] = session_id
    response = client.get("/boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Something went wrong" in page
    assert_plain_error(page)
    assert "password_hash" not in page


def test_debug_is_off_unless_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    assert create_app(ProductionConfig, DATABASE_URL="sqlite://").debug is False


def table_contents(app: Flask) -> dict[str, list[Any]]:
    """Every row of every table but the audit log (which records denials, by design)."""
    contents = {}
    with engine_for(app).connect() as connection:
        for table in Base.metadata.sorted_tables:
            if table.name == "audit_entries":
                continue
            rows = connection.execute(select(table).order_by(*table.primary_key.columns))
            contents[table.name] = [tuple(row) for row in rows]
    return contents


GETS = [
    (endpoint, role) for (endpoint, method) in sorted(MATRIX) if method == "GET" for role in ROLES
]


@pytest.mark.parametrize(("endpoint", "role"), GETS)
def test_get_never_changes_state(
    app: Flask, client: FlaskClient, world: World, endpoint: str, role: str
) -> None:
    log_in(app, client, role, world)
    before = table_contents(app)
    client.get(MATRIX[(endpoint, "GET")][0].format(**world))
    assert table_contents(app) == before


@pytest.fixture
def guarded(app: Flask) -> Iterator[Flask]:
    instance = create_app(
        TestConfig, DATABASE_URL=app.config["DATABASE_URL"], WTF_CSRF_ENABLED=True
    )
    yield instance
    engine_for(instance).dispose()


POSTS = sorted((endpoint, method) for (endpoint, method) in MATRIX if method != "GET")


@pytest.mark.parametrize(("endpoint", "method"), POSTS)
def test_every_post_needs_a_csrf_token(
    app: Flask, guarded: Flask, world: World, endpoint: str, method: str
) -> None:
    client = guarded.test_client()
    role = "anonymous" if endpoint == "auth.login" else "admin"
    log_in(app, client, role, world)
    before = table_contents(app)
    url, body, _ = MATRIX[(endpoint, method)]
    if endpoint.startswith("api."):
        # The API takes no cookies at all: a browser session, forged or not, gets a 401.
        response = client.open(url.format(**world), method=method, json=body(world))
        assert response.status_code == 401
    else:
        response = client.open(url.format(**world), method=method, data=body(world))
        assert response.status_code == 400
        assert "The form had expired" in response.get_data(as_text=True)
    assert table_contents(app) == before


def test_pages_behind_the_login_are_not_cached_and_carry_the_headers(
    client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_page = client.get("/login")
    assert "no-store" not in login_page.headers.get("Cache-Control", "")
    login_as("partner")
    for url in ("/board", "/partnerships", "/localities", "/account/password"):
        response = client.get(url)
        assert response.headers["Cache-Control"] == "no-store"
        policy = response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_overlong_fields_get_a_message_and_write_nothing(
    app: Flask, client: FlaskClient, login_as: Callable[..., int], world: World
) -> None:
    login_as("admin")
    before = table_contents(app)
    cases = [
        (
            f"/partnerships/{world['pairing']}/stage",
            {"stage": "exploratory_talks", "note": "n" * 2001, "version": world["version"]},
            "Field cannot be longer than 2000 characters.",
        ),
        ("/sectors", {"name": "s" * 101}, "Field cannot be longer than 100 characters."),
        (
            "/users/new",
            {"email": "a@example.com", "name": "n" * 201, "role": "viewer"},
            "Field cannot be longer than 200 characters.",
        ),
        (
            "/login",
            {"email": "e" * 300 + "@example.com", "password": "x"},
            "Field cannot be longer than 254 characters.",
        ),
    ]
    for url, data, message in cases:
        poster = app.test_client() if url == "/login" else client
        response = poster.post(url, data=data)
        assert response.status_code == 422, url
        assert message in response.get_data(as_text=True), url
    assert table_contents(app) == before


def test_the_sqlite_test_database_is_really_used(app: Flask) -> None:
    with engine_for(app).connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("GET", "/partnerships?q=%00", None),
        ("GET", "/localities?q=a%00b", None),
        ("GET", "/search?q=%00", None),
        ("POST", "/localities/new", {"name": "Bad\x00Name", "kind": "city", "country_code": "SI"}),
    ],
)
def test_nul_characters_are_a_400_not_a_database_error(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., int],
    method: str,
    url: str,
    data: dict[str, str] | None,
) -> None:
    login_as("officer")
    before = table_contents(app)
    response = client.open(url, method=method, data=data)
    assert response.status_code == 400
    assert "The request holds a NUL character." in response.get_data(as_text=True)
    assert table_contents(app) == before


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/login", {"email": "a\x00@example.org", "password": "x"}),
        ("/localities/new", {"name": "Bad\x00Name", "kind": "city", "country_code": "SI"}),
    ],
)
def test_nul_characters_in_a_multipart_form_are_a_400_too(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., int],
    url: str,
    data: dict[str, str],
) -> None:
    # Any form may be sent as multipart/form-data, and its fields are read the same way.
    login_as("officer")
    before = table_contents(app)
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)
    assert table_contents(app) == before


def test_error_pages_show_what_abort_said_but_not_werkzeugs_stock_wording() -> None:
    from werkzeug.exceptions import BadRequest, BadRequestKeyError, NotFound

    from crm.error_pages import _message_given

    assert _message_given(BadRequest("The request holds a NUL character.")) == (
        "The request holds a NUL character."
    )
    assert _message_given(BadRequest()) is None
    assert _message_given(BadRequestKeyError("stage")) is None
    assert _message_given(NotFound()) is None
