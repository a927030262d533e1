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
    kept = _localities_that_would_collide(connection, table_of_letters)
    for table_name, columns in FOLDED_COLUMNS.items():
        table = sa.table(table_name, sa.column("id"), *(sa.column(name) for name in columns))
        holds_a_letter = sa.or_(
            *(table.c[name].contains(letter) for name in columns for letter in KAZAKH_LETTERS)
        )
        rows = connection.execute(
            sa.select(table.c.id, *(table.c[name] for name in columns)).where(holds_a_letter)
        ).all()
        for row in rows:
            values = {
                name: (row._mapping[name] or "").translate(table_of_letters)
                for name in columns
                if (table_name, name, row.id) not in kept
            }
            if values:
                connection.execute(table.update().where(table.c.id == row.id).values(**values))


def _localities_that_would_collide(
    connection: sa.Connection, table_of_letters: dict[int, str]
) -> set[tuple[str, str, int]]:
    """Localities whose refolded name would equal another's (Қарағанды beside Караганды).

    A locality's folded name is unique per country and kind. Two spellings of one place that
    the new folding makes equal keep their old folded names, so the upgrade never fails on
    them; they stay searchable, and an admin can merge them when they notice.
    """
    localities = sa.table(
        "localities",
        sa.column("id"),
        sa.column("country_code"),
        sa.column("kind"),
        sa.column("name_folded"),
    )
    owners: dict[tuple[str, str, str], list[int]] = {}
    rows = connection.execute(
        sa.select(
            localities.c.id, localities.c.country_code, localities.c.kind, localities.c.name_folded
        )
    ).all()
    for row in rows:
        key = (row.country_code, row.kind, (row.name_folded or "").translate(table_of_letters))
        owners.setdefault(key, []).append(row.id)
    kept = set()
    for ids in owners.values():
        if len(ids) > 1:
            kept.update(("localities", "name_folded", locality_id) for locality_id in ids)
    return kept


def downgrade() -> None:
    # The old folding kept Kazakh letters; which К was once a Қ is not recorded, so the folded
    # values stay as they are. Saving a record refolds it either way.
    pass
