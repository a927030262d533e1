"""What a pairing's page shows beyond the pipeline: its people, its tasks, one timeline.

Each piece is read in a fixed number of statements, so the page costs the same with three
tasks or three hundred.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_login import current_user

from crm.activities.timeline import last_contact_in, timeline_of
from crm.auth.models import User
from crm.contacts.queries import people_of
from crm.partnerships.models import Partnership, StageChange
from crm.tasks.dates import horizon_for
from crm.tasks.forms import TaskForm
from crm.tasks.queries import assignees_for, tasks_of


def pairing_context(
    partnership: Partnership,
    *,
    task_form: TaskForm | None = None,
    history: Sequence[StageChange] | None = None,
    users: Sequence[User] | None = None,
) -> dict[str, Any]:
    """`users`: the active users, when the page has read them already."""
    if task_form is None:
        task_form = TaskForm(formdata=None)
        task_form.fill_choices(assignees_for(partnership, users=users))
    today = horizon_for(current_user).today
    tasks = tasks_of(partnership)
    timeline = timeline_of(partnership, history=history, tasks=tasks)
    return {
        "people": people_of(partnership),
        "tasks": tasks,
        "overdue_count": sum(1 for task in tasks if task.is_overdue(today)),
        "task_form": task_form,
        "timeline": timeline,
        "last_contact": last_contact_in(timeline),
        "today": today,
    }
