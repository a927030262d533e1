"""task title words: the header search finds tasks by the beginning of a word, from an index

Revision ID: f3b8d1c6a274
Revises: e9c3a5f1b786
Create Date: 2026-12-03 18:00:00+00:00

A new table holds each task's folded title word by word, (task_id, word), with an index by
(word, task_id): the header search looks each typed word up as the beginning of a word, a range
of that index, where it read every one of a million titles for a substring (0.25-0.35 s). The
existing tasks' words are filled here, a batch of tasks at a time; the words are split as
`crm.text_search.words_of` splits them (runs of letters and digits), spelled out here so that
this step stays what it was. The secondary index is built once the rows are in.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "f3b8d1c6a274"
down_revision = "e9c3a5f1b786"
branch_labels = None
depends_on = None

WORD = re.compile(r"[^\W_]+")
BATCH = 20_000
WORD_TYPE = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "task_words",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("word", WORD_TYPE, nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_task_words_task_id_tasks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("task_id", "word", name=op.f("pk_task_words")),
        sqlite_with_rowid=False,
    )
    connection = op.get_bind()
    tasks = sa.table("tasks", sa.column("id", sa.Integer), sa.column("title_folded", sa.Text))
    words = sa.table("task_words", sa.column("task_id", sa.Integer), sa.column("word", sa.Text))
    split: dict[str, list[str]] = {}  # many tasks share a title ("Send the agenda")
    last = 0
    while True:
        batch = connection.execute(
            sa.select(tasks.c.id, tasks.c.title_folded)
            .where(tasks.c.id > last)
            .order_by(tasks.c.id)
            .limit(BATCH)
        ).all()
        if not batch:
            break
        rows = []
        for task_id, folded in batch:
            title = folded or ""
            if title not in split:
                split[title] = list(dict.fromkeys(WORD.findall(title)))
            rows += [{"task_id": task_id, "word": word} for word in split[title]]
        if rows:
            connection.execute(words.insert(), rows)
        last = batch[-1].id
    with op.batch_alter_table("task_words", schema=None) as batch_op:
        batch_op.create_index("ix_task_words_word", ["word", "task_id"], unique=False)
    # Analysed only, inside the upgrade's transaction. A VACUUM as well would let PostgreSQL read
    # the index alone at once rather than after autovacuum's next pass (which a table this
    # freshly filled soon gets), but it cannot run in a transaction: committing the upgrade
    # halfway would leave a failed later step with this table made and its revision unrecorded,
    # so that every upgrade after it stops at "task_words already exists".
    op.execute("ANALYZE task_words")


def downgrade() -> None:
    with op.batch_alter_table("task_words", schema=None) as batch_op:
        batch_op.drop_index("ix_task_words_word")
    op.drop_table("task_words")
