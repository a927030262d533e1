"""`flask users ...`: account management from the command line.

Every change is recorded in the audit log with "cli" as the actor.
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import gettext
from sqlalchemy import select

from crm.access import may_own_pairings
from crm.audit.services import act_as
from crm.auth import services
from crm.auth.models import Role, User
from crm.auth.tokens import issue_token
from crm.db import session
from crm.errors import DomainError
from crm.users import services as handover


@click.group("users", help="Manage user accounts.")
def users_cli() -> None:
    pass


def _find(email: str) -> User:
    user = services.user_by_email(email)
    if user is None:
        raise click.ClickException(
            gettext("There is no account for %(email)s.", email=services.normalise_email(email))
        )
    return user


def _commit_or_fail(error: DomainError | None) -> None:
    if error is not None:
        session.rollback()
        raise click.ClickException(error.message)
    session.commit()


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="The person's full name.")
@click.option(
    "--role",
    type=click.Choice([role.value for role in Role]),
    default=Role.OFFICER.value,
    show_default=True,
)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Prompted for (hidden) when not given.",
)
@with_appcontext
def create(email: str, name: str, role: str, password: str) -> None:
    """Create an account that logs in with EMAIL."""
    act_as("cli")
    try:
        user = services.create_user(email, name=name, role=role, password=password)
    except DomainError as error:
        _commit_or_fail(error)
        return
    _commit_or_fail(None)
    click.echo(
        gettext(
            "Created %(role)s %(name)s <%(email)s>.",
            role=user.role,
            name=user.name,
            email=user.email,
        )
    )


@users_cli.command("token")
@click.argument("email")
@click.option(
    "--name",
    "label",
    default="API token",
    show_default=True,
    help="A label to tell this token from others.",
)
@with_appcontext
def token(email: str, label: str) -> None:
    """Create a personal API token for EMAIL; the token is the last line printed."""
    user = session.scalar(select(User).where(User.email == services.normalise_email(email)))
    if user is None:
        raise click.ClickException(gettext("There is no account for %(email)s.", email=email))
    try:
        api_token, secret = issue_token(user, label)
    except DomainError as error:
        session.rollback()
        raise click.ClickException(error.message) from error
    session.commit()
    click.echo(
        gettext(
            "Created the token “%(name)s” for %(email)s. It is shown only once:",
            name=api_token.name,
            email=user.email,
        )
    )
    click.echo(secret)


@users_cli.command("set-password")
@click.argument("email")
@click.option("--password", help="Prompted for (hidden, twice) when not given.")
@with_appcontext
def set_password(email: str, password: str | None) -> None:
    """Give EMAIL's account a new password; the user's sessions end."""
    act_as("cli")
    user = _find(email)
    # Asked for only once the account is found: not typed twice for an address with none.
    if password is None:
        password = click.prompt(gettext("Password"), hide_input=True, confirmation_prompt=True)
    try:
        services.set_password(user, password)
    except DomainError as error:
        _commit_or_fail(error)
    _commit_or_fail(None)
    click.echo(
        gettext("New password set for %(email)s; their sessions have ended.", email=user.email)
    )


@users_cli.command("deactivate")
@click.argument("email")
@with_appcontext
def deactivate(email: str) -> None:
    """Stop EMAIL's account from logging in; its sessions end at once."""
    act_as("cli")
    user = _find(email)
    try:
        services.deactivate(user)
    except DomainError as error:
        _commit_or_fail(error)
    _commit_or_fail(None)
    click.echo(gettext("Deactivated %(email)s; their sessions have ended.", email=user.email))
    _warn_of_work_left(user)


@users_cli.command("reactivate")
@click.argument("email")
@with_appcontext
def reactivate(email: str) -> None:
    """Let a deactivated account log in again."""
    act_as("cli")
    user = _find(email)
    try:
        services.reactivate(user)
    except DomainError as error:
        _commit_or_fail(error)
    _commit_or_fail(None)
    click.echo(gettext("Reactivated %(email)s.", email=user.email))


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice([role.value for role in Role]))
@with_appcontext
def set_role(email: str, role: str) -> None:
    """Change EMAIL's role."""
    act_as("cli")
    user = _find(email)
    try:
        services.change_role(user, role)
    except DomainError as error:
        _commit_or_fail(error)
    _commit_or_fail(None)
    click.echo(gettext("%(email)s is now %(role)s.", email=user.email, role=role))
    _warn_of_work_left(user)


def _warn_of_work_left(user: User) -> None:
    """As the user's page does after a role change or a deactivation that leaves someone
    unable to own pairings: what is left to hand over, and how."""
    if not may_own_pairings(user) and handover.work_of(user):
        click.echo(
            gettext(
                "%(name)s still owns pairings or holds open tasks: hand them over with "
                "“%(command)s”.",
                name=user.name,
                command=f"flask users hand-over {user.email} SUCCESSOR_EMAIL",
            ),
            err=True,
        )


@users_cli.command("hand-over")
@click.argument("email")
@click.argument("successor_email")
@with_appcontext
def hand_over(email: str, successor_email: str) -> None:
    """Give EMAIL's pairings and open tasks to SUCCESSOR_EMAIL (an active officer or admin)."""
    act_as("cli")
    user, successor = _find(email), _find(successor_email)
    try:
        moved = handover.hand_over(user, successor)
    except DomainError as error:
        _commit_or_fail(error)
        return
    _commit_or_fail(None)
    click.echo(handover.handed_over(user, successor, moved))


@users_cli.command("list")
@with_appcontext
def list_users() -> None:
    """Every account: e-mail, role, active or not, name."""
    users = services.all_users()
    if not users:
        click.echo(
            gettext(
                "No accounts yet. Create one with: %(command)s",
                command="flask users create EMAIL --name NAME",
            )
        )
        return
    for user in users:
        state = gettext("active") if user.is_active else gettext("deactivated")
        click.echo(f"{user.email:<32} {user.role:<8} {state:<12} {user.name}")
