"""report indexes: the weekly report's statements driven by the week, not by every pairing

Revision ID: b7e4d2a9c615
Revises: a3c9e7b1d402
Create Date: 2026-12-02 08:00:00+00:00

The weekly report reads what happened between two moments. Each of these indexes starts with the
moment's column, so a week's moves, completed tasks, due tasks and contacts are a range of one
index rather than a walk through every pairing:

- stage changes by `changed_at`, with the pairing and what changed: the week's tallies and the
  pairings moved since a moment come from the index alone (it replaces the one on `changed_at`);
- a pairing's history by (changed_at, id), with what changed: where a pairing stood at a moment
  is the top of its range, read from the index alone (it replaces (partnership_id, changed_at));
- tasks completed, by `completed_at` and id with their pairing, only those that are (the open
  ones have none): the week's are listed in order and counted from the index alone;
- tasks by due date and id, with what says whether a task was open at a moment: the overdue list
  is read in its own order and stops at its first rows, and the totals come from the index alone;
- activities by `occurred_at` and kind: the week's meetings, and the pairings contacted lately;
- the pairings not archived by (status, stage_entered_at) and by (status, localities), with what
  the stalled list and the breakdown by country pair read of them (and `archived_at`, for SQLite
  to read them from the index alone).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "b7e4d2a9c615"
down_revision = "a3c9e7b1d402"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stage_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stage_changes_changed_moves",
            ["changed_at", "partnership_id", "from_stage_id", "to_stage_id", "to_status"],
            unique=False,
        )
        batch_op.drop_index("ix_stage_changes_changed_at")
        batch_op.create_index(
            "ix_stage_changes_partnership_history",
            ["partnership_id", "changed_at", "id", "from_stage_id", "to_stage_id", "to_status"],
            unique=False,
        )
        batch_op.drop_index("ix_stage_changes_partnership_changed")
    done = sa.text("completed_at IS NOT NULL")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tasks_completed",
            ["completed_at", "id", "partnership_id"],
            unique=False,
            sqlite_where=done,
            postgresql_where=done,
        )
        batch_op.create_index(
            "ix_tasks_due_open_at",
            ["due_on", "id", "created_at", "completed_at", "partnership_id", "assignee_id"],
            unique=False,
        )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index(
            "ix_activities_occurred_kind",
            ["occurred_at", "kind", "partnership_id"],
            unique=False,
        )
    visible = sa.text("archived_at IS NULL")
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.create_index(
            "ix_partnerships_visible_stalled",
            ["status", "stage_entered_at", "stage_id", "owner_id", "archived_at"],
            unique=False,
            sqlite_where=visible,
            postgresql_where=visible,
        )
        batch_op.create_index(
            "ix_partnerships_visible_places",
            ["status", "locality_a_id", "locality_b_id", "archived_at"],
            unique=False,
            sqlite_where=visible,
            postgresql_where=visible,
        )
    # Statistics for the new indexes, so that the planners take them (see a3c9e7b1d402).
    op.execute("ANALYZE stage_changes")
    op.execute("ANALYZE tasks")
    op.execute("ANALYZE activities")
    op.execute("ANALYZE partnerships")


def downgrade() -> None:
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.drop_index("ix_partnerships_visible_places")
        batch_op.drop_index("ix_partnerships_visible_stalled")
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index("ix_activities_occurred_kind")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_tasks_due_open_at")
        batch_op.drop_index("ix_tasks_completed")
    with op.batch_alter_table("stage_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stage_changes_partnership_changed", ["partnership_id", "changed_at"], unique=False
        )
        batch_op.drop_index("ix_stage_changes_partnership_history")
        batch_op.create_index("ix_stage_changes_changed_at", ["changed_at"], unique=False)
        batch_op.drop_index("ix_stage_changes_changed_moves")
