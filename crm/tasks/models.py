from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    Connection,
    ForeignKey,
    Index,
    String,
    Text,
    delete,
    event,
    insert,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm.attributes import get_history

from crm.auth.models import User
from crm.db import Base, utcnow
from crm.partnerships.models import Partnership
from crm.text_search import fold, words_of

if TYPE_CHECKING:
    from crm.activities.models import Activity


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"


class Priority(enum.StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"

    @property
    def label(self) -> str:
        return str(PRIORITY_LABELS[self])


PRIORITY_LABELS = {
    Priority.LOW: _l("Low"),
    Priority.NORMAL: _l("Normal"),
    Priority.HIGH: _l("High"),
}


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (
        # A task is open exactly when it has no completion time: the weekly report counts the
        # overdue tasks by one (the index of open tasks) and the tasks done in a week by the
        # other, and the two must agree.
        CheckConstraint(
            "(status = 'open' AND completed_at IS NULL)"
            " OR (status = 'done' AND completed_at IS NOT NULL)",
            name="completion_matches_status",
        ),
        # My tasks and the dashboard: one user's open tasks by due date, counted and paged from
        # the index alone (the pairing is there for the visibility check); and the weekly
        # report's overdue tasks counted per assignee from it alone, in its order (one range
        # per assignee), which needs their creation.
        Index(
            "ix_tasks_assignee_status_due_pairing",
            "assignee_id",
            "status",
            "due_on",
            "id",
            "partnership_id",
            "created_at",
        ),
        Index("ix_tasks_partnership_status_due", "partnership_id", "status", "due_on"),
        # My tasks' "recently completed".
        Index("ix_tasks_assignee_status_completed", "assignee_id", "status", "completed_at"),
        # The weekly report: the tasks completed in a week (only done ones have a date), listed
        # in order and counted from the index alone, and those done since a week ended counted
        # as overdue then by what they say of themselves ...
        Index(
            "ix_tasks_completed",
            "completed_at",
            "id",
            "partnership_id",
            "due_on",
            "created_at",
            "assignee_id",
            sqlite_where=text("completed_at IS NOT NULL"),
            postgresql_where=text("completed_at IS NOT NULL"),
        ),
        # ... and those due by a day and still open at a moment, in the order they are listed,
        # counted from the index alone.
        Index(
            "ix_tasks_due_open_at",
            "due_on",
            "id",
            "created_at",
            "completed_at",
            "partnership_id",
            "assignee_id",
        ),
        # ... and the open ones alone, due by a day, from the index alone (the weekly report's
        # overdue tasks: 170,000 of the 420,000 due by then; PostgreSQL counts them per assignee
        # from here, SQLite from the assignee's index above). `status`
        # rather than `completed_at` marks them (a task is open exactly when it has no
        # completion time): SQLite reads "completed_at IS NULL" as one rare value and would skip
        # through (assignee_id, status, completed_at) instead, 600 ms. `status` is in the
        # columns for SQLite, which does not take its value from the condition.
        Index(
            "ix_tasks_open_due",
            "due_on",
            "created_at",
            "partnership_id",
            "assignee_id",
            "status",
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    title_folded: Mapped[str] = mapped_column(Text, default="", index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_on: Mapped[date | None]
    priority: Mapped[str] = mapped_column(String(10), default=Priority.NORMAL.value)
    status: Mapped[str] = mapped_column(String(10), default=TaskStatus.OPEN.value)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    completed_at: Mapped[datetime | None]
    # The meeting or call the task came out of, if it was created as its follow-up.
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("activities.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    partnership: Mapped[Partnership] = relationship()
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    completed_by: Mapped[User | None] = relationship(foreign_keys=[completed_by_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    activity: Mapped[Activity | None] = relationship(back_populates="follow_ups")

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_done(self) -> bool:
        return self.status == TaskStatus.DONE

    @property
    def priority_label(self) -> str:
        return Priority(self.priority).label

    def is_overdue(self, today: date) -> bool:
        return not self.is_done and self.due_on is not None and self.due_on < today

    def __repr__(self) -> str:
        return f"<Task {self.id} {self.title!r}>"


# Words compare by code point on both databases: SQLite's default collation does, and on
# PostgreSQL "C" does whatever the database's own collation, so a prefix is one range of the index.
WORD_TYPE = Text().with_variant(Text(collation="C"), "postgresql")


class TaskWord(Base):
    """One word of a task's folded title. The header search finds a task by the beginning of
    each word typed (one range of `ix_task_words_word`) instead of reading every title for a
    substring; the rows are written with the task's own (`_index_title_words`)."""

    __tablename__ = "task_words"
    __table_args__ = (
        Index("ix_task_words_word", "word", "task_id"),
        # The rows are their key: on SQLite no rowid table beside it.
        {"sqlite_with_rowid": False},
    )

    task_id: Mapped[int] = mapped_column(
        ForeignKey("tasks.id", ondelete="CASCADE"), primary_key=True
    )
    word: Mapped[str] = mapped_column(WORD_TYPE, primary_key=True)


@event.listens_for(Task, "before_insert")
@event.listens_for(Task, "before_update")
def _refresh_folded_title(mapper: object, connection: object, task: Task) -> None:
    task.title_folded = fold(task.title)


@event.listens_for(Task, "after_insert")
@event.listens_for(Task, "after_update")
def _index_title_words(mapper: object, connection: Connection, task: Task) -> None:
    """Keep the task's words in step with its title, in the flush that writes the title, so
    that every writer of tasks (services, API, import, demo) keeps them; a deleted task's words
    go with it (ON DELETE CASCADE)."""
    if task.id is None or not get_history(task, "title").has_changes():
        return
    words = TaskWord.__table__
    connection.execute(delete(words).where(words.c.task_id == task.id))
    rows = [{"task_id": task.id, "word": word} for word in words_of(task.title_folded)]
    if rows:
        connection.execute(insert(words), rows)
