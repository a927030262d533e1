"""folded columns as text: a folded name may be longer than the name it folds

Revision ID: c8e1a4f7d390
Revises: b9d3f5a7c246
Create Date: 2026-12-03 00:30:00+00:00

Folding spells some letters out ("ß" is "ss", "…" is "...", "æ" is "ae"), so the folded copy of a
name of 200 characters can be longer than 200; PostgreSQL refused it with "value too long" (a
500 on saving such a name), SQLite stored it. The folded columns keep no limit of their own: the
name they copy has one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "c8e1a4f7d390"
down_revision = "b9d3f5a7c246"
branch_labels = None
depends_on = None

# (table, column, its length before)
FOLDED = (
    ("localities", "name_folded", 200),
    ("partnerships", "title_folded", 300),
    ("tasks", "title_folded", 300),
    ("organisations", "name_folded", 300),
    ("people", "name_folded", 200),
)


def upgrade() -> None:
    for table, column, length in FOLDED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column, existing_type=sa.String(length=length), type_=sa.Text()
            )


def downgrade() -> None:
    # A folded value longer than the old limit is cut to it: it only ever served searches.
    for table, column, length in FOLDED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(
                column,
                existing_type=sa.Text(),
                type_=sa.String(length=length),
                postgresql_using=f"left({column}, {length})",
            )
