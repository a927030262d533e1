"""overdue by assignee, covering: the assignee's and the completed tasks' indexes carry what it tests

Revision ID: c5d8e1f3a627
Revises: a7c4e2f9d815
Create Date: 2026-12-04 04:55:00+00:00

The weekly report counts the tasks overdue at the end of a week per assignee: some 165,000 open
tasks at 100,000 pairings, and those done since the week ended. SQLite read the open ones from
the index of open tasks by due date and sorted them by assignee (270 ms); with `created_at` in
(assignee_id, status, due_on, id, partnership_id) it reads them from that index alone, already
in assignee order, one range per assignee (115 ms). The tasks done since the week ended were
looked up row by row from (completed_at, id, partnership_id) to test their due date, creation
and assignee; the index now carries those too.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "c5d8e1f3a627"
down_revision = "a7c4e2f9d815"
branch_labels = None
depends_on = None

COMPLETED = sa.text("completed_at IS NOT NULL")


def _recreate(assignee_columns: list[str], completed_columns: list[str]) -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_assignee_status_due_pairing")
        batch_op.create_index(
            "ix_tasks_assignee_status_due_pairing", assignee_columns, unique=False
        )
        batch_op.drop_index("ix_tasks_completed")
        batch_op.create_index(
            "ix_tasks_completed",
            completed_columns,
            unique=False,
            sqlite_where=COMPLETED,
            postgresql_where=COMPLETED,
        )
    op.execute("ANALYZE tasks")


def upgrade() -> None:
    _recreate(
        ["assignee_id", "status", "due_on", "id", "partnership_id", "created_at"],
        ["completed_at", "id", "partnership_id", "due_on", "created_at", "assignee_id"],
    )


def downgrade() -> None:
    _recreate(
        ["assignee_id", "status", "due_on", "id", "partnership_id"],
        ["completed_at", "id", "partnership_id"],
    )
