"""weekly report deliveries

Revision ID: 1e7bb6c4992b
Revises: 584cc11a33e7
Create Date: 2026-11-25 01:06:53.310888+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '1e7bb6c4992b'
down_revision = '584cc11a33e7'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('report_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('week', sa.String(length=8), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_report_deliveries_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_deliveries')),
    sa.UniqueConstraint('week', 'user_id', name=op.f('uq_report_deliveries_week_user_id'))
    )
    op.create_table('report_subscriptions',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('subscribed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_report_subscriptions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_report_subscriptions'))
    )


def downgrade() -> None:
    op.drop_table('report_subscriptions')
    op.drop_table('report_deliveries')
