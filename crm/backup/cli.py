"""`flask backup create FILE` and `flask backup restore FILE`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from crm.backup.services import BackupError, create_backup, restore_backup
from crm.db import engine_for


@click.group("backup", help="Back up and restore the whole database.")
def backup_cli() -> None:
    pass


@backup_cli.command("create")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def create(file: Path) -> None:
    """Write a consistent snapshot to FILE (gzip JSON lines) while the app keeps serving."""
    summary = create_backup(engine_for(current_app), file)
    click.echo(f"Backed up {summary.rows} rows (schema {summary.revision}) to {file}.")


@backup_cli.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def restore(file: Path) -> None:
    """Load FILE into this empty database (run `flask db upgrade` on it first)."""
    try:
        summary = restore_backup(engine_for(current_app), file)
    except BackupError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Restored {summary.rows} rows from {file}.")
