"""role versions: partnership_roles.version for optimistic locking

Revision ID: e9c3a5f1b786
Revises: d4b1e7a2c958
Create Date: 2026-12-03 12:30:00+00:00

A person's role on a pairing was removed from whatever page showed it, though a merge of people
may have moved it to another person since. The role now carries a version, which the page's
Remove button posts back; the rows there are now start at version 1.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "e9c3a5f1b786"
down_revision = "d4b1e7a2c958"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("partnership_roles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("partnership_roles", schema=None) as batch_op:
        batch_op.drop_column("version")
