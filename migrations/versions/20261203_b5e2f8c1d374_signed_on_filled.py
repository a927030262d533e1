"""signed_on_filled: whether reaching *signed* filled a pairing's signing date in

Revision ID: b5e2f8c1d374
Revises: a1d4c7e9b250
Create Date: 2026-12-03 09:00:00+00:00

Moving back from *signed* takes back the signing date that reaching it filled in, and keeps one
typed or imported. That was told apart by the date alone (the day of the signing move where its
mover was), so a date typed as that very day was taken back too. The pairing now says which.

The pairings at *signed* now are marked as before the change would have read them: a date on
the day they reached *signed* (in UTC, the deployment's zone being unknown here) was filled in.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "b5e2f8c1d374"
down_revision = "a1d4c7e9b250"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("signed_on_filled", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    postgresql = op.get_bind().dialect.name == "postgresql"
    entered_on = "CAST(stage_entered_at AS DATE)" if postgresql else "date(stage_entered_at)"
    op.execute(
        "UPDATE partnerships SET signed_on_filled = TRUE "  # noqa: S608 (no input)
        f"WHERE signed_on = {entered_on} AND stage_id IN "
        "(SELECT id FROM stages WHERE key = 'memorandum_signed')"
    )


def downgrade() -> None:
    with op.batch_alter_table("partnerships", schema=None) as batch_op:
        batch_op.drop_column("signed_on_filled")
