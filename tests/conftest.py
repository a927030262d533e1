"""Fixtures shared by every test: an app on a freshly migrated database, clients, logins.

The database is SQLite in a temporary file unless TEST_DATABASE_URL names another one (CI sets
it to the local PostgreSQL). Its schema is built once per run by the real migrations; before
each test every row is deleted and the default stages and sectors are put back.

Requests push their own app context only when none is active, so tests that make requests
create their data inside `with app.app_context():` blocks rather than holding one open.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, MetaData, event, text

from config import TestConfig
from crm import create_app
from crm.auth import throttle
from crm.db import Base, engine_for, session
from crm.migrations_cli import upgrade
from crm.models import metadata as _all_models  # noqa: F401 (every table, for the clean-up)
from crm.partnerships.stages import ensure_default_stages
from crm.sectors.services import ensure_default_sectors
from tests import factories


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    configured = os.environ.get("TEST_DATABASE_URL")
    if configured:
        return configured
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    app = create_app(TestConfig, DATABASE_URL=database_url)
    engine = engine_for(app)
    drop_everything(engine)
    with app.app_context():
        upgrade(app)
    yield app
    engine.dispose()


def drop_everything(engine: Engine) -> None:
    """Start the run from an empty database, so the migrations are tested from scratch."""
    existing = MetaData()
    existing.reflect(engine)
    existing.drop_all(engine)


@pytest.fixture(scope="session")
def emptying_statements(app: Flask) -> list[str]:
    """What empties every table and restarts every id at 1.

    On PostgreSQL, not TRUNCATE: it gives each table a new file, a quarter of a second for all
    of them before every test (two thirds of the suite's time there). Deleting the few rows a
    test wrote, with the foreign-key triggers off so that the order does not matter, and
    restarting the id sequences, leaves the same empty tables some fifty times faster.
    """
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    deletes = [f"DELETE FROM {table}" for table in tables]  # noqa: S608 (our table names)
    engine = engine_for(app)
    if engine.dialect.name != "postgresql":
        return deletes
    with engine.connect() as connection:
        sequences = [
            name
            for (name,) in connection.execute(
                text("SELECT pg_get_serial_sequence(t, 'id') FROM unnest(CAST(:t AS text[])) t"),
                {"t": [table for table in tables if "id" in Base.metadata.tables[table].c]},
            )
            if name
        ]
    return [
        "SET LOCAL session_replication_role = replica",
        *deletes,
        *(f"ALTER SEQUENCE {name} RESTART" for name in sequences),
    ]


@pytest.fixture(autouse=True)
def clean_database(app: Flask, emptying_statements: list[str]) -> None:
    engine = engine_for(app)
    with engine.begin() as connection:
        for statement in emptying_statements:
            connection.exec_driver_sql(statement)
    with app.app_context():
        ensure_default_stages()
        ensure_default_sectors()
        session.commit()
    with app.test_request_context():
        throttle.reset()  # failed logins of one test must not lock out the next
    factories.reset_counters()


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    """An app context for tests that call services directly (and make no requests)."""
    with app.app_context():
        yield
        session.rollback()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def login_as(app: Flask, client: FlaskClient) -> Callable[..., int]:
    """Create a user with `role` and log the client in as them; returns the user's id."""

    def login(role: str = "officer", **overrides: object) -> int:
        with app.app_context():
            user = factories.make_user(role=role, **overrides)
            session.commit()
            user_id, session_id = user.id, user.get_id()
        with client.session_transaction() as cookie_session:
            cookie_session["_user_id"] = session_id
            cookie_session["_fresh"] = True
        return user_id

    return login


class StatementCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_statements(
    app: Flask,
) -> Callable[[], contextlib.AbstractContextManager[StatementCounter]]:
    """`with count_statements() as counter:` counts the SQL statements run inside the block."""

    @contextlib.contextmanager
    def counting() -> Iterator[StatementCounter]:
        counter = StatementCounter()

        def record(conn: object, cursor: object, statement: str, *args: object) -> None:
            counter.statements.append(statement)

        engine = engine_for(app)
        event.listen(engine, "before_cursor_execute", record)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return counting


def pytest_sessionstart(session: pytest.Session) -> None:
    # `make` compiles the catalogues; this keeps a bare `pytest` after editing a .po honest too.
    from tests.i18n.catalogues import compile_stale_catalogues

    compile_stale_catalogues()
