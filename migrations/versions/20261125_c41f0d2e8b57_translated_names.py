"""translated names: stages and sectors per language, localities in other languages and scripts

Revision ID: c41f0d2e8b57
Revises: b7d2e41a9c30
Create Date: 2026-11-25 04:20:00.000000+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c41f0d2e8b57"
down_revision = "b7d2e41a9c30"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("stages", "sectors"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("name_translations", sa.JSON(), server_default="{}", nullable=False)
            )
    with op.batch_alter_table("localities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("other_names", sa.JSON(), server_default="{}", nullable=False))
        # Every name in every script, folded, no longer fits a short column.
        batch_op.alter_column(
            "search_folded", existing_type=sa.String(length=1000), type_=sa.Text()
        )


def downgrade() -> None:
    with op.batch_alter_table("localities", schema=None) as batch_op:
        batch_op.alter_column(
            "search_folded", existing_type=sa.Text(), type_=sa.String(length=1000)
        )
        batch_op.drop_column("other_names")
    for table in ("sectors", "stages"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("name_translations")
