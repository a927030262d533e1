"""sector count indexes: the board's counts per stage for one sector from indexes alone

Revision ID: c4f1a8e6d273
Revises: d2b8f0c4e716
Create Date: 2026-12-02 11:00:00+00:00

The board filtered by a sector counts the sector's visible open pairings per stage (20,000 of
100,000 in the benchmark). It read each of them twice: the sector's index entry led to the
pairing-sector row, and that to the pairing's row. Now:

- a sector's pairings are one range of (sector_id, partnership_id), read from the index alone
  (it replaces the index on sector_id, which it serves as well);
- a visible pairing's status and stage are in (id, status, stage_id, archived_at) over the
  pairings not archived: SQLite looks each of the sector's pairings up there, PostgreSQL reads
  it whole (an index-only scan) and matches it to the sector's list by hash. `archived_at` is
  there for SQLite, which does not take its value from the index's condition.

Measured on the counts alone: 25 → 10 ms on SQLite, 27 → 11 ms on PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "c4f1a8e6d273"
down_revision = "d2b8f0c4e716"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("partnership_sectors", schema=None) as batch_op:
        batch_op.create_index(
            "ix_partnership_sectors_sector_pairing", ["sector_id", "partnership_id"], unique=False
        )
        batch_op.drop_index("ix_partnership_sectors_sector_id")
    visible = sa.text("archived_at IS NULL")
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.create_index(
            "ix_partnerships_visible_id_stage",
            ["id", "status", "stage_id", "archived_at"],
            unique=False,
            sqlite_where=visible,
            postgresql_where=visible,
        )
    # Statistics for the new indexes, so that the planners take them (see a3c9e7b1d402).
    op.execute("ANALYZE partnership_sectors")
    op.execute("ANALYZE partnerships")


def downgrade() -> None:
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.drop_index("ix_partnerships_visible_id_stage")
    with op.batch_alter_table("partnership_sectors", schema=None) as batch_op:
        batch_op.create_index("ix_partnership_sectors_sector_id", ["sector_id"], unique=False)
        batch_op.drop_index("ix_partnership_sectors_sector_pairing")
