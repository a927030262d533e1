"""ISO weeks (2026-W07 is 9 to 15 February 2026), Monday to Sunday in the deployment's zone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_skeleton
from flask_babel import get_locale, gettext

from crm.date_span import FIRST_DAY, LAST_DAY

WEEK_PATTERN = re.compile(r"^(\d{4})-W(\d{2})$")


class InvalidWeek(ValueError):
    pass


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    week: int

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        """'2026-W07'; a week the year does not have (2026-W54, 2026-W00) is refused."""
        match = WEEK_PATTERN.match(text.strip())
        if match is None:
            raise InvalidWeek(
                gettext("“%(text)s” is not an ISO week; write it like 2026-W07.", text=text)
            )
        year, week = int(match.group(1)), int(match.group(2))
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError as error:
            raise InvalidWeek(
                gettext("%(year)d has no week %(week)s.", year=year, week=f"{week:02d}")
            ) from error
        parsed = cls(year, week)
        # Only whole weeks of the span the CRM keeps: a report's bounds, and the links to the
        # weeks around it, would overflow at the calendar's ends (0001-W01, 9999-W52).
        if not FIRST_WEEK <= parsed <= LAST_WEEK:
            raise InvalidWeek(
                gettext(
                    "Give a week between %(first)s and %(last)s.",
                    first=str(FIRST_WEEK),
                    last=str(LAST_WEEK),
                )
            )
        return parsed

    @classmethod
    def containing(cls, day: date) -> IsoWeek:
        year, week, _ = day.isocalendar()
        return cls(year, week)

    @classmethod
    def current(cls, now: datetime, zone: ZoneInfo) -> IsoWeek:
        """The week in progress where the deployment is."""
        return cls.containing(now.astimezone(zone).date())

    @classmethod
    def last_complete(cls, now: datetime, zone: ZoneInfo) -> IsoWeek:
        """The week before the one in progress: on a Monday morning, the week just ended."""
        return cls.current(now, zone).previous()

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    def previous(self) -> IsoWeek:
        return IsoWeek.containing(self.monday - timedelta(days=7))

    def next(self) -> IsoWeek:
        return IsoWeek.containing(self.monday + timedelta(days=7))

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) in UTC: local Monday 00:00 to the next local Monday 00:00.

        Computed from local midnights, so a week that contains a clock change is 167 or 169
        hours long, as it was on the wall clock.
        """
        start = datetime.combine(self.monday, time(), tzinfo=zone)
        end = datetime.combine(self.monday + timedelta(days=7), time(), tzinfo=zone)
        return start.astimezone(UTC), end.astimezone(UTC)

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def short_label(self) -> str:
        """'Week 7 of 2026', in the reader's language: for the links to the weeks around."""
        return gettext("Week %(week)d of %(year)d", week=self.week, year=self.year)

    @property
    def label(self) -> str:
        """'Week 7 of 2026, 9–15 February', in the reader's language."""
        monday, sunday = self.monday, self.sunday
        locale = get_locale() or Locale.parse("en_GB")
        if monday.month == sunday.month:
            # The month as it reads after a day ("февраля", not "февраль").
            span = gettext(
                "%(first)d–%(last)d %(month)s",
                first=monday.day,
                last=sunday.day,
                month=format_date(sunday, "MMMM", locale=locale),
            )
        else:
            span = gettext(
                "%(first)s – %(last)s",
                first=format_skeleton("MMMMd", monday, locale=locale),
                last=format_skeleton("MMMMd", sunday, locale=locale),
            )
        return gettext(
            "Week %(week)d of %(year)d, %(span)s", week=self.week, year=self.year, span=span
        )


# The first and the last week whose seven days all lie in the span: 1900-W01 and 2200-W52.
FIRST_WEEK = IsoWeek.containing(FIRST_DAY + timedelta(days=-FIRST_DAY.weekday() % 7))
LAST_WEEK = IsoWeek.containing(LAST_DAY - timedelta(days=(LAST_DAY.weekday() + 1) % 7))
