"""kazakh letters in search: folded columns read Қ as К, Ә as А, and so on

Revision ID: e2a7c9d4f613
Revises: c41f0d2e8b57
Create Date: 2026-11-25 04:50:00.000000+00:00

The folded search columns now map Kazakh's own Cyrillic letters to their Russian neighbours.
Folding is lower-case already, so the stored values only need those nine letters replaced; the
letters are spelled out here rather than imported, so that this step stays what it was.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "e2a7c9d4f613"
down_revision = "c41f0d2e8b57"
branch_labels = None
depends_on = None

KAZAKH_LETTERS = {"ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х", "і": "и"}
FOLDED_COLUMNS = {
    "localities": ("name_folded", "search_folded"),
    "partnerships": ("title_folded",),
    "tasks": ("title_folded",),
    "people": ("name_folded",),
    "organisations": ("name_folded",),
}


def upgrade() -> None:
    table_of_letters = str.maketrans(KAZAKH_LETTERS)
    connection = op.get_bind()
    for table_name, columns in FOLDED_COLUMNS.items():
        table = sa.table(table_name, sa.column("id"), *(sa.column(name) for name in columns))
        holds_a_letter = sa.or_(
            *(table.c[name].contains(letter) for name in columns for letter in KAZAKH_LETTERS)
        )
        rows = connection.execute(
            sa.select(table.c.id, *(table.c[name] for name in columns)).where(holds_a_letter)
        ).all()
        for row in rows:
            values = {name: (row._mapping[name] or "").translate(table_of_letters) for name in columns}
            connection.execute(table.update().where(table.c.id == row.id).values(**values))


def downgrade() -> None:
    # The old folding kept Kazakh letters; which К was once a Қ is not recorded, so the folded
    # values stay as they are. Saving a record refolds it either way.
    pass
