"""The audit log, for administrators: browse and filter; never edit (there is no route for it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Blueprint, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy import Select, false, func, select
from sqlalchemy.orm import selectinload

from crm import access
from crm.audit.models import AuditEntry
from crm.audit.services import Action, object_type_label
from crm.auth.models import User
from crm.date_span import is_within_span, out_of_span_message
from crm.db import session
from crm.presentation import user_time_zone
from crm.routing import NO_RECORD, number_arg, record_id_in

bp = Blueprint("audit", __name__, url_prefix="/audit")


@dataclass(frozen=True)
class AuditFilters:
    actor_id: int | None = None
    action: str = ""
    object_type: str = ""
    object_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    def as_query_args(self) -> dict[str, Any]:
        args = {
            "actor": self.actor_id,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
        }
        # A number is kept even when it is 0 (NO_RECORD: a number too large, which names none).
        return {key: value for key, value in args.items() if value is not None and value != ""}


def filters_from(args: Any) -> tuple[AuditFilters, dict[str, str]]:
    """The filters, and a message per filter that could not be read."""
    errors: dict[str, str] = {}

    def number(name: str) -> int | None:
        raw = (args.get(name) or "").strip()
        if not raw:
            return None
        if not (raw.isascii() and raw.isdigit()):
            errors[name] = gettext("Give a number.")
            return None
        # Too large to be an id: it names no record, like any other number without one.
        return record_id_in(raw) or NO_RECORD

    def day(name: str) -> date | None:
        raw = (args.get(name) or "").strip()
        if not raw:
            return None
        try:
            parsed = date.fromisoformat(raw[:10])
        except ValueError:
            errors[name] = gettext("Give a real date as YYYY-MM-DD (e.g. 2026-02-13).")
            return None
        # The filter's bounds are local midnights (the day after, for `to`) compared in UTC:
        # at the calendar's ends (0001-01-01, 9999-12-31) they would overflow.
        if not is_within_span(parsed):
            errors[name] = out_of_span_message()
            return None
        return parsed

    action = (args.get("action") or "").strip()
    if action and action not in {a.value for a in Action}:
        errors["action"] = gettext("Choose an action from the list.")
        action = ""
    filters = AuditFilters(
        actor_id=number("actor"),
        action=action,
        object_type=(args.get("object_type") or "").strip()[:40],
        object_id=number("object_id"),
        date_from=day("from"),
        date_to=day("to"),
    )
    return filters, errors


def filtered(filters: AuditFilters) -> Select[tuple[AuditEntry]]:
    statement = select(AuditEntry)
    if filters.actor_id is not None:
        statement = statement.where(AuditEntry.actor_id == filters.actor_id)
    if filters.action:
        statement = statement.where(AuditEntry.action == filters.action)
    if filters.object_type:
        statement = statement.where(AuditEntry.object_type == filters.object_type)
    if filters.object_id is not None:
        statement = statement.where(AuditEntry.object_id == filters.object_id)
    zone = user_time_zone()
    if filters.date_from:
        start = datetime.combine(filters.date_from, time.min, tzinfo=zone)
        statement = statement.where(AuditEntry.occurred_at >= start)
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time.min, tzinfo=zone)
        statement = statement.where(AuditEntry.occurred_at < end)
    return statement


@bp.get("")
@login_required
def index() -> ResponseReturnValue:
    access.require(access.can_read_audit_log(current_user))
    filters, errors = filters_from(request.args)
    statement = filtered(filters)
    if errors:
        # Nothing under a filter that could not be read: every entry would pass for its answer.
        statement = statement.where(false())
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    per_page = int(current_app.config["PAGE_SIZE"])
    last_page = max(1, -(-total // per_page))
    page = min(number_arg("page", 1, least=1), last_page)
    entries = session.scalars(
        statement.options(selectinload(AuditEntry.actor))
        .order_by(AuditEntry.occurred_at.desc(), AuditEntry.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    object_types = session.scalars(
        select(AuditEntry.object_type).where(AuditEntry.object_type != "").distinct()
    ).all()
    return (
        render_template(
            "audit/index.html",
            entries=entries,
            filters=filters,
            errors=errors,
            total=total,
            page=page,
            last_page=last_page,
            actions=list(Action),
            # Each entry's action in the reader's language, for the template.
            action_labels={action.value: action.label for action in Action},
            object_types=sorted(object_types),
            object_type_label=object_type_label,
            users=session.scalars(select(User).order_by(User.name)).all(),
        ),
        422 if errors else 200,
    )
