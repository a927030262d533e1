"""The rules of tasks. Services change and flush; the caller commits once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import format_decimal, gettext, ngettext

from crm import access
from crm.auth.models import User
from crm.date_span import require_within_span
from crm.db import session, utcnow
from crm.errors import DomainError, check_version, title_too_long
from crm.partnerships.models import Partnership
from crm.tasks.models import Priority, Task, TaskStatus

TITLE_MAX_LENGTH = 300
DESCRIPTION_MAX_LENGTH = 10_000


class TaskStateError(DomainError):
    status_code = 409


@dataclass(frozen=True)
class TaskData:
    title: str
    description: str = ""
    assignee_id: int | None = None
    due_on: date | None = None
    priority: str = Priority.NORMAL.value


def create_task(
    partnership: Partnership,
    data: TaskData,
    *,
    by: User,
    activity_id: int | None = None,
    at: datetime | None = None,
) -> Task:
    task = Task(partnership=partnership, created_by=by, status=TaskStatus.OPEN.value)
    task.activity_id = activity_id
    if at is not None:
        task.created_at = at
    _apply(task, data)
    session.add(task)
    session.flush()
    return task


def update_task(task: Task, data: TaskData, *, expected_version: int) -> None:
    check_version(task.version, expected_version)
    _apply(task, data)
    session.flush()


def complete_task(task: Task, *, by: User, at: datetime | None = None) -> None:
    if task.is_done:
        raise TaskStateError(
            gettext(
                "“%(title)s” was already completed by %(name)s.",
                title=task.title,
                name=task.completed_by.name,
            )
            if task.completed_by
            else gettext("“%(title)s” was already completed by someone.", title=task.title)
        )
    task.status = TaskStatus.DONE.value
    task.completed_by = by
    task.completed_at = at or utcnow()
    session.flush()


def reopen_task(task: Task) -> None:
    if not task.is_done:
        raise TaskStateError(gettext("“%(title)s” is already open.", title=task.title))
    task.status = TaskStatus.OPEN.value
    task.completed_by = None
    task.completed_at = None
    session.flush()


def _apply(task: Task, data: TaskData) -> None:
    title = " ".join(data.title.split())
    if not title:
        raise DomainError(gettext("Give the task a title."), field="title")
    if len(title) > TITLE_MAX_LENGTH:
        raise DomainError(
            title_too_long(TITLE_MAX_LENGTH),
            field="title",
        )
    if len(data.description) > DESCRIPTION_MAX_LENGTH:
        raise DomainError(
            ngettext(
                "A description can be at most %(num)s character.",
                "A description can be at most %(num)s characters.",
                DESCRIPTION_MAX_LENGTH,
                num=format_decimal(DESCRIPTION_MAX_LENGTH),
            ),
            field="description",
        )
    if data.priority not in {priority.value for priority in Priority}:
        raise DomainError(gettext("Choose a priority from the list."), field="priority")
    assignee = None
    if data.assignee_id:
        assignee = session.get(User, data.assignee_id)
        if assignee is None or not assignee.is_active:
            raise DomainError(
                gettext("Assign the task to an active user, or to nobody."), field="assignee_id"
            )
        # Checked when the task changes hands only: a partner unshared since keeps what they
        # had, and the task can still be edited.
        if assignee.id != task.assignee_id and not access.may_be_assigned(
            assignee, task.partnership
        ):
            raise DomainError(
                gettext(
                    "%(name)s could not see or complete this task: assign it to a colleague, or "
                    "to a partner this pairing is shared with.",
                    name=assignee.name,
                ),
                field="assignee_id",
            )
    # The calendar feed ends an all-day event the day after: 9999-12-31 would overflow there.
    require_within_span(data.due_on, field="due_on")
    task.title = title
    task.description = data.description.strip()
    task.assignee = assignee
    task.due_on = data.due_on
    task.priority = data.priority
