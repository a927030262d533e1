"""visible recent covering: the list's default sort read from its index alone on SQLite

Revision ID: f3b7d5e2a914
Revises: e6a3c9d1f258
Create Date: 2026-12-02 13:00:00+00:00

The partial index over the pairings not archived by (last_activity_at, id) gains `archived_at`
as a column. SQLite does not take the column's value from the index's condition: without it,
it read each pairing's row to check that the pairing is not archived, or took the index on
`last_activity_at` over every pairing instead, and a deep page of the list (an offset of 50,000)
read 50,000 rows: 90 ms instead of 1.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "f3b7d5e2a914"
down_revision = "e6a3c9d1f258"
branch_labels = None
depends_on = None

VISIBLE = sa.text("archived_at IS NULL")


def _recreate(columns: list[str]) -> None:
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.drop_index("ix_partnerships_visible_recent")
        batch_op.create_index(
            "ix_partnerships_visible_recent",
            columns,
            unique=False,
            sqlite_where=VISIBLE,
            postgresql_where=VISIBLE,
        )
    op.execute("ANALYZE partnerships")


def upgrade() -> None:
    _recreate(["last_activity_at", "id", "archived_at"])


def downgrade() -> None:
    _recreate(["last_activity_at", "id"])
