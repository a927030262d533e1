"""The administrators' user pages: create, change role, deactivate, reactivate, reset password."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from crm.auth.models import User
from crm.db import session
from tests.factories import make_user

PASSWORD = "a brand new long passphrase"


def test_create_a_partner_account(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as("admin")
    response = client.post(
        "/users/new",
        data={
            "email": "Mojca@Example.com",
            "name": "Mojca Potočnik",
            "role": "partner",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert response.status_code == 302
    with app.app_context():
        user = session.scalar(select(User).where(User.email == "mojca@example.com"))
        assert user.role == "partner"
        assert user.check_password(PASSWORD)
    listing = client.get("/users").get_data(as_text=True)
    assert "Mojca Potočnik" in listing
    assert "Partner" in listing


def test_bad_new_user_input_gets_messages_and_writes_nothing(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as("admin")
    cases = [
        ({"email": "not-an-email"}, "is not an e-mail address"),
        ({"password": "short", "confirm": "short"}, "at least 12"),
        ({"password": "password12345", "confirm": "password12345"}, "commonly used"),
        ({"password": "123456789012", "confirm": "123456789012"}, "commonly used"),
        ({"password": "830192746153", "confirm": "830192746153"}, "mostly a sequence"),
        ({"password": "abcdefghijkl", "confirm": "abcdefghijkl"}, "mostly a sequence"),
        ({"password": "new@example.com", "confirm": "new@example.com"}, "own name or e-mail"),
        ({"password": "New@Example.com", "confirm": "New@Example.com"}, "own name or e-mail"),
        (
            {"name": "Mojca Potočnik", "password": "Potocnik-1985", "confirm": "Potocnik-1985"},
            "own name or e-mail",
        ),
        ({"confirm": "something else entirely"}, "The two passwords differ."),
        ({"role": "king"}, "Choose a role from the list."),
        ({"name": "x" * 500}, "Field cannot be longer than 200 characters."),
    ]
    for changes, message in cases:
        data = {
            "email": "new@example.com",
            "name": "New",
            "role": "viewer",
            "password": PASSWORD,
            "confirm": PASSWORD,
            **changes,
        }
        response = client.post("/users/new", data=data)
        assert response.status_code == 422, changes
        assert message in response.get_data(as_text=True), changes
    with app.app_context():
        assert session.scalar(select(User).where(User.email == "new@example.com")) is None


def test_change_role_and_keep_the_last_admin(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    admin_id = login_as("admin")
    with app.app_context():
        other = make_user("officer")
        session.commit()
        other_id = other.id
    assert client.post(f"/users/{other_id}/role", data={"role": "viewer"}).status_code == 302
    refused = client.post(f"/users/{admin_id}/role", data={"role": "officer"})
    assert refused.status_code == 422
    assert "last active administrator" in refused.get_data(as_text=True)
    with app.app_context():
        assert session.get(User, other_id).role == "viewer"
        assert session.get(User, admin_id).role == "admin"


def test_an_admin_who_steps_down_lands_on_the_dashboard(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    admin_id = login_as("admin", name="Stepping Down")
    with app.app_context():
        make_user("admin")  # not the last one
        session.commit()
    response = client.post(f"/users/{admin_id}/role", data={"role": "officer"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"  # their own page would now be a 403
    landed = client.get("/")
    assert landed.status_code == 200
    assert "Stepping Down is now an officer." in landed.get_data(as_text=True)


def test_deactivate_and_reactivate(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as("admin")
    with app.app_context():
        other = make_user("partner")
        session.commit()
        other_id = other.id
    assert client.post(f"/users/{other_id}/deactivate").status_code == 302
    with app.app_context():
        assert session.get(User, other_id).is_active is False
    assert "Deactivated" in client.get("/users").get_data(as_text=True)
    assert client.post(f"/users/{other_id}/reactivate").status_code == 302
    with app.app_context():
        assert session.get(User, other_id).is_active is True


def test_unknown_user_is_a_404(client: FlaskClient, login_as: Callable[..., int]) -> None:
    login_as("admin")
    assert client.get("/users/987654").status_code == 404
    assert client.post("/users/987654/deactivate").status_code == 404


def test_the_admin_tester_case_a_padded_digit_sequence_creates_nothing(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as("admin")
    response = client.post(
        "/users/new",
        data={
            "email": "newpartner@example.com",
            "name": "New Partner",
            "role": "partner",
            "password": "123456789012",
            "confirm": "123456789012",
        },
    )
    assert response.status_code == 422
    for password in ("newpartner@example.com", "newpartner2026!"):
        response = client.post(
            "/users/new",
            data={
                "email": "newpartner@example.com",
                "name": "New Partner",
                "role": "partner",
                "password": password,
                "confirm": password,
            },
        )
        assert response.status_code == 422, password
        assert "own name or e-mail address" in response.get_data(as_text=True)
    with app.app_context():
        assert session.scalar(select(User).where(User.email == "newpartner@example.com")) is None


def test_an_admin_reset_refuses_the_users_own_email_and_name(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as("admin")
    with app.app_context():
        other = make_user("partner", email="mojca.potocnik@example.com", name="Mojca Potočnik")
        session.commit()
        other_id, old_hash = other.id, other.password_hash
    for password in ("mojca.potocnik@example.com", "Mojca Potočnik 1985", "123456789012"):
        response = client.post(
            f"/users/{other_id}/password", data={"password": password, "confirm": password}
        )
        assert response.status_code == 422, password
    with app.app_context():
        assert session.get(User, other_id).password_hash == old_hash
    accepted = client.post(
        f"/users/{other_id}/password", data={"password": PASSWORD, "confirm": PASSWORD}
    )
    assert accepted.status_code == 302
