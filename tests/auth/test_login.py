from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from crm.db import session
from tests.factories import TEST_PASSWORD, make_user


@pytest.fixture
def officer(app: Flask) -> str:
    with app.app_context():
        user = make_user(email="dana@example.com", name="Dana")
        session.commit()
        return user.email


def log_in(client: FlaskClient, email: str, password: str, next_url: str = "") -> object:
    return client.post("/login", data={"email": email, "password": password, "next": next_url})


def test_login_then_logout(client: FlaskClient, officer: str) -> None:
    response = log_in(client, "DANA@example.com ", TEST_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/board").status_code == 200

    assert client.post("/logout").status_code == 302
    assert client.get("/board").status_code == 302


def test_the_dashboard_greets_once_after_login(client: FlaskClient, officer: str) -> None:
    """Regression: a "Welcome" flash sat above the dashboard's own greeting."""
    page = log_in_and_follow(client, "dana@example.com", TEST_PASSWORD)
    assert page.count("Dana") == 2  # the greeting and the header's name
    assert "Good to see you, Dana" in page
    assert "Welcome" not in page


def log_in_and_follow(client: FlaskClient, email: str, password: str) -> str:
    response = client.post(
        "/login", data={"email": email, "password": password}, follow_redirects=True
    )
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("email", "password"),
    [("dana@example.com", "wrong password!"), ("nobody@example.com", TEST_PASSWORD)],
    ids=["wrong password", "unknown user"],
)
def test_bad_credentials_get_the_same_answer(
    client: FlaskClient, officer: str, email: str, password: str
) -> None:
    response = log_in(client, email, password)
    assert response.status_code == 401
    assert "The e-mail or the password is not right." in response.get_data(as_text=True)
    assert client.get("/board").status_code == 302


def test_deactivated_user_cannot_log_in(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        make_user(email="gone@example.com", is_active=False)
        session.commit()
    assert log_in(client, "gone@example.com", TEST_PASSWORD).status_code == 401


def test_empty_login_form_is_a_422_with_messages(client: FlaskClient) -> None:
    response = client.post("/login", data={"email": "", "password": ""})
    assert response.status_code == 422
    assert "This field is required." in response.get_data(as_text=True)


def test_anonymous_users_are_sent_to_login_with_next(client: FlaskClient) -> None:
    response = client.get("/partnerships?q=maribor")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_next_leads_back_to_a_local_page(client: FlaskClient, officer: str) -> None:
    response = log_in(client, officer, TEST_PASSWORD, next_url="/localities?q=graz")
    assert response.headers["Location"] == "/localities?q=graz"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example.com/",
        "//evil.example.com/board",
        "/\\evil.example.com",
        "\\\\evil.example.com",
        "javascript:alert(1)",
        "/\r\nLocation: https://evil.example.com",
        "https:evil.example.com",
        "/\tevil",
    ],
)
def test_next_cannot_lead_off_site(client: FlaskClient, officer: str, target: str) -> None:
    response = log_in(client, officer, TEST_PASSWORD, next_url=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
