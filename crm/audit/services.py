"""Writing the audit log.

Changes to records are captured by a listener on the app's sessions: after each flush it reads
every new, changed and deleted object's attribute history and inserts one row per object on the
same connection, so an entry commits or rolls back with the change it describes. Logins, failed
logins and permission denials are recorded explicitly (`record`, `record_denial`).

Secrets never reach the log: any field whose name mentions a password, a token or a secret is
recorded only as changed, never with its value.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import Flask, g, has_app_context, has_request_context, request
from flask_babel import lazy_gettext
from flask_login import current_user
from sqlalchemy import event, insert, inspect, update
from sqlalchemy.orm import Session, UOWTransaction, sessionmaker

from crm.audit.models import AuditEntry
from crm.auth.models import User
from crm.db import session, utcnow, writing
from crm.partnerships.models import Partnership, StageChange
from crm.sharing.models import PartnershipShare

REDACTED = "[redacted]"
SECRET_MARKERS = ("password", "token", "secret")
# Derived or bookkeeping columns: they change with every edit and say nothing to a reader.
IGNORED_FIELDS = frozenset(
    {
        "version",
        "created_at",
        "updated_at",
        "title_folded",
        "name_folded",
        "search_folded",
        "pair_key",
        "country_pair",
        "last_activity_at",
        "last_login_at",
    }
)
# Columns that a stage move changes; its own "stage_move" entry says it better.
MOVE_FIELDS = frozenset({"stage_id", "status", "stage_entered_at"})


class Action(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    STAGE_MOVE = "stage_move"
    SHARE = "share"
    UNSHARE = "unshare"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGIN_BLOCKED = "login_blocked"
    LOGOUT = "logout"
    DENIED = "denied"

    @property
    def label(self) -> str:
        """What happened, in the reader's language ("Stage move")."""
        return str(ACTION_LABELS[self.value])


ACTION_LABELS = {
    "create": lazy_gettext("Create"),
    "update": lazy_gettext("Update"),
    "delete": lazy_gettext("Delete"),
    "stage_move": lazy_gettext("Stage move"),
    "share": lazy_gettext("Share"),
    "unshare": lazy_gettext("Unshare"),
    "login": lazy_gettext("Login"),
    "login_failed": lazy_gettext("Login failed"),
    "login_blocked": lazy_gettext("Login blocked"),
    "logout": lazy_gettext("Logout"),
    "denied": lazy_gettext("Denied"),
}


@dataclass(frozen=True)
class Actor:
    id: int | None
    label: str


def init_app(app: Flask) -> None:
    maker: sessionmaker[Session] = app.extensions["crm.db.sessionmaker"]
    event.listen(maker, "after_flush", _record_flush)
    event.listen(maker, "after_commit", _forget_transaction)
    event.listen(maker, "after_rollback", _forget_transaction)
    app.after_request(_record_denial_after_request)


# --- Who acts ----------------------------------------------------------------------------------


def act_as(label: str) -> None:
    """Name the actor for work done outside a request (the CLI: "cli", the demo loader)."""
    g.audit_actor = Actor(None, label)


def act_for(user: User) -> None:
    """Name the actor of a request signed in other than by Flask-Login's session: an API token."""
    g.audit_actor = Actor(user.id, user.email)


def current_actor() -> Actor:
    if has_app_context() and "audit_actor" in g:
        return g.audit_actor  # type: ignore[no-any-return]
    if has_request_context():
        user = current_user
        if user and user.is_authenticated:
            return Actor(user.id, user.email)
        return Actor(None, "anonymous")
    return Actor(None, "system")


# --- Explicit records --------------------------------------------------------------------------


def record(
    action: Action,
    *,
    object_type: str = "",
    object_id: int | None = None,
    object_label: str = "",
    changes: dict[str, Any] | None = None,
    actor: User | None = None,
) -> AuditEntry:
    """Add an entry to the current session; it commits with whatever the caller commits."""
    who = Actor(actor.id, actor.email) if actor is not None else current_actor()
    entry = AuditEntry(**_row(action, who, object_type, object_id, object_label, changes or {}))
    session.add(entry)
    return entry


def record_denial(object_type: str = "", object_id: int | None = None) -> None:
    """Note a refusal; it is written after the response is decided (see below).

    The request's own transaction is about to be discarded (the view was refused), so the entry
    cannot ride on it; `_record_denial_after_request` writes it in a transaction of its own.
    """
    if has_request_context():
        g.audit_denial = (object_type, object_id)


def _record_denial_after_request(response: Any) -> Any:
    denial = g.pop("audit_denial", None)
    if denial is None and response.status_code == 403:
        denial = ("", None)
    if denial is None:
        return response
    object_type, object_id = denial
    session.rollback()
    # Mostly a refused GET: its new transaction must still begin as a writer, or on SQLite it
    # failed (a 500 instead of the 404) whenever someone else wrote in the meantime.
    with writing():
        record(
            Action.DENIED,
            object_type=object_type,
            object_id=object_id,
            changes={"status": [None, response.status_code]},
        )
        session.commit()
    return response


# --- Changes captured at flush -----------------------------------------------------------------


def _record_flush(db_session: Session, flush_context: UOWTransaction) -> None:
    actor = current_actor()
    rows: list[dict[str, Any]] = []
    moved = {
        change.partnership_id
        for change in db_session.new
        if isinstance(change, StageChange) and change.from_stage_id is not None
    }
    for obj in db_session.new:
        if isinstance(obj, AuditEntry):
            continue
        if isinstance(obj, StageChange):
            if obj.from_stage_id is not None:
                rows.append(_stage_move_row(obj, actor))
            continue
        if isinstance(obj, PartnershipShare):
            rows.append(_share_row(Action.SHARE, obj, actor))
            continue
        rows.append(_object_row(Action.CREATE, obj, actor, _changes(obj, created=True)))
    for obj in db_session.dirty:
        if isinstance(obj, AuditEntry) or not db_session.is_modified(obj):
            continue
        changes = _changes(obj)
        if isinstance(obj, Partnership) and obj.id in moved:
            changes = {key: value for key, value in changes.items() if key not in MOVE_FIELDS}
        if changes:
            rows.append(_object_row(Action.UPDATE, obj, actor, changes))
    for obj in db_session.deleted:
        if isinstance(obj, PartnershipShare):
            rows.append(_share_row(Action.UNSHARE, obj, actor))
        elif not isinstance(obj, AuditEntry):
            rows.append(_object_row(Action.DELETE, obj, actor, {}))
    _write(db_session, rows)


# Entries written in the current transaction, by object: a service may flush an object more than
# once (a query autoflushes half of an edit), and the reader wants one entry per change.
_WRITTEN = "crm.audit.written"
_MERGEABLE = frozenset({Action.CREATE.value, Action.UPDATE.value})


def _write(db_session: Session, rows: list[dict[str, Any]]) -> None:
    table = AuditEntry.__table__
    connection = db_session.connection()
    written: dict[tuple[str, int], tuple[int, dict[str, Any]]] = db_session.info.setdefault(
        _WRITTEN, {}
    )
    for row in rows:
        key = (row["object_type"], row["object_id"])
        if row["action"] in _MERGEABLE and row["object_id"] is not None and key in written:
            entry_id, changes = written[key]
            for field, (before, after) in row["changes"].items():
                changes[field] = [changes[field][0] if field in changes else before, after]
            connection.execute(
                update(table).where(table.c.id == entry_id).values(changes=dict(changes))
            )
            continue
        result = connection.execute(insert(table).values(**row))
        if row["action"] in _MERGEABLE and row["object_id"] is not None:
            written[key] = (result.inserted_primary_key[0], dict(row["changes"]))


def _forget_transaction(db_session: Session) -> None:
    db_session.info.pop(_WRITTEN, None)


def _changes(obj: Any, *, created: bool = False) -> dict[str, Any]:
    """{"field": [before, after]} for the attributes this flush writes."""
    state = inspect(obj)
    changes: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in IGNORED_FIELDS or key == "id":
            continue
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        before = history.deleted[0] if history.deleted else None
        after = history.added[0] if history.added else None
        if created and after in (None, ""):
            continue
        if before == after:
            continue
        # Logged under the column's name ("name", not the attribute "given_name").
        changes[attr.columns[0].name] = _pair(key, before, after)
    for relationship in state.mapper.relationships:
        if not relationship.uselist or relationship.secondary is None:
            continue
        history = state.attrs[relationship.key].history
        if not (history.added or history.deleted):
            continue
        before = sorted(_label(item) for item in [*history.unchanged, *history.deleted])
        after = sorted(_label(item) for item in [*history.unchanged, *history.added])
        if before != after:
            changes[relationship.key] = [before, after]
    return changes


def _pair(key: str, before: Any, after: Any) -> list[Any]:
    if any(marker in key.lower() for marker in SECRET_MARKERS):
        return [None if before is None else REDACTED, REDACTED]
    return [_plain(before), _plain(after)]


def _plain(value: Any) -> Any:
    """A JSON-safe form of a column value."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return str(value)


def _label(obj: Any) -> str:
    # `given_name` before `name`: a stage's or sector's `name` is in the actor's language, and
    # the log records what is stored, the same for every reader.
    for name in ("title", "full_name", "given_name", "name", "email", "key"):
        value = getattr(obj, name, None)
        if isinstance(value, str) and value:
            return value[:300]
    return f"#{getattr(obj, 'id', '')}"


# The kinds of record the log names, in the reader's language. The log stores the English key.
OBJECT_TYPE_LABELS = {
    "activity": lazy_gettext("activity"),
    "api token": lazy_gettext("API token"),
    "locality": lazy_gettext("locality"),
    "organisation": lazy_gettext("organisation"),
    "partnership": lazy_gettext("pairing"),
    "partnership role": lazy_gettext("role on a pairing"),
    "partnership share": lazy_gettext("share"),
    "person": lazy_gettext("person"),
    "report delivery": lazy_gettext("report delivery"),
    "report subscription": lazy_gettext("report subscription"),
    "sector": lazy_gettext("sector"),
    "stage": lazy_gettext("stage"),
    "stage change": lazy_gettext("stage move"),
    "task": lazy_gettext("task"),
    "user": lazy_gettext("user"),
}


def object_type_label(object_type: str) -> str:
    return str(OBJECT_TYPE_LABELS.get(object_type, object_type))


def _object_type(obj: Any) -> str:
    """ "partnership", "locality", "stage change": the class name in words."""
    name = type(obj).__name__
    return "".join(f" {ch.lower()}" if ch.isupper() else ch for ch in name).strip()


def _object_row(action: Action, obj: Any, actor: Actor, changes: dict[str, Any]) -> dict[str, Any]:
    return _row(action, actor, _object_type(obj), getattr(obj, "id", None), _label(obj), changes)


def _stage_move_row(change: Any, actor: Actor) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if change.from_stage_id != change.to_stage_id:
        changes["stage"] = [
            change.from_stage.given_name if change.from_stage else None,
            change.to_stage.given_name if change.to_stage else None,
        ]
    if change.from_status != change.to_status:
        changes["status"] = [change.from_status, change.to_status]
    if change.note:
        changes["note"] = [None, change.note]
    partnership = change.partnership
    return _row(
        Action.STAGE_MOVE,
        actor,
        "partnership",
        change.partnership_id,
        _label(partnership) if partnership is not None else "",
        changes,
    )


def _share_row(action: Action, share: Any, actor: Actor) -> dict[str, Any]:
    partner = share.user.email if share.user is not None else f"#{share.user_id}"
    before, after = (None, partner) if action == Action.SHARE else (partner, None)
    partnership = share.partnership
    return _row(
        action,
        actor,
        "partnership",
        share.partnership_id,
        _label(partnership) if partnership is not None else "",
        {"shared with": [before, after]},
    )


def _row(
    action: Action,
    actor: Actor,
    object_type: str,
    object_id: int | None,
    object_label: str,
    changes: dict[str, Any],
) -> dict[str, Any]:
    in_request = has_request_context()
    return {
        "occurred_at": utcnow(),
        "actor_id": actor.id,
        "actor_label": actor.label[:254],
        "action": action.value,
        "object_type": object_type,
        "object_id": object_id,
        "object_label": object_label[:300],
        "changes": changes,
        "ip_address": (request.remote_addr or "")[:45] if in_request else "",
        "path": request.path[:300] if in_request else "",
    }
