"""open task index: the weekly report counts the overdue tasks per person from the open ones

Revision ID: e6a3c9d1f258
Revises: c4f1a8e6d273
Create Date: 2026-12-02 12:30:00+00:00

The weekly report counts, per assignee, the tasks due by the week's Sunday and open at its end.
It read every task due by then from (due_on, ...), done ones included (420,000 at 100,000
pairings, for 175,000 counted). A partial index over the open tasks, (due_on, created_at,
partnership_id, assignee_id, status) where the status is open, holds only what it counts; the
few done since the week are read from the index of completed tasks.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "e6a3c9d1f258"
down_revision = "c4f1a8e6d273"
branch_labels = None
depends_on = None

OPEN = sa.text("status = 'open'")


def upgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tasks_open_due",
            ["due_on", "created_at", "partnership_id", "assignee_id", "status"],
            unique=False,
            sqlite_where=OPEN,
            postgresql_where=OPEN,
        )
    op.execute("ANALYZE tasks")


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_open_due")
