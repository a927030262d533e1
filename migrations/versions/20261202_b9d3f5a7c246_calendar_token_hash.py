"""calendar token hash: the calendar feed's secret kept as its SHA-256 only

Revision ID: b9d3f5a7c246
Revises: a8c2e4f6b135
Create Date: 2026-12-02 15:30:00+00:00

`users.calendar_token` held the secret of each user's feed URL as it is; whoever read the
database could read anyone's tasks with it. `calendar_token_hash` holds its SHA-256, like an API
token's. Links already handed out keep working: each secret is hashed here. Going back cannot
recover a secret from its hash, so a downgrade turns every feed off (each user makes a new link).
"""

from __future__ import annotations

import hashlib
import logging

import sqlalchemy as sa
from alembic import op


revision = "b9d3f5a7c246"
down_revision = "a8c2e4f6b135"
branch_labels = None
depends_on = None

users = sa.table(
    "users",
    sa.column("id", sa.Integer),
    sa.column("calendar_token", sa.String),
    sa.column("calendar_token_hash", sa.String),
)


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("calendar_token_hash", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    issued = connection.execute(
        sa.select(users.c.id, users.c.calendar_token).where(users.c.calendar_token.is_not(None))
    ).all()
    for user_id, secret in issued:
        connection.execute(
            users.update()
            .where(users.c.id == user_id)
            .values(calendar_token_hash=hashlib.sha256(secret.encode()).hexdigest())
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_users_calendar_token"), type_="unique")
        batch_op.drop_column("calendar_token")
        batch_op.create_unique_constraint(
            batch_op.f("uq_users_calendar_token_hash"), ["calendar_token_hash"]
        )


def downgrade() -> None:
    turned_off = op.get_bind().scalar(
        sa.select(sa.func.count()).where(users.c.calendar_token_hash.is_not(None))
    )
    logging.getLogger("alembic.runtime.migration").warning(
        "%s calendar feed link(s) turned off: a secret cannot be recovered from its hash; "
        "each user makes a new link on their settings page",
        turned_off,
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_users_calendar_token_hash"), type_="unique")
        batch_op.drop_column("calendar_token_hash")
        batch_op.add_column(sa.Column("calendar_token", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_users_calendar_token"), ["calendar_token"]
        )
