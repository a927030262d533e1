"""`flask users ...`: account management from the command line."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from crm.auth import services
from crm.auth.models import Role
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
