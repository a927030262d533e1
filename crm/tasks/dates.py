"""A user's "today" and "this week", in their own time zone.

"Overdue" means due before today *where the user is*: at 00:30 on a Monday in Ljubljana a task
due on Sunday is overdue, although it is still Sunday in UTC. Weeks are ISO weeks (Monday to
Sunday), as the domain counts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import current_app

from crm.auth.models import User
from crm.db import utcnow


def zone_of(user: User | None) -> ZoneInfo:
    """The user's chosen zone, else the deployment's, else UTC (a bad name never breaks a page)."""
    for name in ((user.time_zone if user is not None else ""), current_app.config["TIME_ZONE"]):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def today_for(user: User | None, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(zone_of(user)).date()


@dataclass(frozen=True)
class Horizon:
    """The days that sort a user's tasks: before `today` is overdue; to `week_end`, this week."""

    today: date

    @property
    def week_end(self) -> date:
        return self.today + timedelta(days=6 - self.today.weekday())


def horizon_for(user: User | None, now: datetime | None = None) -> Horizon:
    return Horizon(today_for(user, now))


def is_valid_zone(name: str) -> bool:
    return name in time_zone_names()


def time_zone_names() -> list[str]:
    return sorted(name for name in available_timezones() if "/" in name or name == "UTC")
