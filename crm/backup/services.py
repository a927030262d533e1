"""Backup and restore as gzip-compressed JSON lines, one row a line.

The same file restores into SQLite or PostgreSQL, whichever it came from. The backup reads every
table inside one transaction, so it is a single consistent snapshot while the app keeps writing:
PostgreSQL gives that with REPEATABLE READ, SQLite in WAL mode with any read transaction (which
never takes the write lock, so the app's writers are not held up).

Layout: a first line describing the backup (format, schema revision, time), then
`{"table": ..., "row": {...}}` lines in dependency order, then a last line with the row count of
every table, so a truncated file is noticed instead of restored in part.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from flask_babel import gettext
from sqlalchemy import (
    Boolean,
    Connection,
    Date,
    DateTime,
    Engine,
    Integer,
    String,
    Table,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import StatementError
from sqlalchemy.types import TypeEngine

from crm.db import UTCDateTime, reading_only, utcnow
from crm.errors import DomainError
from crm.models import metadata

FORMAT = "twinning-backup"
FORMAT_VERSION = 1
BATCH = 1000
# Filled by the first migration; a database that holds only these still counts as empty.
REFERENCE_TABLES = ("stages", "sectors")


class BackupError(DomainError):
    pass


@dataclass(frozen=True)
class BackupSummary:
    revision: str
    counts: dict[str, int]

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


def create_backup(
    engine: Engine, target: Path, *, after_table: Callable[[str], None] | None = None
) -> BackupSummary:
    """Write a snapshot of the whole database to `target` (gzip JSON lines)."""
    counts: dict[str, int] = {}
    with reading_only(), engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin(), gzip.open(target, "wt", encoding="utf-8") as out:
            revision = _revision(connection)
            _write(
                out,
                {
                    "format": FORMAT,
                    "version": FORMAT_VERSION,
                    "revision": revision,
                    "created_at": utcnow().isoformat(),
                    "database": connection.dialect.name,
                },
            )
            for table in metadata.sorted_tables:
                counts[table.name] = 0
                statement = select(table).order_by(*table.primary_key.columns)
                for row in connection.execution_options(yield_per=BATCH).execute(statement):
                    _write(out, {"table": table.name, "row": _encode(row._mapping)})
                    counts[table.name] += 1
                if after_table is not None:
                    after_table(table.name)
            _write(out, {"end": True, "counts": counts})
    return BackupSummary(revision=revision, counts=counts)


def restore_backup(engine: Engine, source: Path) -> BackupSummary:
    """Load a backup into an empty database at the same schema revision, all or nothing."""
    tables = {table.name: table for table in metadata.sorted_tables}
    counts = dict.fromkeys(tables, 0)
    trailer: dict[str, Any] | None = None
    with engine.connect() as connection, connection.begin():
        lines = _read(source)
        header = next(lines, None)
        if not header or header.get("format") != FORMAT:
            raise BackupError(gettext("That file is not a Twinning backup."))
        if header.get("version") != FORMAT_VERSION:
            raise BackupError(
                gettext(
                    "Backup format %(version)s is not supported here.",
                    version=header.get("version"),
                )
            )
        revision = _revision(connection)
        if header.get("revision") != revision:
            raise BackupError(
                gettext(
                    "The backup is of schema %(backup)s, this database is at %(database)s. "
                    "Bring both to the same version (%(command)s) first.",
                    backup=header.get("revision"),
                    database=revision,
                    command="flask db upgrade",
                )
            )
        _check_empty(connection, tables)
        for name in REFERENCE_TABLES:
            connection.execute(tables[name].delete())
        pending: dict[str, list[dict[str, Any]]] = {}
        later = _LaterLinks(tables.values())
        for line in lines:
            if line.get("end"):
                trailer = line
                break
            name = line.get("table")
            if name not in tables:
                raise BackupError(
                    gettext(
                        "The backup has a table “%(table)s” this version does not know.",
                        table=name,
                    )
                )
            row = line.get("row", {})
            if not isinstance(row, dict):
                raise BackupError(gettext("A row of “%(table)s” is damaged.", table=name))
            pending.setdefault(name, []).append(
                later.hold(tables[name], _decode(tables[name], row))
            )
            counts[name] += 1
            if len(pending[name]) >= BATCH:
                _flush(connection, tables, pending)
        _flush(connection, tables, pending)
        later.write(connection)
        if trailer is None or trailer.get("counts") != counts:
            raise BackupError(
                gettext(
                    "The backup is incomplete (it ends early or its counts differ); "
                    "nothing was restored."
                )
            )
        _reset_sequences(connection, tables.values())
    return BackupSummary(revision=revision, counts=counts)


def _write(out: IO[str], record: dict[str, Any]) -> None:
    out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
    out.write("\n")


def _read(source: Path) -> Iterator[dict[str, Any]]:
    try:
        with gzip.open(source, "rt", encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as error:
                    raise BackupError(
                        gettext("Line %(line)d of the backup is damaged.", line=number)
                    ) from error
                if not isinstance(record, dict):
                    raise BackupError(
                        gettext("Line %(line)d of the backup is damaged.", line=number)
                    )
                yield record
    except (OSError, EOFError, UnicodeDecodeError) as error:
        if isinstance(error, FileNotFoundError):
            raise BackupError(gettext("There is no file %(file)s.", file=source)) from error
        raise BackupError(
            gettext("That file is not a Twinning backup (not gzip JSON lines).")
        ) from error


def _encode(row: Any) -> dict[str, Any]:
    return {
        key: value.isoformat() if isinstance(value, date | datetime) else value
        for key, value in row.items()
    }


def _decode(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    decoded = {}
    for key, value in row.items():
        if key not in table.columns:
            raise BackupError(
                gettext(
                    "The backup has a column “%(column)s” this version lacks.",
                    column=f"{table.name}.{key}",
                )
            )
        column_type = table.columns[key].type
        try:
            if value is not None and isinstance(column_type, DateTime | UTCDateTime):
                value = datetime.fromisoformat(value)
            elif value is not None and isinstance(column_type, Date):
                value = date.fromisoformat(value)
        except (TypeError, ValueError) as error:
            raise BackupError(
                gettext(
                    "The backup has “%(value)s” in %(column)s, which is not a date.",
                    value=value,
                    column=f"{table.name}.{key}",
                )
            ) from error
        if value is not None and not _fits(column_type, value):
            # SQLite would store it as it comes (text in a number's column), and the app
            # would fail on reading it; PostgreSQL refuses it. Refused alike here.
            raise BackupError(
                gettext(
                    "The backup has “%(value)s” in %(column)s, which does not fit that column.",
                    value=value,
                    column=f"{table.name}.{key}",
                )
            )
        decoded[key] = value
    return decoded


def _fits(column_type: TypeEngine[Any], value: Any) -> bool:
    """Whether a decoded value is of the column's kind, as JSON writes it: a whole number for
    integers, true or false for booleans, text no longer than a string column allows."""
    if isinstance(column_type, Boolean):
        return isinstance(value, bool)
    if isinstance(column_type, Integer):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(column_type, String):
        return isinstance(value, str) and (
            column_type.length is None or len(value) <= column_type.length
        )
    return True


def _flush(
    connection: Connection, tables: dict[str, Table], pending: dict[str, list[dict[str, Any]]]
) -> None:
    # Parents before children: `metadata.sorted_tables` is the order the backup was written in.
    for name in [table for table in tables if pending.get(table)]:
        try:
            connection.execute(insert(tables[name]), pending[name])
        except StatementError as error:
            raise _unwritable(name, error) from error
        pending[name] = []


def _unwritable(table: str, error: StatementError) -> BackupError:
    # A value of the wrong kind, a broken reference: the database says which.
    return BackupError(
        gettext(
            "The rows of “%(table)s” cannot be written (%(reason)s); nothing was restored.",
            table=table,
            reason=str(error.orig or error).splitlines()[0],
        )
    )


class _LaterLinks:
    """The links of a row to another row of its own table (a person merged into another), put
    in once every row of the table is in.

    Rows are written in id order, and a link may point forward (a person merged into one entered
    after them): written with the row, it names a row not there yet, which both databases refuse
    at once, so a backup of any register with such a merge could not be restored.
    """

    def __init__(self, tables: Iterable[Table]) -> None:
        self.columns = {
            table.name: [
                column.name
                for column in table.columns
                if any(key.column.table is table for key in column.foreign_keys)
            ]
            for table in tables
        }
        self.held: dict[str, list[dict[str, Any]]] = {}

    def hold(self, table: Table, row: dict[str, Any]) -> dict[str, Any]:
        """The row to insert now, its links to its own table left empty until `write`."""
        links = {name: row[name] for name in self.columns[table.name] if row.get(name) is not None}
        if not links:
            return row
        key = {column.name: row.get(column.name) for column in table.primary_key.columns}
        # The UPDATE would stamp a column with an `onupdate` (updated_at) afresh: the backup's.
        stamped = {
            column.name: row.get(column.name)
            for column in table.columns
            if column.onupdate is not None and column.name in row
        }
        self.held.setdefault(table.name, []).append({**key, **stamped, **links})
        return {**row, **dict.fromkeys(links)}

    def write(self, connection: Connection) -> None:
        tables = {table.name: table for table in metadata.sorted_tables}
        for name, rows in self.held.items():
            table = tables[name]
            for row in rows:
                keys = [column.name for column in table.primary_key.columns]
                statement = (
                    update(table)
                    .where(*(table.c[key] == row[key] for key in keys))
                    .values({column: value for column, value in row.items() if column not in keys})
                )
                try:
                    connection.execute(statement)
                except StatementError as error:
                    raise _unwritable(name, error) from error


def _check_empty(connection: Connection, tables: dict[str, Table]) -> None:
    for name, table in tables.items():
        if name in REFERENCE_TABLES:
            continue
        if connection.scalar(select(func.count()).select_from(table)):
            raise BackupError(
                gettext(
                    "The database is not empty (%(table)s has rows). Restore into a new "
                    "database made with `%(command)s`.",
                    table=name,
                    command="flask db upgrade",
                )
            )


def _reset_sequences(connection: Connection, tables: Any) -> None:
    """PostgreSQL hands out ids from sequences that the explicit ids above did not advance."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        if "id" in table.columns and table.columns["id"].autoincrement is not False:
            connection.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                )
            )


def _revision(connection: Connection) -> str:
    return str(connection.scalar(text("SELECT version_num FROM alembic_version")))
