"""The task rows written in Python (`crm/tasks/rows.py`): every value escaped, the links those
`url_for` would build, and the forms only for those who may use them."""

from __future__ import annotations

import re
from datetime import date, timedelta

from flask import Flask, url_for
from flask_login import login_user

from crm.db import session
from crm.routing import LinkById
from crm.sharing.services import share
from crm.tasks.rows import TaskRows
from tests.factories import make_partnership, make_task, make_user

TODAY = date(2026, 2, 12)
NASTY = '<script>alert("x")</script> & co'


def _write(
    app: Flask, role: str, *, row_context: str, path: str = "/tasks/mine?page=2"
) -> dict[str, str]:
    """The rows of an overdue task assigned to someone else and of one assigned to the reader,
    as `role` sees them, with the links `url_for` builds for the first."""
    reader = make_user(role)
    other = make_user("officer", name='Dana <i>"S"</i>')
    pairing = make_partnership(title=NASTY)
    if role == "partner":
        share(pairing, reader, by=other)
    theirs = make_task(pairing, title=NASTY, assignee=other, due_on=TODAY - timedelta(days=1))
    theirs.description = "<b>both</b> legal services"
    mine = make_task(pairing, title="Send the list", assignee=reader, due_on=TODAY)
    session.flush()
    with app.test_request_context(path):
        login_user(reader)
        rows = TaskRows(today=TODAY, row_context=row_context)
        return {
            "theirs": str(rows(theirs)),
            "mine": str(rows(mine, message="Saved <ok>")),
            "pairing": url_for("partnerships.show", partnership_id=pairing.id),
            "complete": url_for("tasks.complete", task_id=theirs.id),
            "edit": url_for("tasks.edit", task_id=theirs.id, next=path, context=row_context),
        }


def test_a_row_escapes_every_value_and_links_like_url_for(app: Flask) -> None:
    with app.app_context():
        written = _write(app, "officer", row_context="mine")
        session.rollback()
    row = written["theirs"]
    assert "<script>" not in row and "<b>" not in row and "<i>" not in row
    assert (
        '<span class="task-title">&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; co' in row
    )
    assert "Dana &lt;i&gt;&#34;S&#34;&lt;/i&gt;" in row
    assert '<p class="task-description">&lt;b&gt;both&lt;/b&gt; legal services</p>' in row
    assert row.startswith('<li class="task task-overdue" id="task-')
    assert "Overdue: due 11 February 2026" in row
    # "mine" rows name their pairing; the forms send back where the page was.
    assert f'<a href="{written["pairing"]}#tasks">&lt;script&gt;' in row
    assert f'action="{written["complete"]}" hx-post="{written["complete"]}"' in row
    assert written["edit"].endswith("?next=/tasks/mine?page%3D2&context=mine")
    assert f'href="{written["edit"].replace("&", "&amp;")}"' in row
    assert re.search(r'name="csrf_token" value="[^"]+"', row)
    assert '<input type="hidden" name="next" value="/tasks/mine?page=2">' in row
    assert '<p class="task-message" role="status">Saved &lt;ok&gt;</p>' in written["mine"]
    assert "Due today" in written["mine"]


def test_a_pairing_rows_do_not_name_the_pairing(app: Flask) -> None:
    with app.app_context():
        written = _write(app, "officer", row_context="pairing", path="/partnerships/1")
        session.rollback()
    assert "task-pairing" not in written["theirs"]
    assert '<input type="hidden" name="context" value="pairing">' in written["theirs"]


def test_a_partner_completes_only_their_own_task_and_edits_none(app: Flask) -> None:
    with app.app_context():
        written = _write(app, "partner", row_context="mine")
        session.rollback()
    assert "task-actions" not in written["theirs"]
    assert "<form" in written["mine"] and ">Edit<" not in written["mine"]


def test_a_done_task_says_who_completed_it_and_offers_to_reopen(app: Flask) -> None:
    with app.app_context():
        reader = make_user("officer", name="Dana")
        task = make_task(make_partnership(), title="Draft", assignee=reader)
        task.status, task.completed_by = "done", reader
        task.completed_at = task.created_at
        session.flush()
        with app.test_request_context("/tasks/mine"):
            login_user(reader)
            row = str(TaskRows(today=TODAY, row_context="mine")(task))
            reopen = url_for("tasks.reopen", task_id=task.id)
        session.rollback()
    assert row.startswith('<li class="task task-done"')
    assert "Completed by Dana, <time " in row
    assert f'action="{reopen}"' in row and ">Edit<" not in row


def test_a_link_by_id_with_arguments_is_url_for(app: Flask) -> None:
    with app.test_request_context():
        edit = LinkById("tasks.edit", "task_id", next="/tasks/mine?page=2", context="mine")
        for task_id in (1, 42, 10**12):
            assert edit(task_id) == url_for(
                "tasks.edit", task_id=task_id, next="/tasks/mine?page=2", context="mine"
            )
