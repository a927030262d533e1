"""One timeline per pairing: meetings and letters, stage changes and completed tasks, newest
first. Two statements however long the history is, when the page hands over the history and the
tasks it has already read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from crm.activities.models import CONTACT_KINDS, Activity, ActivityKind
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


def timeline_of(
    partnership: Partnership,
    *,
    history: Sequence[StageChange] | None = None,
    tasks: Sequence[Task] | None = None,
) -> list[TimelineEntry]:
    """`history` and `tasks` (all of the pairing's, with `completed_by` loaded) are read here
    when the caller has not read them already."""
    activities = session.scalars(
        select(Activity)
        .where(Activity.partnership_id == partnership.id)
        # Participants by selectin, not joined: a joined many-to-many is a nested join, which
        # SQLite answered by building every participant with their person (10 s at 200,000).
        .options(selectinload(Activity.participants), joinedload(Activity.created_by))
    ).all()
    if tasks is None:
        tasks = session.scalars(
            select(Task)
            .where(Task.partnership_id == partnership.id)
            .options(joinedload(Task.completed_by))
        ).all()
    # Follow-ups belong to the same pairing: handed out from its tasks, not read again.
    follow_ups: dict[int, list[Task]] = {}
    for task in sorted(tasks, key=lambda task: task.id):
        if task.activity_id is not None:
            follow_ups.setdefault(task.activity_id, []).append(task)
    for activity in activities:
        set_committed_value(activity, "follow_ups", follow_ups.get(activity.id, []))
    if history is None:
        history = partnership_queries.history_of(partnership)
    entries = [TimelineEntry("activity", a.occurred_at, a) for a in activities]
    entries += [TimelineEntry("stage_change", change.changed_at, change) for change in history]
    entries += [
        TimelineEntry("task_done", task.completed_at, task)
        for task in tasks
        if task.status == TaskStatus.DONE.value and task.completed_at
    ]
    return sorted(entries, key=lambda entry: entry.sort_key, reverse=True)


def last_contact_in(entries: Sequence[TimelineEntry]) -> Activity | None:
    """`last_contact` from a timeline already read: the same answer without a statement."""
    contacts = [
        entry.record
        for entry in entries
        if isinstance(entry.record, Activity) and ActivityKind(entry.record.kind).is_contact
    ]
    return max(contacts, key=lambda a: (a.occurred_at, a.id), default=None)


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
