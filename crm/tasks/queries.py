"""Reading tasks: a user's tasks by when they are due, a pairing's tasks, overdue counts.

Every query starts from the pairings `crm.access` lets the user see.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from flask import abort
from sqlalchemy import Select, func, select, union_all
from sqlalchemy.orm import joinedload

from crm import access
from crm.auth.models import User
from crm.auth.services import active_users
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


GROUPS = ("overdue", "this_week", "later", "no_date")  # in the order the page lists them


@dataclass
class TaskBuckets:
    """One page of a user's open tasks, sorted into the groups of the My tasks page, with each
    group's total over every page."""

    horizon: Horizon
    overdue: list[Task] = field(default_factory=list)
    this_week: list[Task] = field(default_factory=list)
    later: list[Task] = field(default_factory=list)
    no_date: list[Task] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(GROUPS, 0))
    page: int = 1
    per_page: int = 0

    @property
    def open_count(self) -> int:
        return sum(self.totals.values())

    @property
    def last_page(self) -> int:
        return max(1, -(-self.open_count // self.per_page)) if self.per_page else 1

    def page_of_group(self, group: str) -> int:
        """The page on which `group` starts: the groups follow one another in due order."""
        before = sum(self.totals[name] for name in GROUPS[: GROUPS.index(group)])
        return before // self.per_page + 1 if self.per_page else 1

    def add(self, task: Task) -> None:
        getattr(self, group_of(task, self.horizon)).append(task)


def group_of(task: Task, horizon: Horizon) -> str:
    if task.due_on is None:
        return "no_date"
    if task.due_on < horizon.today:
        return "overdue"
    if task.due_on <= horizon.week_end:
        return "this_week"
    return "later"


def my_open_tasks(
    user: User, horizon: Horizon, *, page: int = 1, per_page: int = 50
) -> TaskBuckets:
    """Page `page` of `user`'s open tasks, most urgent first, and how many each group holds.

    Two statements however many tasks there are: the groups' totals, and the page. Its dated and
    undated tasks are picked apart, so that each comes in the order of the assignee's index
    (due date, id) rather than all of them sorted first: NULLs sort first on SQLite and last on
    PostgreSQL, and no index order puts them last on both.
    """
    mine = visible_tasks(user).where(
        Task.assignee_id == user.id, Task.status == TaskStatus.OPEN.value
    )
    today, week_end = horizon.today, horizon.week_end
    overdue, this_week, later, no_date = session.execute(
        mine.with_only_columns(
            func.count().filter(Task.due_on < today),
            func.count().filter(Task.due_on >= today, Task.due_on <= week_end),
            func.count().filter(Task.due_on > week_end),
            func.count().filter(Task.due_on.is_(None)),
        )
    ).one()
    buckets = TaskBuckets(
        horizon,
        totals={"overdue": overdue, "this_week": this_week, "later": later, "no_date": no_date},
        per_page=per_page,
    )
    buckets.page = min(max(page, 1), buckets.last_page)
    offset = (buckets.page - 1) * per_page
    dated_total = overdue + this_week + later
    dated_on_page = max(0, min(per_page, dated_total - offset))
    # The page's ids: its dated tasks, then as many undated ones as it has room for. Each part
    # is the top of the assignee's index in its own order; an unneeded part asks for none.
    dated = (
        mine.where(Task.due_on.is_not(None))
        .with_only_columns(Task.id)
        .order_by(Task.due_on, Task.id)
        .offset(offset)
        .limit(dated_on_page)
    )
    undated = (
        mine.where(Task.due_on.is_(None))
        .with_only_columns(Task.id)
        .order_by(Task.id)
        .offset(max(0, offset - dated_total))
        .limit(per_page - dated_on_page)
    )
    page_ids = union_all(dated.subquery().select(), undated.subquery().select())
    tasks = session.scalars(
        with_details(select(Task).where(Task.id.in_(page_ids))).order_by(
            Task.due_on.is_(None), Task.due_on, Task.id
        )
    )
    for task in tasks:
        buckets.add(task)
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


def assignees_for(
    partnership: Partnership, *, users: Sequence[User] | None = None, keeping: User | None = None
) -> list[User]:
    """Whom a task on `partnership` may be given to: the active users who would see it and may
    complete it (`users`: the active users, when already read), and `keeping`, the one it is
    given to now, so that an edit can leave it with them."""
    return [
        user
        for user in (active_users() if users is None else users)
        if access.may_be_assigned(user, partnership) or user == keeping
    ]
