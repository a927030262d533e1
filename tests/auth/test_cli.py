from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select

from crm.auth.models import User
from crm.db import session
from crm.partnerships.models import Partnership
from crm.tasks.models import Task
from tests.factories import make_partnership, make_task, make_user


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
        (["not-an-email", "--name", "X", "--password", "a long enough password"], "not an e-mail"),
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


def make_account(app: Flask, email: str = "dana@example.com", **overrides: object) -> int:
    from tests.factories import make_user

    with app.app_context():
        user = make_user(email=email, **overrides)
        session.commit()
        return user.id


def test_every_role_can_be_created(app: Flask, runner) -> None:
    for role in ("admin", "officer", "partner", "viewer"):
        result = runner.invoke(
            args=[
                "users",
                "create",
                f"{role}@example.com",
                "--name",
                role.title(),
                "--role",
                role,
                "--password",
                "a long enough password",
            ]
        )
        assert result.exit_code == 0, result.output
    assert user_count(app) == 4


def test_a_common_password_is_refused(app: Flask, runner) -> None:
    result = runner.invoke(
        args=["users", "create", "x@example.com", "--name", "X", "--password", "password1234"]
    )
    assert result.exit_code == 1
    assert "commonly used passwords" in result.output
    assert user_count(app) == 0


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("123456789012", "commonly used passwords"),
        ("zyxwvutsrq12", "mostly a sequence"),
        ("altay@example.com", "own name or e-mail address"),
        ("Abibullayev 1990", "own name or e-mail address"),
    ],
)
def test_a_guessable_or_personal_password_is_refused(
    app: Flask, runner, password: str, message: str
) -> None:
    result = runner.invoke(
        args=[
            "users",
            "create",
            "altay@example.com",
            "--name",
            "Altay Abibullayev",
            "--password",
            password,
        ]
    )
    assert result.exit_code == 1
    assert message in result.output
    assert user_count(app) == 0


def test_set_password_refuses_the_accounts_own_email(app: Flask, runner) -> None:
    user_id = make_account(app)
    with app.app_context():
        old_hash = session.get(User, user_id).password_hash
    result = runner.invoke(
        args=["users", "set-password", "dana@example.com", "--password", "Dana@Example.com"]
    )
    assert result.exit_code == 1
    assert "own name or e-mail address" in result.output
    with app.app_context():
        assert session.get(User, user_id).password_hash == old_hash


def test_set_password_prompts_and_ends_sessions(app: Flask, runner) -> None:
    user_id = make_account(app)
    with app.app_context():
        old_token = session.get(User, user_id).session_token
    result = runner.invoke(
        args=["users", "set-password", "DANA@example.com"],
        input="another long passphrase\nanother long passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert "another long passphrase" not in result.output
    with app.app_context():
        user = session.get(User, user_id)
        assert user.check_password("another long passphrase")
        assert user.session_token != old_token


def test_set_password_refuses_a_short_one_and_an_unknown_account(app: Flask, runner) -> None:
    make_account(app)
    short = runner.invoke(args=["users", "set-password", "dana@example.com", "--password", "short"])
    assert short.exit_code == 1
    assert "at least 12" in short.output
    unknown = runner.invoke(
        args=["users", "set-password", "nobody@example.com", "--password", "a long password!"]
    )
    assert unknown.exit_code == 1
    assert "no account" in unknown.output
    # Said before the password is asked for, not after it was typed twice.
    asked = runner.invoke(args=["users", "set-password", "nobody@example.com"], input="")
    assert asked.exit_code == 1
    assert "no account" in asked.output and "Password" not in asked.output


def test_deactivate_reactivate_and_list(app: Flask, runner) -> None:
    user_id = make_account(app, name="Dana Example")
    assert runner.invoke(args=["users", "deactivate", "dana@example.com"]).exit_code == 0
    with app.app_context():
        assert session.get(User, user_id).is_active is False
    listing = runner.invoke(args=["users", "list"])
    assert "dana@example.com" in listing.output
    assert "deactivated" in listing.output
    assert "Dana Example" in listing.output
    again = runner.invoke(args=["users", "deactivate", "dana@example.com"])
    assert again.exit_code == 1
    assert "already deactivated" in again.output
    assert runner.invoke(args=["users", "reactivate", "dana@example.com"]).exit_code == 0
    with app.app_context():
        assert session.get(User, user_id).is_active is True


def test_hand_over_an_accounts_work(app: Flask, runner) -> None:
    with app.app_context():
        leaving = make_user("officer", email="leaving@example.com", name="Altay Abibullayev")
        successor = make_user("officer", email="next@example.com", name="Mojca Potočnik")
        make_user("viewer", email="viewer@example.com")
        partnership = make_partnership(owner=leaving)
        make_task(partnership, assignee=leaving)
        session.commit()
        ids = (partnership.id, successor.id, leaving.id)
    refused = runner.invoke(
        args=["users", "hand-over", "leaving@example.com", "viewer@example.com"]
    )
    assert refused.exit_code == 1
    assert "Choose an active officer or administrator" in refused.output
    unknown = runner.invoke(args=["users", "hand-over", "leaving@example.com", "x@example.com"])
    assert unknown.exit_code == 1
    assert "no account" in unknown.output
    with app.app_context():
        assert session.get(Partnership, ids[0]).owner_id == ids[2]
    done = runner.invoke(args=["users", "hand-over", "leaving@example.com", "next@example.com"])
    assert done.exit_code == 0, done.output
    assert (
        "Handed the work of Altay Abibullayev to Mojca Potočnik: 1 pairing, 1 open task."
        in done.output
    )
    with app.app_context():
        assert session.get(Partnership, ids[0]).owner_id == ids[1]
        assert session.scalars(select(Task.assignee_id)).all() == [ids[1]]


def test_demoting_or_deactivating_someone_with_work_says_to_hand_it_over(
    app: Flask, runner
) -> None:
    """Regression: the user's page warned of the work left; the command line said nothing."""
    with app.app_context():
        consul = make_user("officer", email="consul@example.com", name="Altay Abibullayev")
        make_partnership(owner=consul)
        make_user("officer", email="idle@example.com")
        session.commit()
    demoted = runner.invoke(args=["users", "set-role", "consul@example.com", "viewer"])
    assert demoted.exit_code == 0
    # On stderr, as the other commands' warnings.
    assert "Altay Abibullayev still owns pairings or holds open tasks" in demoted.stderr
    assert "flask users hand-over consul@example.com SUCCESSOR_EMAIL" in demoted.stderr
    idle = runner.invoke(args=["users", "deactivate", "idle@example.com"])
    assert idle.exit_code == 0 and "still owns" not in idle.output
    gone = runner.invoke(args=["users", "deactivate", "consul@example.com"])
    assert gone.exit_code == 0 and "still owns pairings" in gone.stderr


def test_the_last_admin_cannot_be_deactivated(app: Flask, runner) -> None:
    make_account(app, role="admin")
    result = runner.invoke(args=["users", "deactivate", "dana@example.com"])
    assert result.exit_code == 1
    assert "last active administrator" in result.output
