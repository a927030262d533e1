"""One timeline per pairing: meetings and letters, stage changes and completed tasks, newest
first. Three statements (and their eager loads) however long the history is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from crm.activities.models import CONTACT_KINDS, Activity
from crm.db import session
from crm.partnerships import queries as partnership_queries
from crm.partnerships.models import Partnership, StageChange
from crm.tasks.models import Task, TaskStatus

EntryKind = Literal["activity", "stage_change", "task_done"]
# On the same instant, a meeting comes before (above) the move it led to, and that before a task.
_TIE_ORDER: dict[str, int] = {"task_done": 0, "stage_change": 1, "activity": 2}


@dataclass(frozen=True)
class TimelineEntry:
    kind: EntryKind
    at: datetime
    record: Activity | StageChange | Task

    @property
    def sort_key(self) -> tuple[datetime, int, int]:
        return (self.at, _TIE_ORDER[self.kind], self.record.id)


def timeline_of(partnership: Partnership) -> list[TimelineEntry]:
    activities = session.scalars(
        select(Activity)
        .where(Activity.partnership_id == partnership.id)
        .options(
            selectinload(Activity.participants),
            selectinload(Activity.created_by),
            selectinload(Activity.follow_ups),
        )
    ).all()
    done = session.scalars(
        select(Task)
        .where(Task.partnership_id == partnership.id, Task.status == TaskStatus.DONE.value)
        .options(selectinload(Task.completed_by))
    ).all()
    entries = [TimelineEntry("activity", a.occurred_at, a) for a in activities]
    entries += [
        TimelineEntry("stage_change", change.changed_at, change)
        for change in partnership_queries.history_of(partnership)
    ]
    entries += [
        TimelineEntry("task_done", task.completed_at, task) for task in done if task.completed_at
    ]
    return sorted(entries, key=lambda entry: entry.sort_key, reverse=True)


def last_contact(partnership: Partnership) -> Activity | None:
    """The latest meeting, visit, call or letter: a note or a signing is not "contact"."""
    return session.scalar(
        select(Activity)
        .where(
            Activity.partnership_id == partnership.id,
            Activity.kind.in_([kind.value for kind in CONTACT_KINDS]),
        )
        .order_by(Activity.occurred_at.desc(), Activity.id.desc())
        .limit(1)
    )


def last_contact_subquery():  # noqa: ANN201 (a SQLAlchemy subquery)
    """partnership_id → the time of its last contact, for lists and the dashboard."""
    return (
        select(
            Activity.partnership_id.label("partnership_id"),
            func.max(Activity.occurred_at).label("last_contact_at"),
        )
        .where(Activity.kind.in_([kind.value for kind in CONTACT_KINDS]))
        .group_by(Activity.partnership_id)
        .subquery()
    )
