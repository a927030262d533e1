"""The model base, one database session per app context, and the engine settings per database."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from flask import Flask, abort, current_app, g, has_request_context, request
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event, update
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator
from werkzeug.local import LocalProxy

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Requests with these methods never write, so on SQLite they may share the database with a writer.
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC without a zone (SQLite keeps none) and hands back aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def versioned_collection(collection: Any) -> None:
    """Count a change of a many-to-many `collection` as a change of its owner's row.

    SQLAlchemy writes the link table without touching the owner's row, so its version did not
    move: an edit that changed only the collection (a meeting's participants, a pairing's
    sectors) went unnoticed by a concurrent edit, which then put back the old collection with a
    version that still matched. A new `updated_at` makes it an UPDATE, checked and counted.
    """

    def touch(target: Any, value: Any, initiator: Any) -> None:
        target.updated_at = utcnow()

    event.listen(collection, "append", touch)
    event.listen(collection, "remove", touch)


def mark_changed(model: Any, ids: Collection[int]) -> None:
    """What `versioned_collection` does, for links rewritten in bulk (a merge): each row's
    version moves on, so that a form opened before gets a 409 rather than putting the old links
    back, and so does its `updated_at`, so that an API client syncing with `updated_since` sees
    the change. Objects already loaded are stale afterwards: the caller expires them."""
    if ids:
        session.execute(
            update(model)
            .where(model.id.in_(ids))
            .values(version=model.version + 1, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime}


def make_engine(url: str, *, sqlite_busy_timeout: float = 30.0) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": sqlite_busy_timeout})
        _configure_sqlite(engine)
        return engine
    # No JIT: PostgreSQL compiles a plan whose estimated cost passes a threshold, which the
    # weekly report's counts over 100,000 pairings do, and compiling costs more than it saves on
    # statements of a few hundred milliseconds (measured: 0.1 s of the report's 1.5 s).
    # UTC as the session's zone: times are stored in UTC without a zone, so anything that meets a
    # zone in SQL is read in UTC rather than in whatever zone the server was set up with.
    return create_engine(
        url, pool_pre_ping=True, connect_args={"options": "-c jit=off -c TimeZone=UTC"}
    )


def _configure_sqlite(engine: Engine) -> None:
    """WAL lets readers run beside a writer; BEGIN IMMEDIATE makes a second writer wait its turn.

    With Python's default deferred transactions a request that reads first and writes later can
    fail with "database is locked" instead of waiting, because SQLite cannot upgrade its read
    snapshot once another writer has committed. Taking the write lock at BEGIN avoids that.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _may_write() else "BEGIN")


# Set by `reading_only()` for work outside a request that must not hold SQLite's write lock.
_reading_only: ContextVar[bool] = ContextVar("reading_only", default=False)
# Set by `writing()` for a write made while serving a GET.
_writing: ContextVar[bool] = ContextVar("writing", default=False)


def _may_write() -> bool:
    if _writing.get():
        return True
    if _reading_only.get():
        return False
    if has_request_context():
        return request.method not in READ_ONLY_METHODS
    return True


@contextmanager
def reading_only() -> Iterator[None]:
    """Transactions begun inside only read, so on SQLite they never block the app's writers."""
    token = _reading_only.set(True)
    try:
        yield
    finally:
        _reading_only.reset(token)


@contextmanager
def writing() -> Iterator[None]:
    """Transactions begun inside write, whatever the request's method: on SQLite they take the
    write lock at BEGIN and wait their turn for it. A transaction begun as a reader and writing
    later fails at once ("database is locked") if another writer committed after its first read.
    """
    token = _writing.set(True)
    try:
        yield
    finally:
        _writing.reset(token)


def init_app(app: Flask) -> None:
    engine = make_engine(
        app.config["DATABASE_URL"], sqlite_busy_timeout=app.config["SQLITE_BUSY_TIMEOUT"]
    )
    app.extensions["crm.db.engine"] = engine
    app.extensions["crm.db.sessionmaker"] = sessionmaker(bind=engine)
    app.teardown_appcontext(_close_session)


def engine_for(app: Flask) -> Engine:
    return cast(Engine, app.extensions["crm.db.engine"])


def _current_session() -> Session:
    if "db_session" not in g:
        g.db_session = current_app.extensions["crm.db.sessionmaker"]()
    return cast(Session, g.db_session)


def _close_session(exception: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()


session: Session = cast(Session, LocalProxy(_current_session))

ModelT = TypeVar("ModelT", bound=Base)


def get_or_404(model: type[ModelT], ident: int) -> ModelT:
    instance = session.get(model, ident)
    if instance is None:
        abort(404)
    return instance
