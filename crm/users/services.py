"""Handing a user's work to someone else: an officer leaves the mission, or changes role.

Their pairings (archived ones too, so that a restored pairing has an owner who is still here) and
their open tasks move to one successor. Each record is changed through the ORM, so that its
version moves on (a form opened before the handover gets a 409 rather than putting the old owner
back) and the audit log has an entry for it, as for any other edit.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext, ngettext
from sqlalchemy import func, select

from crm import access
from crm.auth.models import User
from crm.db import session
from crm.errors import DomainError
from crm.partnerships.models import Partnership
from crm.tasks.models import Task, TaskStatus


@dataclass(frozen=True)
class Work:
    pairings: int
    open_tasks: int

    def __bool__(self) -> bool:
        return bool(self.pairings or self.open_tasks)

    @property
    def label(self) -> str:
        """ "2 pairings, 1 open task", in the reader's language."""
        return gettext(
            "%(pairings)s, %(tasks)s",
            pairings=ngettext("%(num)d pairing", "%(num)d pairings", self.pairings),
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
    """How many pairings `user` owns and open tasks they hold, as the lists show them (deleted
    pairings left out; a handover still moves them)."""
    pairings = select(func.count()).where(
        Partnership.owner_id == user.id, Partnership.archived_at.is_(None)
    )
    open_tasks = select(func.count()).where(
        Task.assignee_id == user.id, Task.status == TaskStatus.OPEN.value
    )
    counts = session.execute(select(pairings.scalar_subquery(), open_tasks.scalar_subquery())).one()
    return Work(pairings=counts[0], open_tasks=counts[1])


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
    return Work(pairings=len(pairings), open_tasks=len(tasks))
