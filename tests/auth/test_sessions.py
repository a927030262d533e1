"""Sessions end when they should: deactivation, password change, idle time, absolute lifetime."""

from __future__ import annotations

import time

import pytest
from flask import Flask
from flask.testing import FlaskClient

from crm.auth.models import User
from crm.db import session
from tests.factories import TEST_PASSWORD, make_user

NEW_PASSWORD = "a brand new long passphrase"


@pytest.fixture
def dana(app: Flask) -> int:
    with app.app_context():
        user = make_user(email="dana@example.com", name="Dana")
        admin = make_user("admin", email="root@example.com")
        session.commit()
        assert admin.id
        return user.id


def log_in(client: FlaskClient, email: str = "dana@example.com", password: str = TEST_PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def test_login_sets_a_fresh_cookie_with_the_safe_flags(client: FlaskClient, dana: int) -> None:
    with client.session_transaction() as cookie_session:
        cookie_session["planted"] = "by an attacker"
    response = log_in(client)
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Expires=" in cookie  # the absolute lifetime, also in the browser
    with client.session_transaction() as cookie_session:
        assert "planted" not in cookie_session
        assert cookie_session["_user_id"].startswith(f"{dana}:")


def test_secure_cookie_switch(app: Flask, dana: int) -> None:
    from config import TestConfig
    from crm import create_app
    from crm.db import engine_for

    secure = create_app(
        TestConfig, DATABASE_URL=app.config["DATABASE_URL"], SESSION_COOKIE_SECURE=True
    )
    try:
        response = log_in(secure.test_client())
        assert "Secure" in response.headers["Set-Cookie"]
    finally:
        engine_for(secure).dispose()


def test_deactivation_ends_every_session_at_once(app: Flask, dana: int) -> None:
    first, second = app.test_client(), app.test_client()
    log_in(first)
    log_in(second)
    assert first.get("/board").status_code == 200
    admin = app.test_client()
    log_in(admin, "root@example.com")
    assert admin.post(f"/users/{dana}/deactivate").status_code == 302
    assert first.get("/board").status_code == 302
    assert second.get("/board").status_code == 302
    assert log_in(first).status_code == 401


def test_a_password_change_ends_the_other_sessions_only(app: Flask, dana: int) -> None:
    here, elsewhere = app.test_client(), app.test_client()
    log_in(here)
    log_in(elsewhere)
    response = here.post(
        "/account/password",
        data={"current_password": TEST_PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert here.get("/board").status_code == 200
    assert elsewhere.get("/board").status_code == 302
    assert log_in(app.test_client(), password=NEW_PASSWORD).status_code == 302


def test_an_admin_reset_ends_the_users_sessions(app: Flask, dana: int) -> None:
    user = app.test_client()
    log_in(user)
    admin = app.test_client()
    log_in(admin, "root@example.com")
    response = admin.post(
        f"/users/{dana}/password", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert user.get("/board").status_code == 302
    assert admin.get("/board").status_code == 200


def test_own_password_change_checks_the_current_one_and_the_policy(
    app: Flask, client: FlaskClient, dana: int
) -> None:
    log_in(client)
    wrong = client.post(
        "/account/password",
        data={
            "current_password": "not it at all",
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert wrong.status_code == 422
    assert "not your current password" in wrong.get_data(as_text=True)
    common = client.post(
        "/account/password",
        data={
            "current_password": TEST_PASSWORD,
            "password": "password1234",
            "confirm": "password1234",
        },
    )
    assert common.status_code == 422
    assert "commonly used passwords" in common.get_data(as_text=True)
    with app.app_context():
        assert session.get(User, dana).check_password(TEST_PASSWORD)


def test_own_password_change_refuses_the_same_password_and_the_own_email(
    app: Flask, client: FlaskClient, dana: int
) -> None:
    log_in(client)
    for password, message in [
        (TEST_PASSWORD, "same as your current one"),
        ("dana@example.com", "own name or e-mail address"),
        ("Dana-2026-0314", "own name or e-mail address"),
        ("123456789012", "commonly used passwords"),
    ]:
        response = client.post(
            "/account/password",
            data={"current_password": TEST_PASSWORD, "password": password, "confirm": password},
        )
        assert response.status_code == 422, password
        assert message in response.get_data(as_text=True), password
    with app.app_context():
        user = session.get(User, dana)
        assert user.check_password(TEST_PASSWORD)
        token = user.session_token
    # Nothing was written: this session (and every other) goes on.
    assert client.get("/board").status_code == 200
    with app.app_context():
        assert session.get(User, dana).session_token == token


@pytest.mark.parametrize(
    ("login_age", "idle"),
    [(60, 8 * 3600 + 60), (12 * 3600 + 60, 60)],
    ids=["idle for more than 8 hours", "logged in more than 12 hours ago"],
)
def test_old_sessions_end(client: FlaskClient, dana: int, login_age: int, idle: int) -> None:
    log_in(client)
    assert client.get("/board").status_code == 200
    now = time.time()
    with client.session_transaction() as cookie_session:
        cookie_session["login_at"] = now - login_age
        cookie_session["seen_at"] = now - idle
    response = client.get("/partnerships?q=x")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert client.get("/board").status_code == 302


def test_activity_keeps_a_session_alive(client: FlaskClient, dana: int) -> None:
    log_in(client)
    now = time.time()
    with client.session_transaction() as cookie_session:
        cookie_session["login_at"] = now - 3600
        cookie_session["seen_at"] = now - 7 * 3600
    assert client.get("/board").status_code == 200
    with client.session_transaction() as cookie_session:
        assert cookie_session["seen_at"] > now - 5


def test_an_ended_session_keeps_the_readers_language(
    app: Flask, client: FlaskClient, dana: int
) -> None:
    with app.app_context():
        session.get(User, dana).language = "sl"
        session.commit()
    log_in(client)
    with client.session_transaction() as cookie_session:
        cookie_session["seen_at"] = time.time() - 9 * 3600
    assert client.get("/board").status_code == 302
    login_page = client.get("/login", headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert '<html lang="sl">' in login_page


def test_the_cookie_is_written_again_only_when_the_session_changes(
    client: FlaskClient, dana: int
) -> None:
    log_in(client)
    client.get("/board")  # the first page adds the session's CSRF token
    assert client.get("/board").headers.get("Set-Cookie") is None
    assert client.get("/partnerships").headers.get("Set-Cookie") is None
    with client.session_transaction() as cookie_session:
        cookie_session["seen_at"] = time.time() - 61
    refreshed = client.get("/board").headers.get("Set-Cookie", "")
    assert refreshed.startswith("session=")
    assert "Expires=" in refreshed
