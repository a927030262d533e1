"""Alembic environment: migrates the database of the running app configuration."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection, Engine

from crm.db import UTCDateTime
from crm.models import metadata

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Write our UTC type as a plain DateTime, so that migrations never import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if not isinstance(engine, Engine):
        raise RuntimeError("Run migrations through the app: flask --app app db upgrade")
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        context.configure(
            connection=connection,
            target_metadata=metadata,
            # SQLite cannot ALTER most things in place; batch mode copies the table instead.
            render_as_batch=sqlite,
            compare_type=True,
            render_item=render_item,
        )
        if not sqlite:
            with context.begin_transaction():
                context.run_migrations()
            return
        # A batch step copies a table and drops the old one: with the foreign keys on, SQLite
        # would delete on the way every row that points at it (ON DELETE CASCADE), a pairing's
        # whole history among them. They are off while the steps run (the switch works only
        # outside a transaction), what the steps leave is checked, and they are on again before
        # the connection goes back to the pool, which the app then uses.
        _sqlite_foreign_keys(connection, on=False)
        try:
            with context.begin_transaction():
                context.run_migrations()
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            if broken:
                raise RuntimeError(f"The migration left rows without their parent: {broken}")
        finally:
            if connection.in_transaction():
                connection.rollback()
            _sqlite_foreign_keys(connection, on=True)


def _sqlite_foreign_keys(connection: Connection, *, on: bool) -> None:
    dbapi_connection = connection.connection.dbapi_connection
    assert dbapi_connection is not None
    dbapi_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    (now,) = dbapi_connection.execute("PRAGMA foreign_keys").fetchone()
    if bool(now) != on:
        raise RuntimeError("SQLite's foreign keys could not be switched (a transaction is open).")


if context.is_offline_mode():
    raise RuntimeError("Offline (SQL script) migrations are not supported; run flask db upgrade.")
run_migrations_online()
