"""stage and sector versions: stages.version and sectors.version for optimistic locking

Revision ID: d4b1e7a2c958
Revises: d8f2a6b4c913
Create Date: 2026-12-03 12:00:00+00:00

Two admins renaming the same stage or sector at once each saved over the other unseen; like every
other record two people may edit, both now carry a version (SQLAlchemy's version_id_col), and a
form loaded before the other's save is refused. The rows there are now start at version 1.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "d4b1e7a2c958"
down_revision = "d8f2a6b4c913"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("stages", "sectors"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("version", sa.Integer(), server_default="1", nullable=False)
            )


def downgrade() -> None:
    for table in ("stages", "sectors"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("version")
