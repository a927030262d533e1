"""`flask users ...`: account management from the command line."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from crm.auth import services
from crm.auth.models import Role, User
from crm.auth.tokens import issue_token
from crm.db import session
from crm.errors import DomainError


@click.group("users", help="Manage user accounts.")
def users_cli() -> None:
    pass


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
    try:
        user = services.create_user(email, name=name, role=role, password=password)
    except DomainError as error:
        session.rollback()
        raise click.ClickException(error.message) from error
    session.commit()
    click.echo(f"Created {user.role} {user.name} <{user.email}>.")


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
        raise click.ClickException(f"There is no account for {email}.")
    try:
        api_token, secret = issue_token(user, label)
    except DomainError as error:
        session.rollback()
        raise click.ClickException(error.message) from error
    session.commit()
    click.echo(f"Created the token “{api_token.name}” for {user.email}. It is shown only once:")
    click.echo(secret)
