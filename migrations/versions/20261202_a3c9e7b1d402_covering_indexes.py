"""covering indexes: a user's open tasks, an owner's quiet pairings and a pairing's last contact, from indexes alone

Revision ID: a3c9e7b1d402
Revises: d5a8e3f1c2b4
Create Date: 2026-12-02 07:30:00+00:00

The index on (assignee_id, status, due_on) gains the id and the pairing: My tasks and the
dashboard count a user's open tasks by group and page through them in (due date, id) order, and
check each task's pairing, without reading the tasks' rows. A pairing's last contact (the
dashboard's quiet pairings) is the top of (partnership_id, kind, occurred_at), and the quiet
candidates are one owner's open pairings by last activity, over the pairings not archived. The
counts per stage (board, dashboard) read their partial index without the rows once it holds
archived_at too: SQLite does not take the index's condition for the query's.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "a3c9e7b1d402"
down_revision = "d5a8e3f1c2b4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tasks_assignee_status_due_pairing",
            ["assignee_id", "status", "due_on", "id", "partnership_id"],
            unique=False,
        )
        batch_op.drop_index("ix_tasks_assignee_status_due")
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index(
            "ix_activities_partnership_kind_occurred",
            ["partnership_id", "kind", "occurred_at"],
            unique=False,
        )
    visible = sa.text("archived_at IS NULL")
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.create_index(
            "ix_partnerships_visible_owner",
            ["owner_id", "status", "last_activity_at", "stage_id"],
            unique=False,
            sqlite_where=visible,
            postgresql_where=visible,
        )
        batch_op.create_index(
            "ix_partnerships_visible_stage_counts",
            ["status", "stage_id", "archived_at"],
            unique=False,
            sqlite_where=visible,
            postgresql_where=visible,
        )
        batch_op.drop_index("ix_partnerships_visible_status_stage")
    # Statistics for the new indexes: without them SQLite's planner took it for "recently
    # completed" too, and sorted all of a user's done tasks instead of reading the top of
    # (assignee_id, status, completed_at).
    op.execute("ANALYZE tasks")
    op.execute("ANALYZE activities")
    op.execute("ANALYZE partnerships")


def downgrade() -> None:
    visible = sa.text("archived_at IS NULL")
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.create_index(
            "ix_partnerships_visible_status_stage",
            ["status", "stage_id"],
            unique=False,
            sqlite_where=visible,
            postgresql_where=visible,
        )
        batch_op.drop_index("ix_partnerships_visible_stage_counts")
        batch_op.drop_index("ix_partnerships_visible_owner")
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index("ix_activities_partnership_kind_occurred")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tasks_assignee_status_due", ["assignee_id", "status", "due_on"], unique=False
        )
        batch_op.drop_index("ix_tasks_assignee_status_due_pairing")
