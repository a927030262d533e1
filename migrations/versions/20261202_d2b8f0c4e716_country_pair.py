"""country pair: each pairing keeps its two countries, for the weekly report's breakdown

Revision ID: d2b8f0c4e716
Revises: c5d1f3a8e920
Create Date: 2026-12-02 11:40:00+00:00

`partnerships.country_pair` ("AT–KZ", the two localities' countries in order) is written with the
pairing and refreshed when a locality moves country. The weekly report counts the open pairings
by it from one index, (status, country_pair) over the pairings not archived, which replaces the
one on (status, locality_a_id, locality_b_id) that the count read before, looking up both
localities of each pairing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "d2b8f0c4e716"
down_revision = "c5d1f3a8e920"
branch_labels = None
depends_on = None

VISIBLE = sa.text("archived_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("country_pair", sa.String(length=5), nullable=False, server_default="")
        )
    partnerships = sa.table(
        "partnerships",
        sa.column("country_pair", sa.String),
        sa.column("locality_a_id", sa.Integer),
        sa.column("locality_b_id", sa.Integer),
    )
    localities = sa.table("localities", sa.column("id", sa.Integer), sa.column("country_code"))
    side_a, side_b = (
        sa.select(localities.c.country_code)
        .where(localities.c.id == locality_id)
        .scalar_subquery()
        for locality_id in (partnerships.c.locality_a_id, partnerships.c.locality_b_id)
    )
    op.execute(
        partnerships.update().values(
            country_pair=sa.case(
                (side_a <= side_b, side_a + "–" + side_b), else_=side_b + "–" + side_a
            )
        )
    )
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.alter_column("country_pair", server_default=None)
        batch_op.create_index(
            "ix_partnerships_visible_countries",
            ["status", "country_pair", "archived_at"],
            unique=False,
            sqlite_where=VISIBLE,
            postgresql_where=VISIBLE,
        )
        batch_op.drop_index("ix_partnerships_visible_places")
    op.execute("ANALYZE partnerships")


def downgrade() -> None:
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.create_index(
            "ix_partnerships_visible_places",
            ["status", "locality_a_id", "locality_b_id", "archived_at"],
            unique=False,
            sqlite_where=VISIBLE,
            postgresql_where=VISIBLE,
        )
        batch_op.drop_index("ix_partnerships_visible_countries")
        batch_op.drop_column("country_pair")
