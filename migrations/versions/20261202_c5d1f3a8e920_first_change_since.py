"""first change since: where a pairing stood at a moment, from the moment's range of its history

Revision ID: c5d1f3a8e920
Revises: b7e4d2a9c615
Create Date: 2026-12-02 11:20:00+00:00

The weekly report works out where each pairing changed since a moment stood at it from its first
change since (what that change moved it from), read off the index on `stage_changes(changed_at,
...)` in one range, instead of looking the last change before the moment up in each pairing's
history. The index gains what that reads: the status a change left, and the id that orders two
changes at the same instant.
"""

from __future__ import annotations

from alembic import op


revision = "c5d1f3a8e920"
down_revision = "b7e4d2a9c615"
branch_labels = None
depends_on = None

MOVES = ["changed_at", "partnership_id", "from_stage_id", "to_stage_id", "to_status"]


def upgrade() -> None:
    with op.batch_alter_table("stage_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_stage_changes_changed_moves")
        batch_op.create_index(
            "ix_stage_changes_changed_moves", [*MOVES, "from_status", "id"], unique=False
        )
    op.execute("ANALYZE stage_changes")


def downgrade() -> None:
    with op.batch_alter_table("stage_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_stage_changes_changed_moves")
        batch_op.create_index("ix_stage_changes_changed_moves", MOVES, unique=False)
