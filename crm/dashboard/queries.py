"""The dashboard's numbers: each one statement, whatever the size of the pipeline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select

from crm import access
from crm.activities.models import CONTACT_KINDS, Activity
from crm.auth.models import User
from crm.db import session
from crm.partnerships import queries as partnership_queries
from crm.partnerships.models import Partnership, Stage, Status
from crm.partnerships.stages import SIGNED_STAGE_KEY
from crm.tasks.dates import Horizon
from crm.tasks.models import Task, TaskStatus
from crm.tasks.queries import visible_tasks, with_details

LIST_LIMIT = 20
UPCOMING_DAYS = 7


@dataclass(frozen=True)
class StalePairing:
    partnership: Partnership
    last_contact_at: datetime | None


@dataclass(frozen=True)
class StageCount:
    stage: Stage
    count: int


def my_overdue(user: User, horizon: Horizon) -> Sequence[Task]:
    return session.scalars(
        with_details(
            visible_tasks(user)
            .where(
                Task.assignee_id == user.id,
                Task.status == TaskStatus.OPEN.value,
                Task.due_on < horizon.today,
            )
            .order_by(Task.due_on, Task.id)
            .limit(LIST_LIMIT)
        )
    ).all()


def my_upcoming(user: User, horizon: Horizon) -> Sequence[Task]:
    return session.scalars(
        with_details(
            visible_tasks(user)
            .where(
                Task.assignee_id == user.id,
                Task.status == TaskStatus.OPEN.value,
                Task.due_on >= horizon.today,
                Task.due_on <= horizon.today + timedelta(days=UPCOMING_DAYS),
            )
            .order_by(Task.due_on, Task.id)
            .limit(LIST_LIMIT)
        )
    ).all()


def stale_pairings(user: User, *, now: datetime, days: int) -> list[StalePairing]:
    """Open pairings `user` owns with no move, edit or contact (meeting, visit, call, letter)
    in the last `days` days, the longest-quiet first."""
    cutoff = now - timedelta(days=days)
    # Each candidate's last contact is looked up once, in its own index entries, rather than
    # every activity of every pairing the user owns grouped first. MATERIALIZED keeps the
    # databases from folding the lookup into the outer statement, where SQLite ran it once for
    # each place that names it.
    last_contact = (
        select(func.max(Activity.occurred_at))
        .where(
            Activity.partnership_id == Partnership.id,
            Activity.kind.in_([kind.value for kind in CONTACT_KINDS]),
        )
        .correlate(Partnership)
        .scalar_subquery()
    )
    candidates = (
        access.visible_partnerships(user)
        .with_only_columns(
            Partnership.id.label("id"),
            Partnership.last_activity_at.label("last_activity_at"),
            last_contact.label("last_contact_at"),
        )
        .where(
            Partnership.owner_id == user.id,
            Partnership.status == Status.OPEN.value,
            # A signed pairing is being implemented, not pushed: quiet is fine there.
            Partnership.stage_id
            != select(Stage.id).where(Stage.key == SIGNED_STAGE_KEY).scalar_subquery(),
            Partnership.last_activity_at < cutoff,
        )
        .cte("quiet_candidates")
        .prefix_with("MATERIALIZED")
    )
    # The quietest are picked from the candidates alone, and only they are read with what a
    # row shows: joining the places, stage and owner of every candidate (700 for the bench
    # user) before keeping 20 was half of the statement's time on PostgreSQL (10 → 4 ms).
    quiet_since = func.coalesce(candidates.c.last_contact_at, candidates.c.last_activity_at)
    quietest = (
        select(
            candidates.c.id,
            candidates.c.last_contact_at,
            quiet_since.label("quiet_since"),
        )
        .where(
            or_(
                candidates.c.last_contact_at.is_(None),
                candidates.c.last_contact_at < cutoff,
            )
        )
        .order_by(quiet_since, candidates.c.id)
        .limit(LIST_LIMIT)
        .subquery("quietest")
    )
    rows = session.execute(
        partnership_queries.with_card_details(
            select(Partnership, quietest.c.last_contact_at)
            .join(quietest, quietest.c.id == Partnership.id)
            .order_by(quietest.c.quiet_since, Partnership.id)
        )
    ).all()
    return [StalePairing(partnership, last) for partnership, last in rows]


def pipeline_counts(user: User, stages: Sequence[Stage]) -> list[StageCount]:
    totals = partnership_queries.counts_per_stage(
        access.visible_partnerships(user).where(Partnership.status == Status.OPEN.value), stages
    )
    return [StageCount(stage, totals.get(stage.id, 0)) for stage in stages]


def my_open_task_count(user: User) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(
                visible_tasks(user)
                .where(Task.assignee_id == user.id, Task.status == TaskStatus.OPEN.value)
                .subquery()
            )
        )
        or 0
    )
