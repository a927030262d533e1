"""phone extension: a person's phone keeps its extension ("+38622201000;ext=123")

Revision ID: a1d4c7e9b250
Revises: c8e1a4f7d390
Create Date: 2026-12-03 06:30:00+00:00

The extension typed after a number ("ext. 123", "x123") was dropped when the number was stored
in E.164, which has no place for it. It is now kept after ";ext=", as a tel: URI writes it,
which does not fit in the 20 characters an E.164 number needed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "a1d4c7e9b250"
down_revision = "c8e1a4f7d390"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.alter_column("phone", existing_type=sa.String(length=20), type_=sa.String(length=40))


def downgrade() -> None:
    # The extensions go: the old column had no room for them.
    postgresql = op.get_bind().dialect.name == "postgresql"
    number = "split_part(phone, ';', 1)" if postgresql else "substr(phone, 1, instr(phone, ';') - 1)"
    op.execute(f"UPDATE people SET phone = {number} WHERE phone LIKE '%;%'")  # noqa: S608
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.alter_column(
            "phone",
            existing_type=sa.String(length=40),
            type_=sa.String(length=20),
            postgresql_using="left(phone, 20)",
        )
