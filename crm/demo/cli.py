"""`flask demo load`: the demo data set, with the logins it prints."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import gettext, ngettext

from crm.audit.services import act_as
from crm.db import session
from crm.demo import data
from crm.demo.loader import is_empty, load_demo_data


@click.group("demo", help="Demo data.")
def demo_cli() -> None:
    pass


@demo_cli.command("load")
@click.option(
    "--if-empty",
    is_flag=True,
    help="Load only into a database that has no pairings yet (what `make run` does).",
)
@with_appcontext
def load(if_empty: bool) -> None:
    """Load the demo data (idempotent) and print the demo logins."""
    act_as("demo loader")
    if if_empty and not is_empty():
        click.echo(gettext("The database already has pairings; demo data not loaded."))
    else:
        added = load_demo_data()
        session.commit()
        click.echo(
            ngettext(
                "Demo data loaded: %(num)d new pairing.",
                "Demo data loaded: %(num)d new pairings.",
                added,
            )
        )
    click.echo(
        gettext("Demo logins (password for each: %(password)s):", password=data.DEMO_PASSWORD)
    )
    for user in data.USERS:
        click.echo(f"  {user.email:<24} {user.role:<8} {user.name}")
