from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from crm.auth.models import User
from crm.db import session


def user_count(app: Flask) -> int:
    with app.app_context():
        return session.scalar(select(func.count()).select_from(User)) or 0


def test_create_user_with_a_password(app: Flask, runner) -> None:
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Altay@Example.com",
            "--name",
            "Altay Abibullayev",
            "--role",
            "admin",
            "--password",
            "a long enough password",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Created admin Altay Abibullayev <altay@example.com>" in result.output
    with app.app_context():
        user = session.scalar(select(User))
        assert user.role == "admin"
        assert user.password_hash.startswith("scrypt:")
        assert user.check_password("a long enough password")


def test_create_user_prompts_for_the_password(app: Flask, runner) -> None:
    result = runner.invoke(
        args=["users", "create", "dana@example.com", "--name", "Dana"],
        input="a long enough password\na long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert "Password" in result.output
    assert "a long enough password" not in result.output
    with app.app_context():
        user = session.scalar(select(User))
        assert user.role == "officer"
        assert user.check_password("a long enough password")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["not-an-email", "--name", "X", "--password", "a long enough password"], "not valid"),
        (["x@example.com", "--name", " ", "--password", "a long enough password"], "name"),
        (["x@example.com", "--name", "X", "--password", "short"], "at least 12"),
        (
            ["x@example.com", "--name", "X", "--role", "king", "--password", "a long password"],
            "Invalid value for '--role'",
        ),
        (["x@example.com", "--password", "a long enough password"], "Missing option '--name'"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    app: Flask, runner, args: list[str], message: str
) -> None:
    result = runner.invoke(args=["users", "create", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert user_count(app) == 0


def test_a_second_account_for_the_same_email_is_refused(app: Flask, runner) -> None:
    args = [
        "users",
        "create",
        "dana@example.com",
        "--name",
        "Dana",
        "--password",
        "a long enough password",
    ]
    assert runner.invoke(args=args).exit_code == 0
    again = runner.invoke(args=[*args[:2], "DANA@example.com", *args[3:]])
    assert again.exit_code == 1
    assert "already an account" in again.output
    assert user_count(app) == 1
