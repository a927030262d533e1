"""The task rows of My tasks and of a pairing's task panel, written in Python.

My tasks shows up to 60 rows. As a Jinja include a row cost some 0.5 ms: each include copies the
page's context, and each row worked out again what is the same for the whole page (its labels,
the CSRF token, the reader's rights, the address to come back to, the links' shape). Here
`TaskRows` works that out once per page and each row is a few f-strings whose every value goes
through `escape`, as the board's cards are (`crm/partnerships/cards.py`).
"""

from __future__ import annotations

from datetime import date

from flask import request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from crm import access
from crm.i18n.messages import gettext, pgettext
from crm.navigation import next_path
from crm.presentation import long_date, time_tag
from crm.routing import LinkById
from crm.tasks.models import Priority, Task

NOTHING = Markup("")


def due_label(task: Task, today: date) -> Markup:
    """When the task is due, flagged when that has passed: on task rows and on the dashboard."""
    # Each text is translated outside the f-string: Babel does not extract from within one.
    if task.due_on is None:
        text = escape(gettext("No due date"))
        return Markup(f'<span class="due none">{text}</span>')  # noqa: S704 (escaped)
    if task.is_overdue(today):
        text = escape(gettext("Overdue: due %(date)s", date=long_date(task.due_on)))
        return Markup(  # noqa: S704 (every value goes through escape)
            f'<span class="due overdue"><span aria-hidden="true">⚠</span> {text}</span>'
        )
    if task.due_on == today:
        text = escape(gettext("Due today"))
        return Markup(f'<span class="due today">{text}</span>')  # noqa: S704 (escaped)
    text = escape(gettext("Due %(date)s", date=long_date(task.due_on)))
    return Markup(f'<span class="due">{text}</span>')  # noqa: S704 (escaped)


class TaskRows:
    """Writes the task rows of one page, or the one row sent back after a change.

    `row_context` ("mine" or "pairing") is sent with a row's forms, so that the server answers
    with the row as that page shows it; "mine" rows also name their pairing.
    """

    def __init__(self, *, today: date, row_context: str) -> None:
        reader = current_user._get_current_object()
        self._today = today
        self._reader = reader
        self._show_pairing = row_context == "mine"
        self._can_edit = access.can_edit_pipeline(reader)
        back = request.full_path if request.method == "GET" else next_path()
        self._form_fields = Markup(  # noqa: S704 (every value goes through escape)
            f'<input type="hidden" name="csrf_token" value="{escape(generate_csrf())}">'
            f'<input type="hidden" name="context" value="{escape(row_context)}">'
            f'<input type="hidden" name="next" value="{escape(back)}">'
        )
        self._pairing_link = LinkById("partnerships.show", "partnership_id")
        self._complete_link = LinkById("tasks.complete", "task_id")
        self._reopen_link = LinkById("tasks.reopen", "task_id")
        self._edit_link = LinkById("tasks.edit", "task_id", next=back, context=row_context)
        self._edit_in_place_link = LinkById("tasks.edit", "task_id", context=row_context)
        self._labels = {
            key: escape(text)
            for key, text in (
                ("done", pgettext("task status", "Done")),
                ("high", gettext("High priority")),
                ("unassigned", gettext("Unassigned")),
                ("reopen", gettext("Reopen")),
                ("complete", gettext("Complete")),
                ("edit", gettext("Edit")),
            )
        }
        self._completed_by = gettext("Completed by %(name)s, %(when)s")

    def __call__(self, task: Task, message: str | None = None) -> Markup:
        labels = self._labels
        if task.is_done:
            state_class = " task-done"
            state = f'<span aria-hidden="true">✓</span> {labels["done"]}'
        else:
            state_class = " task-overdue" if task.is_overdue(self._today) else ""
            state = ""
        badge = (
            f' <span class="badge badge-high">{labels["high"]}</span>'
            if task.priority == Priority.HIGH
            else ""
        )
        pairing = ""
        if self._show_pairing:
            link = escape(self._pairing_link(task.partnership_id))
            pairing = (
                f' <span class="task-pairing">· <a href="{link}#tasks">'
                f"{escape(task.partnership.title)}</a></span>"
            )
        description = (
            f'<p class="task-description">{escape(task.description)}</p>'
            if task.description
            else ""
        )
        status = f'<p class="task-message" role="status">{escape(message)}</p>' if message else ""
        return Markup(  # noqa: S704 (every value goes through escape)
            f'<li class="task{state_class}" id="task-{task.id}">'
            f'<div class="task-main"><span class="task-state">{state}</span> '
            f'<span class="task-title">{escape(task.title)}</span>{badge}{pairing}</div>'
            f'<p class="task-meta">{self._meta(task)}</p>'
            f"{description}{self._actions(task)}{status}</li>"
        )

    def _meta(self, task: Task) -> Markup:
        if task.is_done:
            name = task.completed_by.name if task.completed_by else "—"
            return escape(self._completed_by) % {"name": name, "when": time_tag(task.completed_at)}
        assignee = escape(task.assignee.name) if task.assignee else self._labels["unassigned"]
        return Markup(f"{due_label(task, self._today)} · {assignee}")  # noqa: S704 (escaped)

    def _actions(self, task: Task) -> Markup | str:
        completable = access.may_complete_task(self._reader, task.assignee_id)
        editable = self._can_edit and not task.is_done
        if not (completable or editable):
            return ""
        title = escape(task.title)
        parts = []
        if completable:
            link, label = (
                (self._reopen_link, self._labels["reopen"])
                if task.is_done
                else (self._complete_link, self._labels["complete"])
            )
            url = escape(link(task.id))
            parts.append(
                f'<form method="post" action="{url}" hx-post="{url}" hx-target="#task-{task.id}"'
                f' hx-swap="outerHTML">{self._form_fields}<button type="submit"'
                f' class="button small">{label}<span class="visually-hidden"> “{title}”</span>'
                f"</button></form>"
            )
        if editable:
            parts.append(
                f'<a class="button small" href="{escape(self._edit_link(task.id))}"'
                f' hx-get="{escape(self._edit_in_place_link(task.id))}"'
                f' hx-target="#task-{task.id}" hx-swap="innerHTML">{self._labels["edit"]}'
                f'<span class="visually-hidden"> “{title}”</span></a>'
            )
        return Markup(f'<div class="task-actions">{" ".join(parts)}</div>')  # noqa: S704
