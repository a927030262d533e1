"""Handing a user's work to someone else: an officer leaves the mission, or changes role.

Their pairings (archived ones too, so that a restored pairing has an owner who is still here) and
their open tasks move to one successor. Each record is changed through the ORM, so that its
version moves on (a form opened before the handover gets a 409 rather than putting the old owner
back) and the audit log has an entry for it, as for any other edit.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext, ngettext
from sqlalchemy import Select, func, select

from crm import access
from crm.auth.models import User
from crm.db import session
from crm.errors import DomainError
from crm.partnerships.models import Partnership
from crm.tasks.models import Task, TaskStatus


@dataclass(frozen=True)
class Work:
    pairings: int  # those the lists show
    open_tasks: int
    # Deleted (archived) pairings: in no list, but handed over with the rest, so that one
    # restored later is not owned by someone who has left.
    deleted_pairings: int = 0

    def __bool__(self) -> bool:
        return bool(self.pairings or self.deleted_pairings or self.open_tasks)

    @property
    def label(self) -> str:
        """ "2 pairings, 1 open task", in the reader's language."""
        pairings = ngettext("%(num)d pairing", "%(num)d pairings", self.pairings)
        if self.deleted_pairings:
            deleted = ngettext(
                "%(num)d deleted pairing", "%(num)d deleted pairings", self.deleted_pairings
            )
            pairings = (
                gettext("%(pairings)s and %(deleted)s", pairings=pairings, deleted=deleted)
                if self.pairings
                else deleted
            )
        return gettext(
            "%(pairings)s, %(tasks)s",
            pairings=pairings,
            tasks=ngettext("%(num)d open task", "%(num)d open tasks", self.open_tasks),
        )


def handed_over(user: User, successor: User, moved: Work) -> str:
    """What a handover did, said the same on the page and on the command line."""
    return gettext(
        "Handed the work of %(name)s to %(successor)s: %(work)s.",
        name=user.name,
        successor=successor.name,
        work=moved.label,
    )


def work_of(user: User) -> Work:
    """How many pairings `user` owns (those the lists show, and the deleted ones) and how many
    open tasks they hold."""

    def owned(deleted: bool) -> Select[tuple[int]]:
        archived = Partnership.archived_at
        return select(func.count()).where(
            Partnership.owner_id == user.id,
            archived.is_not(None) if deleted else archived.is_(None),
        )

    open_tasks = select(func.count()).where(
        Task.assignee_id == user.id, Task.status == TaskStatus.OPEN.value
    )
    listed, deleted, tasks = session.execute(
        select(
            owned(False).scalar_subquery(),
            owned(True).scalar_subquery(),
            open_tasks.scalar_subquery(),
        )
    ).one()
    return Work(pairings=listed, open_tasks=tasks, deleted_pairings=deleted)


def hand_over(user: User, successor: User) -> Work:
    """Make `successor` the owner of every pairing of `user` and the assignee of their open
    tasks; done tasks keep who did them. Returns what moved."""
    if successor.id == user.id:
        raise DomainError(gettext("Choose someone else to hand the work to."), field="successor")
    if not access.may_own_pairings(successor):
        raise DomainError(
            gettext("Choose an active officer or administrator to hand the work to."),
            field="successor",
        )
    pairings = session.scalars(select(Partnership).where(Partnership.owner_id == user.id)).all()
    tasks = session.scalars(
        select(Task).where(Task.assignee_id == user.id, Task.status == TaskStatus.OPEN.value)
    ).all()
    if not pairings and not tasks:
        raise DomainError(
            gettext("%(name)s owns no pairings and has no open tasks.", name=user.name)
        )
    for partnership in pairings:
        partnership.owner = successor
    for task in tasks:
        task.assignee = successor
    session.flush()
    deleted = sum(1 for partnership in pairings if partnership.archived_at is not None)
    return Work(pairings=len(pairings) - deleted, open_tasks=len(tasks), deleted_pairings=deleted)
