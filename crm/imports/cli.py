"""`flask import KIND FILE`: the same checks and writes as the page, with progress on stderr."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import format_number, gettext, lazy_gettext, ngettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from crm import access
from crm.auth.models import Role, User
from crm.db import session
from crm.imports import engine, jobs
from crm.imports.kinds import IMPORTERS
from crm.imports.reading import ENCODINGS, ImportFileError, detect_format

SEPARATOR_NAMES = {"auto": "auto", "semicolon": ";", "comma": ",", "tab": "\t", ";": ";", ",": ","}
PHASES = {
    "reading": lazy_gettext("reading"),
    "checking": lazy_gettext("checking"),
    "applying": lazy_gettext("applying"),
}


class _Progress:
    def __init__(self) -> None:
        self.last = 0.0
        self.tty = sys.stderr.isatty()

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.5 and done != total:
            return
        self.last = now
        shown = str(PHASES.get(phase, phase))
        if total:
            width = 30
            filled = width * done // total
            rows = ngettext(
                "%(done)s/%(count)s row",
                "%(done)s/%(count)s rows",
                total,
                done=format_number(done),
                count=format_number(total),
            )
            text = f"{shown:>9} [{'#' * filled}{'.' * (width - filled)}] {rows}"
        else:
            rows = ngettext("%(count)s row", "%(count)s rows", done, count=format_number(done))
            text = f"{shown:>9} {rows}"
        click.echo(("\r" + text) if self.tty else text, err=True, nl=not self.tty)

    def end(self) -> None:
        if self.tty:
            click.echo("", err=True)


@click.command("import")
@click.argument("kind", type=click.Choice(sorted(IMPORTERS)))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--encoding",
    type=click.Choice(["auto", *ENCODINGS]),
    default="auto",
    show_default=True,
    help="The CSV's encoding; detected when auto.",
)
@click.option(
    "--separator",
    type=click.Choice(sorted(SEPARATOR_NAMES)),
    default="auto",
    show_default=True,
    help="The CSV's separator; detected when auto.",
)
@click.option(
    "--map",
    "mappings",
    multiple=True,
    metavar="HEADING=COLUMN",
    help="Read the file's HEADING as COLUMN (repeatable); '--map Notes=' ignores a heading.",
)
@click.option(
    "--valid-only",
    is_flag=True,
    help="Import the valid rows and skip the others (default: nothing unless every row is valid).",
)
@click.option("--dry-run", is_flag=True, help="Check and report; write nothing.")
@click.option("--as-user", "as_user", default="", help="Who imports (e-mail); default: an admin.")
@click.option("--show", default=20, show_default=True, help="How many problem rows to list.")
@with_appcontext
def import_cli(
    kind: str,
    file: Path,
    encoding: str,
    separator: str,
    mappings: tuple[str, ...],
    valid_only: bool,
    dry_run: bool,
    as_user: str,
    show: int,
) -> None:
    """Import localities, pairings, people or organisations from a CSV or XLSX FILE."""
    user = _importing_user(as_user)
    importer = IMPORTERS[kind](user=user, source=jobs.shown_filename(file.name))
    try:
        file_format = detect_format(file, encoding=encoding, separator=SEPARATOR_NAMES[separator])
        headers = engine.read_header(file, file_format)
    except ImportFileError as error:
        raise click.UsageError(error.message) from error
    mapping = engine.guess_mapping(headers, importer.columns)
    for item in mappings:
        heading, _, column = item.partition("=")
        if heading not in mapping:
            raise click.UsageError(
                gettext("The file has no heading “%(heading)s”.", heading=heading)
            )
        mapping[heading] = column.strip()
    click.echo(f"{file.name}: {file_format.description}.", err=True)
    ignored = gettext("(ignored)")  # outside the f-string, where Babel finds it
    for heading, column in mapping.items():
        click.echo(f"  {heading!r} -> {column or ignored}", err=True)

    problems: list[engine.RowOutcome] = []

    def keep(outcome: engine.RowOutcome) -> None:
        if outcome.mark == engine.ERROR and len(problems) < show:
            problems.append(outcome)

    progress = _Progress()
    try:
        summary = engine.run(
            file,
            file_format,
            importer,
            mapping,
            apply=not dry_run,
            all_or_nothing=not valid_only,
            on_row=keep,
            on_progress=progress,
        )
        progress.end()
        if summary.applied:
            session.commit()
        else:
            session.rollback()
    except ImportFileError as error:
        session.rollback()
        progress.end()
        raise click.UsageError(error.message) from error
    except IntegrityError as error:
        session.rollback()
        progress.end()
        raise click.ClickException(
            gettext(
                "Nothing was imported: someone changed the same records meanwhile. Run it again."
            )
        ) from error

    for outcome in problems:
        # A problem of the row as a whole stands alone: the line already names the row.
        reasons = "; ".join(
            message if column == engine.ROW_ERROR else f"{column}: {message}"
            for column, message in outcome.errors.items()
        )
        hints = "".join(
            " " + gettext("(closest: %(names)s)", names=", ".join(names))
            for names in outcome.suggestions.values()
        )
        click.echo(
            gettext("row %(number)d: %(problems)s", number=outcome.number, problems=reasons)
            + hints,
            err=True,
        )
    counts = summary.counts
    click.echo(
        ngettext(
            "%(count)s row: %(new)s new, %(update)s to update, %(unchanged)s unchanged, "
            "%(error)s with errors.",
            "%(count)s rows: %(new)s new, %(update)s to update, %(unchanged)s unchanged, "
            "%(error)s with errors.",
            summary.total,
            count=format_number(summary.total),
            new=format_number(counts["new"]),
            update=format_number(counts["update"]),
            unchanged=format_number(counts["unchanged"]),
            error=format_number(counts["error"]),
        )
    )
    if dry_run:
        click.echo(gettext("Dry run: nothing was written."))
    elif summary.applied:
        click.echo(
            ngettext(
                "Imported: %(count)s row written.",
                "Imported: %(count)s rows written.",
                summary.written,
                count=format_number(summary.written),
            )
        )
    else:
        click.echo(
            gettext("Nothing was imported because some rows have errors (use --valid-only).")
        )
        sys.exit(1)


def _importing_user(email: str) -> User:
    if email:
        user = session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None or not user.is_active:
            raise click.UsageError(gettext("No active user %(email)s.", email=email))
        if not access.can_edit_pipeline(user):
            raise click.UsageError(gettext("%(email)s may not change the pipeline.", email=email))
        return user
    user = session.scalar(
        select(User)
        .where(User.role == Role.ADMIN.value, User.is_active.is_(True))
        .order_by(User.id)
    )
    if user is None:
        raise click.UsageError(
            gettext(
                "Say who imports with %(option)s (there is no admin yet).",
                option="--as-user EMAIL",
            )
        )
    return user
