"""`flask backup create FILE` and `flask backup restore FILE`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext, ngettext

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
    try:
        summary = create_backup(engine_for(current_app), file)
    except OSError as error:  # a folder that does not exist, a full disk
        raise click.ClickException(
            gettext("Cannot write %(file)s: %(reason)s.", file=file, reason=error.strerror)
        ) from error
    click.echo(
        ngettext(
            "Backed up %(num)d row (schema %(revision)s) to %(file)s.",
            "Backed up %(num)d rows (schema %(revision)s) to %(file)s.",
            summary.rows,
            revision=summary.revision,
            file=file,
        )
    )


@backup_cli.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def restore(file: Path) -> None:
    """Load FILE into this empty database (run `flask db upgrade` on it first)."""
    try:
        summary = restore_backup(engine_for(current_app), file)
    except BackupError as error:
        raise click.ClickException(error.message) from error
    click.echo(
        ngettext(
            "Restored %(num)d row from %(file)s.",
            "Restored %(num)d rows from %(file)s.",
            summary.rows,
            file=file,
        )
    )
