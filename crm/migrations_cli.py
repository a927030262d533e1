"""`flask db ...`: Alembic's commands, run against the app's own database and engine settings."""

from __future__ import annotations

from pathlib import Path

import click
from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app
from flask.cli import with_appcontext

from crm.db import engine_for

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(app: Flask) -> AlembicConfig:
    config = AlembicConfig(str(MIGRATIONS_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # env.py uses this engine, so migrations see the same SQLite pragmas as the app.
    config.attributes["engine"] = engine_for(app)
    return config


def upgrade(app: Flask, revision: str = "head") -> None:
    command.upgrade(alembic_config(app), revision)


@click.group("db", help="Database migrations (Alembic).")
def db_cli() -> None:
    pass


@db_cli.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def upgrade_command(revision: str) -> None:
    """Bring the database schema up to REVISION (default: the latest)."""
    upgrade(current_app, revision)


@db_cli.command("downgrade")
@click.argument("revision")
@with_appcontext
def downgrade_command(revision: str) -> None:
    """Take the database schema back to REVISION (e.g. -1, or base)."""
    command.downgrade(alembic_config(current_app), revision)


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--autogenerate/--empty", default=True, show_default=True)
@with_appcontext
def revision_command(message: str, autogenerate: bool) -> None:
    """Write a new migration, by default from the difference between models and database."""
    command.revision(alembic_config(current_app), message=message, autogenerate=autogenerate)


@db_cli.command("current")
@with_appcontext
def current_command() -> None:
    """Show the revision the database is at."""
    command.current(alembic_config(current_app), verbose=True)


@db_cli.command("history")
@with_appcontext
def history_command() -> None:
    """List the migrations."""
    command.history(alembic_config(current_app))
