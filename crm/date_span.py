"""The span of dates the CRM keeps: 1 January 1900 to 31 December 2200.

Wide enough for any pairing's history and plans, and narrow enough to catch a mistyped year
(0226 for 2026). It also keeps every date and time well away from the ends of Python's calendar
(years 1 and 9999), where turning a local time into UTC, showing a stored time in a zone east or
west of it, or adding a day or a week overflows: inside the span that arithmetic is always safe,
so no page, feed or report fails on it.

Each layer checks the span where it reads a date: the forms' `IsoDateField`, the API's input
types, the imports' date reader, the weekly report's week and the audit log's filters; the
services check what they store, whoever calls them.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from flask_babel import gettext

from crm.errors import DomainError

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2200, 12, 31)

# A time is in the span if its date is, somewhere on Earth: from the first midnight in the zone
# furthest east (UTC+14) to the last one in the zone furthest west (UTC-12). So a day of the
# span typed in any zone is still in it once converted to UTC, as the services receive it.
_EARLIEST = datetime.combine(FIRST_DAY, time(), tzinfo=timezone(timedelta(hours=14)))
_LATEST = datetime.combine(LAST_DAY, time.max, tzinfo=timezone(timedelta(hours=-12)))


def is_within_span(value: date | datetime) -> bool:
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            # A naive time says nothing of where; its date is all there is to judge.
            return FIRST_DAY <= value.date() <= LAST_DAY
        # Compared as instants without converting either: the comparison cannot overflow
        # where `astimezone(UTC)` of 0001-01-01T00:00+05:00 would.
        return _EARLIEST <= value <= _LATEST
    return FIRST_DAY <= value <= LAST_DAY


def out_of_span_message() -> str:
    # ISO dates, as the forms take them, so that the reader sees what to type.
    return gettext(
        "Give a date between %(first)s and %(last)s.",
        first=FIRST_DAY.isoformat(),
        last=LAST_DAY.isoformat(),
    )


def require_within_span(value: date | datetime | None, *, field: str) -> None:
    """The services' check on what they store; an empty date is the caller's business."""
    if value is not None and not is_within_span(value):
        raise DomainError(out_of_span_message(), field=field)
