"""weekly report subscription on the user: users.weekly_report_since for report_subscriptions

Revision ID: c7a9e3b6f812
Revises: b5e2f8c1d374
Create Date: 2026-12-03 09:10:00+00:00

A subscription was a table of one row per subscriber holding a date: the user's preference, like
their language, kept apart. On the user, the report's page knows it without a query of its own.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "c7a9e3b6f812"
down_revision = "b5e2f8c1d374"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("weekly_report_since", sa.DateTime(), nullable=True))
    op.execute(
        "UPDATE users SET weekly_report_since = (SELECT subscribed_at FROM report_subscriptions "
        "WHERE report_subscriptions.user_id = users.id)"
    )
    op.drop_table("report_subscriptions")


def downgrade() -> None:
    op.create_table(
        "report_subscriptions",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("subscribed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_report_subscriptions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_report_subscriptions")),
    )
    op.execute(
        "INSERT INTO report_subscriptions (user_id, subscribed_at) "
        "SELECT id, weekly_report_since FROM users WHERE weekly_report_since IS NOT NULL"
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("weekly_report_since")
