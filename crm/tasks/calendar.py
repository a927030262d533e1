"""The private calendar feed: a user's open tasks with due dates, as iCalendar.

Each task is an all-day VEVENT on its due date rather than a VTODO: Google Calendar, Outlook and
Apple Calendar all show events from a subscribed URL, while few of them show to-dos from one.
The URL carries a random secret instead of a login (calendar apps cannot log in); issuing a new
one or revoking it makes the old URL answer 404 at once. Like an API token's, the secret is kept
only as its SHA-256: whoever reads the database (a backup, say) cannot read anyone's tasks with
it, and the link is shown once, when it is made.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import timedelta

from flask_babel import gettext
from icalendar import Calendar, Event
from sqlalchemy import select

from crm.auth.models import User
from crm.auth.tokens import secret_digest
from crm.control_characters import without_control_characters
from crm.db import session, utcnow
from crm.tasks.models import Priority, Task, TaskStatus
from crm.tasks.queries import visible_tasks, with_details

# RFC 5545 PRIORITY: 1 is the highest, 9 the lowest, 5 medium.
_ICAL_PRIORITY = {Priority.HIGH: 1, Priority.NORMAL: 5, Priority.LOW: 9}
FEED_LIMIT = 1000


def issue_token(user: User) -> str:
    """A new feed secret, returned here and never again; any earlier URL stops working."""
    secret = secrets.token_urlsafe(32)
    user.calendar_token_hash = secret_digest(secret)
    session.flush()
    return secret


def revoke_token(user: User) -> None:
    user.calendar_token_hash = None
    session.flush()


def user_for_token(token: str) -> User | None:
    if not token or len(token) > 64:
        return None
    user = session.scalar(select(User).where(User.calendar_token_hash == secret_digest(token)))
    if user is None or not user.is_active:
        return None
    return user


def feed_tasks(user: User) -> Sequence[Task]:
    return session.scalars(
        with_details(
            visible_tasks(user)
            .where(
                Task.assignee_id == user.id,
                Task.status == TaskStatus.OPEN.value,
                Task.due_on.is_not(None),
            )
            .order_by(Task.due_on, Task.id)
            .limit(FEED_LIMIT)
        )
    ).all()


def build_feed(user: User, tasks: Sequence[Task], *, task_url: dict[int, str], host: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Twinning//Tasks//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", gettext("Twinning tasks: %(name)s", name=user.name))
    now = utcnow()
    for task in tasks:
        assert task.due_on is not None
        event = Event()
        event.add("uid", f"task-{task.id}@{host}")
        event.add("dtstamp", now)
        event.add("last-modified", task.updated_at)
        event.add("dtstart", task.due_on)
        event.add("dtend", task.due_on + timedelta(days=1))
        event.add("summary", f"{task.title} ({task.partnership.title})")
        description = task.description or ""
        link = task_url.get(task.id, "")
        event.add("description", "\n\n".join(part for part in (description, link) if part))
        if link:
            event.add("url", link)
        event.add("priority", _ICAL_PRIORITY.get(Priority(task.priority), 5))
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    # A title typed with an invisible control character must not make the feed unreadable.
    return without_control_characters(calendar.to_ical().decode()).encode()
