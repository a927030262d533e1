"""The dashboard, served at "/" by the board's blueprint (the endpoint everyone links to)."""

from __future__ import annotations

from flask import current_app, render_template
from flask.typing import ResponseReturnValue

from crm.auth.models import User
from crm.dashboard import queries
from crm.db import utcnow
from crm.partnerships.stages import ordered_stages
from crm.routing import LinkById
from crm.tasks.dates import horizon_for


def render_dashboard(user: User) -> ResponseReturnValue:
    horizon = horizon_for(user)
    days = int(current_app.config["STALE_AFTER_DAYS"])
    return render_template(
        "dashboard/index.html",
        overdue=queries.my_overdue(user, horizon),
        upcoming=queries.my_upcoming(user, horizon),
        open_tasks=queries.my_open_task_count(user),
        stale=queries.stale_pairings(user, now=utcnow(), days=days),
        stale_days=days,
        counts=queries.pipeline_counts(user, ordered_stages()),
        today=horizon.today,
        pairing_link=LinkById("partnerships.show", "partnership_id"),
    )
