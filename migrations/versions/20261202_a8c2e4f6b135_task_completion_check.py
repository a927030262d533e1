"""task completion check: a task is open exactly when it has no completion time

Revision ID: a8c2e4f6b135
Revises: f3b7d5e2a914
Create Date: 2026-12-02 15:00:00+00:00

The weekly report counts the overdue tasks by `status` (the index of open tasks) and the tasks
done in a week by `completed_at`; the services always set both, and now the database holds them
to it. Rows that disagree are mended first rather than refused: a status other than open or
done becomes done if the task has a completion time and open if not; a task marked done without
a time is taken as done when it was last changed; and an open task loses a stray completion time
(and whoever completed it). The mending is one way: a downgrade drops the check and leaves the
mended rows as they are.
"""

from __future__ import annotations

from alembic import op


revision = "a8c2e4f6b135"
down_revision = "f3b7d5e2a914"
branch_labels = None
depends_on = None

CONDITION = (
    "(status = 'open' AND completed_at IS NULL) OR (status = 'done' AND completed_at IS NOT NULL)"
)


def upgrade() -> None:
    op.execute(
        "UPDATE tasks SET status = CASE WHEN completed_at IS NULL THEN 'open' ELSE 'done' END"
        " WHERE status NOT IN ('open', 'done')"
    )
    op.execute(
        "UPDATE tasks SET completed_at = updated_at WHERE status = 'done' AND completed_at IS NULL"
    )
    op.execute(
        "UPDATE tasks SET completed_at = NULL, completed_by_id = NULL"
        " WHERE status = 'open' AND completed_at IS NOT NULL"
    )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_check_constraint(op.f("ck_tasks_completion_matches_status"), CONDITION)


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_tasks_completion_matches_status"), type_="check")
