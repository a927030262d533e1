"""Reading tasks: a user's tasks by when they are due, a pairing's tasks, overdue counts.

Every query starts from the pairings `crm.access` lets the user see.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from flask import abort
from sqlalchemy import ColumnElement, Select, exists, func, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from crm import access
from crm.auth.models import User
from crm.auth.services import active_users
from crm.db import session
from crm.partnerships.models import Partnership
from crm.tasks.dates import Horizon
from crm.tasks.models import Task, TaskStatus, TaskWord
from crm.text_search import prefix_range, prefix_words


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


# How many tasks a word (or a user's visible tasks) may hold for the search to start from them.
SEARCH_DRIVE_LIMIT = 2000
# The search's order: open ones first, by due date, undated ones last; then the done ones.
SEARCH_ORDER = (Task.status.desc(), Task.due_on.is_(None), Task.due_on, Task.id)


def search(user: User, q: str, *, limit: int) -> Sequence[Task]:
    """The first `limit` tasks `user` may see whose title has a word beginning with each word of
    `q` (`prefix_words`), in `SEARCH_ORDER`. Two statements whatever the words and the register.

    The first counts, up to `SEARCH_DRIVE_LIMIT`, the tasks holding each word and, unless `user`
    sees every pairing, the tasks of the pairings they see (a partner's few). Where one of them is
    that small, the second reads those tasks alone (an index range) and checks the rest; where
    all are larger (common words, for someone who sees every pairing), a match is common too, and
    the second walks the tasks in the search's order, checking each task's words, until it has
    `limit` (the pairing is loaded with them; the page shows its title).
    """
    ranges = [prefix_range(word) for word in prefix_words(q)]
    if not ranges:
        return []

    def holding(low: str, high: str) -> Select[tuple[int]]:
        return select(TaskWord.task_id).where(TaskWord.word >= low, TaskWord.word < high)

    def has_word(low: str, high: str) -> ColumnElement[bool]:
        return exists().where(
            TaskWord.task_id == Task.id, TaskWord.word >= low, TaskWord.word < high
        )

    starts = [holding(*bounds) for bounds in ranges]
    if not access.sees_every_pairing(user):  # (for those who do: every task, never the shortest)
        starts.append(
            select(Task.id).where(Task.partnership_id.in_(access.visible_partnership_ids(user)))
        )
    counts = session.execute(
        select(
            *(
                select(func.count())
                .select_from(start.limit(SEARCH_DRIVE_LIMIT + 1).subquery())
                .scalar_subquery()
                for start in starts
            )
        )
    ).one()
    smallest = min(range(len(starts)), key=lambda index: counts[index])
    every_word = [has_word(*bounds) for bounds in ranges]
    if counts[smallest] <= SEARCH_DRIVE_LIMIT:
        checks = [check for index, check in enumerate(every_word) if index != smallest]
        statement = visible_tasks(user).where(Task.id.in_(starts[smallest]), *checks)
    else:
        statement = select(Task).where(Task.id.in_(_first_in_order(user, every_word, limit)))
    return session.scalars(
        statement.options(selectinload(Task.partnership)).order_by(*SEARCH_ORDER).limit(limit)
    ).all()


def _first_in_order(
    user: User, checks: list[ColumnElement[bool]], limit: int
) -> Select[tuple[int]]:
    """The ids of the first `limit` visible tasks passing `checks` in each of the four parts of
    `SEARCH_ORDER` (open or done, dated or not), each read in order from `ix_tasks_due_open_at`
    (due_on, id, ..., completed_at, partnership_id): a task is open exactly when it has no
    completion time, so the index alone says which part a task is in."""
    parts = []
    # Through coalesce(): a bare test of completed_at lets SQLite skip-scan the assignee index
    # (assignee, status, completed_at) for it instead, read every open task and sort them all.
    completed_at = func.coalesce(Task.completed_at, None)
    for done in (False, True):
        state = completed_at.is_not(None) if done else completed_at.is_(None)
        for due in (Task.due_on.is_not(None), Task.due_on.is_(None)):
            part = (
                visible_tasks(user)
                .with_only_columns(Task.id)
                .where(state, due, *checks)
                # By due date too where there is none: PostgreSQL does not take "IS NULL" as
                # fixing the index's first column, and would sort the undated ones by id.
                .order_by(Task.due_on, Task.id)
                .limit(limit)
            )
            parts.append(part.subquery().select())
    return union_all(*parts)
