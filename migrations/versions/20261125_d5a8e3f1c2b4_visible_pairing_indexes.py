"""visible pairing indexes: partial indexes over the pairings that are not archived

Revision ID: d5a8e3f1c2b4
Revises: e2a7c9d4f613
Create Date: 2026-11-25 04:25:00+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = 'd5a8e3f1c2b4'
down_revision = "e2a7c9d4f613"
branch_labels = None
depends_on = None

VISIBLE = sa.text('archived_at IS NULL')


def upgrade() -> None:
    with op.batch_alter_table('partnerships', schema=None) as batch_op:
        batch_op.create_index(
            'ix_partnerships_visible_recent',
            ['last_activity_at', 'id'],
            unique=False,
            sqlite_where=VISIBLE,
            postgresql_where=VISIBLE,
        )
        batch_op.create_index(
            'ix_partnerships_visible_status_stage',
            ['status', 'stage_id'],
            unique=False,
            sqlite_where=VISIBLE,
            postgresql_where=VISIBLE,
        )


def downgrade() -> None:
    with op.batch_alter_table('partnerships', schema=None) as batch_op:
        batch_op.drop_index('ix_partnerships_visible_status_stage')
        batch_op.drop_index('ix_partnerships_visible_recent')
