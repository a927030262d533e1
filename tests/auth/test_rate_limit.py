"""At most 10 failed logins per account and per client address in 15 minutes, in every process;
and at most 10 wrong current passwords per account on the password-change page."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from config import TestConfig
from crm import create_app
from crm.auth.models import User
from crm.db import engine_for, session
from tests.factories import TEST_PASSWORD, make_user

REDIS_URL = "redis://127.0.0.1:6379/5"


@pytest.fixture
def accounts(app: Flask) -> None:
    with app.app_context():
        make_user(email="dana@example.com")
        make_user(email="gone@example.com", is_active=False)
        session.commit()


def attempt(client: FlaskClient, email: str, password: str, address: str = "10.0.0.1"):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def page_without(response: object, email: str) -> str:
    """The page, less what differs by design: the typed e-mail and the per-request CSRF token."""
    page = response.get_data(as_text=True).replace(email, "EMAIL")
    page = re.sub(r'name="csrf_token" value="[^"]+"', "TOKEN", page)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "TOKEN", page)


def test_the_eleventh_failure_is_refused_even_with_the_right_password(
    client: FlaskClient, accounts: None
) -> None:
    for number in range(10):
        assert (
            attempt(client, "dana@example.com", f"wrong {number}", f"10.0.1.{number}").status_code
            == 401
        )
    blocked = attempt(client, "dana@example.com", TEST_PASSWORD, "10.0.2.1")
    assert blocked.status_code == 429
    assert "Too many failed logins" in blocked.get_data(as_text=True)
    # Another account from another address is not affected.
    assert attempt(client, "someone@example.com", "x" * 12, "10.0.3.1").status_code == 401


def test_the_limit_holds_per_client_address(client: FlaskClient, accounts: None) -> None:
    for number in range(10):
        assert attempt(client, f"user{number}@example.com", "wrong password!").status_code == 401
    assert attempt(client, "dana@example.com", TEST_PASSWORD).status_code == 429
    assert attempt(client, "dana@example.com", TEST_PASSWORD, "10.9.9.9").status_code == 302


def test_successful_logins_do_not_count(client: FlaskClient, accounts: None) -> None:
    for _ in range(12):
        assert attempt(client, "dana@example.com", TEST_PASSWORD).status_code == 302
        client.post("/logout")


def test_unknown_user_wrong_password_and_deactivated_look_the_same(
    client: FlaskClient, accounts: None
) -> None:
    answers = []
    for number, (email, password) in enumerate(
        [
            ("nobody@example.com", TEST_PASSWORD),
            ("dana@example.com", "wrong password!"),
            ("gone@example.com", TEST_PASSWORD),
        ]
    ):
        response = attempt(client, email, password, f"10.0.4.{number}")
        answers.append((response.status_code, page_without(response, email)))
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][0] == 401
    # And once blocked, an unknown account looks like a known one.
    blocked = []
    for email in ("nobody@example.com", "dana@example.com"):
        for number in range(10):
            attempt(client, email, "wrong password!", f"10.1.{len(blocked)}.{number}")
        response = attempt(client, email, "wrong password!", "10.2.0.1")
        blocked.append((response.status_code, page_without(response, email)))
    assert blocked[0] == blocked[1]
    assert blocked[0][0] == 429


@pytest.fixture
def two_processes(app: Flask) -> Iterator[tuple[Flask, Flask]]:
    """Two app instances sharing the local Redis, as two gunicorn workers would."""
    prefix = f"test-{uuid.uuid4().hex}"
    settings = {
        "DATABASE_URL": app.config["DATABASE_URL"],
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": prefix,
    }
    first = create_app(TestConfig, **settings)
    second = create_app(TestConfig, **settings)
    yield first, second
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)
    for instance in (first, second):
        engine_for(instance).dispose()


def test_the_limit_holds_across_two_app_processes_sharing_redis(
    two_processes: tuple[Flask, Flask], accounts: None
) -> None:
    first, second = two_processes
    clients = [first.test_client(), second.test_client()]
    for number in range(10):
        client = clients[number % 2]  # alternate, as a load balancer would
        assert (
            attempt(client, "dana@example.com", "wrong password!", f"10.5.0.{number}").status_code
            == 401
        )
    for client in clients:
        assert attempt(client, "dana@example.com", TEST_PASSWORD, "10.6.0.1").status_code == 429


def test_without_shared_storage_each_process_counts_alone(app: Flask, accounts: None) -> None:
    """The contrast that shows the Redis test above proves something."""
    first = create_app(TestConfig, DATABASE_URL=app.config["DATABASE_URL"])
    second = create_app(TestConfig, DATABASE_URL=app.config["DATABASE_URL"])
    try:
        for number in range(10):
            attempt(first.test_client(), "dana@example.com", "wrong password!", f"10.7.0.{number}")
        assert attempt(first.test_client(), "dana@example.com", TEST_PASSWORD).status_code == 429
        assert attempt(second.test_client(), "dana@example.com", TEST_PASSWORD).status_code == 302
    finally:
        engine_for(first).dispose()
        engine_for(second).dispose()


NEW_PASSWORD = "a brand new long passphrase"


def change_password(client: FlaskClient, current: str):
    return client.post(
        "/account/password",
        data={"current_password": current, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )


def logged_in(app: Flask, email: str = "dana@example.com") -> FlaskClient:
    client = app.test_client()
    assert attempt(client, email, TEST_PASSWORD).status_code == 302
    return client


def test_the_eleventh_wrong_current_password_is_refused_even_when_right(
    app: Flask, accounts: None
) -> None:
    with app.app_context():
        make_user(email="other@example.com")
        session.commit()
    client = logged_in(app)
    for number in range(10):
        response = change_password(client, f"wrong guess {number}")
        assert response.status_code == 422
        assert "not your current password" in response.get_data(as_text=True)
    # A second session of the same account shares the count.
    blocked = change_password(logged_in(app), TEST_PASSWORD)
    assert blocked.status_code == 429
    assert "Too many wrong current passwords" in blocked.get_data(as_text=True)
    with app.app_context():
        user = session.scalar(select(User).where(User.email == "dana@example.com"))
        assert user.check_password(TEST_PASSWORD)
    # The limit is per account: another user changes theirs; logging in is not blocked.
    assert change_password(logged_in(app, "other@example.com"), TEST_PASSWORD).status_code == 302
    assert attempt(app.test_client(), "dana@example.com", TEST_PASSWORD).status_code == 302


def test_right_current_passwords_do_not_count(app: Flask, accounts: None) -> None:
    """Only wrong ones count, as at login; a refused new password is no wrong current one."""
    client = logged_in(app)
    for _ in range(12):
        response = client.post(
            "/account/password",
            data={
                "current_password": TEST_PASSWORD,
                "password": "123456789012",
                "confirm": "123456789012",
            },
        )
        assert response.status_code == 422
    assert change_password(client, TEST_PASSWORD).status_code == 302


def test_the_current_password_limit_holds_across_two_app_processes_sharing_redis(
    two_processes: tuple[Flask, Flask], accounts: None
) -> None:
    first, second = two_processes
    clients = [logged_in(first), logged_in(second)]
    for number in range(10):
        assert change_password(clients[number % 2], f"wrong guess {number}").status_code == 422
    for client in clients:
        assert change_password(client, TEST_PASSWORD).status_code == 429
