"""Reading tasks: a user's tasks by when they are due, a pairing's tasks, overdue counts.

Every query starts from the pairings `crm.access` lets the user see.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from flask import abort
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from crm import access
from crm.auth.models import User
from crm.db import session
from crm.partnerships.models import Partnership
from crm.tasks.dates import Horizon
from crm.tasks.models import Task, TaskStatus


def visible_tasks(user: User) -> Select[tuple[Task]]:
    # A correlated EXISTS, not IN (every visible pairing): "my tasks" is then read by the
    # assignee's index, each task's pairing checked by primary key.
    return select(Task).where(access.is_visible_partnership(user, Task.partnership_id))


def get_visible_task_or_404(user: User, task_id: int) -> Task:
    task = session.scalar(visible_tasks(user).where(Task.id == task_id))
    if task is None:
        abort(404)
    return task


def with_details(statement: Select[tuple[Task]]) -> Select[tuple[Task]]:
    return statement.options(
        # All one-per-row relations: joined into the tasks' own statement.
        joinedload(Task.partnership).joinedload(Partnership.locality_a),
        joinedload(Task.partnership).joinedload(Partnership.locality_b),
        joinedload(Task.assignee),
        joinedload(Task.completed_by),
    )


@dataclass
class TaskBuckets:
    """One user's open tasks, sorted into the groups of the My tasks page."""

    horizon: Horizon
    overdue: list[Task] = field(default_factory=list)
    this_week: list[Task] = field(default_factory=list)
    later: list[Task] = field(default_factory=list)
    no_date: list[Task] = field(default_factory=list)
    recently_done: list[Task] = field(default_factory=list)

    @property
    def open_count(self) -> int:
        return len(self.overdue) + len(self.this_week) + len(self.later) + len(self.no_date)


def my_open_tasks(user: User, horizon: Horizon, *, limit: int = 500) -> TaskBuckets:
    """Two statements (plus eager loads) however many tasks there are."""
    tasks = session.scalars(
        with_details(
            visible_tasks(user)
            .where(Task.assignee_id == user.id, Task.status == TaskStatus.OPEN.value)
            .order_by(Task.due_on.is_(None), Task.due_on, Task.id)
            .limit(limit)
        )
    ).all()
    buckets = TaskBuckets(horizon)
    for task in tasks:
        if task.due_on is None:
            buckets.no_date.append(task)
        elif task.due_on < horizon.today:
            buckets.overdue.append(task)
        elif task.due_on <= horizon.week_end:
            buckets.this_week.append(task)
        else:
            buckets.later.append(task)
    return buckets


def recently_done(user: User, *, limit: int = 10) -> Sequence[Task]:
    return session.scalars(
        with_details(
            visible_tasks(user)
            .where(Task.assignee_id == user.id, Task.status == TaskStatus.DONE.value)
            .order_by(Task.completed_at.desc(), Task.id.desc())
            .limit(limit)
        )
    ).all()


def tasks_of(partnership: Partnership) -> list[Task]:
    """A pairing's tasks: open ones by due date first, then the done ones, newest first."""
    tasks = session.scalars(
        select(Task)
        .where(Task.partnership_id == partnership.id)
        .options(joinedload(Task.assignee), joinedload(Task.completed_by))
        .order_by(
            Task.status.desc(),
            Task.due_on.is_(None),
            Task.due_on,
            Task.completed_at.desc(),
            Task.id,
        )
    ).all()
    return list(tasks)


def overdue_counts(partnership_ids: Iterable[int], today: date) -> dict[int, int]:
    """How many open tasks are overdue on each of these pairings: one statement."""
    ids = list(partnership_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Task.partnership_id, func.count())
        .where(
            Task.partnership_id.in_(ids),
            Task.status == TaskStatus.OPEN.value,
            Task.due_on < today,
        )
        .group_by(Task.partnership_id)
    )
    return {partnership_id: count for partnership_id, count in rows}
