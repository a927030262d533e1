"""Template filters: times in the reader's time zone, relative ages, countries with flags."""

from __future__ import annotations

from datetime import date, datetime, time
from functools import cache, lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import (
    DateTimePattern,
    get_date_format,
    get_time_format,
    parse_pattern,
    tokenize_pattern,
)
from flask import Flask, current_app
from flask_login import current_user
from markupsafe import Markup, escape

from crm import access, navigation
from crm.db import utcnow
from crm.i18n.locale import current_locale, locale_key
from crm.i18n.messages import gettext, ngettext
from crm.localities.countries import country_name


def user_time_zone() -> ZoneInfo:
    # The user once: each use of the `current_user` proxy looks them up again, and a page
    # asks for the zone once per time it shows.
    reader = current_user._get_current_object()
    name = reader.time_zone if reader is not None and reader.is_authenticated else ""
    try:
        return ZoneInfo(name or current_app.config["TIME_ZONE"])
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


# The formats when no language is chosen (the interface's English is British).
_BRITISH = Locale.parse("en_GB")


def local_datetime(value: datetime | None) -> str:
    """The date and time in the reader's zone and locale: "12 Feb 2026, 10:00" in English."""
    if value is None:
        return ""
    return datetime_in(value, user_time_zone())


def datetime_in(value: datetime, zone: ZoneInfo) -> str:
    """The date and time in `zone`, in the locale being written: "12 Feb 2026, 10:00"."""
    local = value.astimezone(zone)
    locale = current_locale() or _BRITISH
    key = locale_key(locale)
    patterns = _patterns_of(key)
    if patterns.short_time_by_minute:
        shown_time = _short_time_text(key, local.hour, local.minute)
    else:
        shown_time = patterns.short_time.apply(local.timetz(), locale)
    return patterns.date_and_time.format(shown_time, _medium_date_text(key, local.date()))


def long_date(value: date | None) -> str:
    """ "12 February 2026" in the reader's locale."""
    if value is None:
        return ""
    locale = current_locale() or _BRITISH
    return _patterns(locale).long_date.apply(value, locale)


def medium_date(value: date | None) -> str:
    """ "12 Feb 2026" in the reader's locale."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        # Its own day, as Babel reads one: remembered by the datetime, two that are the same
        # instant in other zones would share the first one's text.
        value = value.date()
    return _medium_date_text(locale_key(current_locale() or _BRITISH), value)


# Remembered, as Babel takes some 15 µs to write a date or a time and a page shows hundreds of
# them, mostly of a few days (the weekly report: a thousand times from one week). A time is
# remembered by its hour and minute alone, where that is all the locale's short time shows.
@lru_cache(maxsize=4096)
def _medium_date_text(key: tuple[str | None, ...], day: date) -> str:
    return _patterns_of(key).medium_date.apply(day, Locale(*key))


@lru_cache(maxsize=8192)
def _short_time_text(key: tuple[str | None, ...], hour: int, minute: int) -> str:
    return _patterns_of(key).short_time.apply(time(hour, minute), Locale(*key))


def _time_by_minute(pattern: DateTimePattern) -> bool:
    """Whether the pattern shows nothing but the hour, the minute and AM or PM. Not the periods
    of the day ("b", "B"): "noon" is 12:00:00 alone, so they read the seconds too."""
    fields = {value[0] for kind, value in tokenize_pattern(pattern.pattern) if kind == "field"}
    return fields <= set("HhKkma")


class _LocalePatterns(NamedTuple):
    medium_date: DateTimePattern
    long_date: DateTimePattern
    short_time: DateTimePattern
    date_and_time: str  # "{1}, {0}": where the date ({1}) and the time ({0}) go
    short_time_by_minute: bool  # the short time shows only the hour, minute and AM/PM


def _patterns(locale: Locale) -> _LocalePatterns:
    """The locale's patterns, applied as Babel's `format_date` and `format_time` would apply
    them, less their finding the locale and its pattern again for every date: half the cost,
    and a list shows a date or two per row."""
    return _patterns_of(locale_key(locale))


@cache
def _patterns_of(key: tuple[str | None, ...]) -> _LocalePatterns:
    locale = Locale(*key)
    short_time = parse_pattern(get_time_format("short", locale=locale))
    return _LocalePatterns(
        medium_date=parse_pattern(get_date_format("medium", locale=locale)),
        long_date=parse_pattern(get_date_format("long", locale=locale)),
        short_time=short_time,
        date_and_time=str(locale.datetime_formats["medium"]),
        short_time_by_minute=_time_by_minute(short_time),
    )


def age(value: datetime | None, now: datetime | None = None) -> str:
    """ "3 days ago", "today": how long ago, to the day; the exact time goes in a tooltip."""
    if value is None:
        return ""
    zone = user_time_zone()
    days = ((now or utcnow()).astimezone(zone).date() - value.astimezone(zone).date()).days
    if days < 0:
        return ngettext("in %(num)d day", "in %(num)d days", -days)
    if days == 0:
        return gettext("today")
    if days == 1:
        return gettext("yesterday")
    if days < 60:
        return ngettext("%(num)d day ago", "%(num)d days ago", days)
    if days < 365:
        return ngettext("%(num)d month ago", "%(num)d months ago", days // 30)
    return ngettext("%(num)d year ago", "%(num)d years ago", days // 365)


def time_tag(value: datetime | None) -> Markup:
    """A <time> with the relative age as text and the exact local time on hover."""
    if value is None:
        return Markup("")
    exact = local_datetime(value)
    # An f-string with each value escaped: `Markup.format` runs a formatter written in Python,
    # three times slower, and a list shows one of these per row.
    return Markup(  # noqa: S704 (every value goes through escape)
        f'<time datetime="{escape(value.isoformat())}" title="{escape(exact)}">'
        f"{escape(age(value))}</time>"
    )


def country_tag(code: str) -> Markup:
    """The ISO code, with the country's name for hover and screen readers.

    Codes rather than flag emoji: embassy workstations often lack a colour emoji font, and a
    flag drawn as two empty boxes helps nobody.
    """
    return Markup(  # noqa: S704 (every value goes through escape; see time_tag)
        f'<abbr class="country" title="{escape(country_name(code))}">{escape(code)}</abbr>'
    )


def init_app(app: Flask) -> None:
    app.add_template_filter(local_datetime)
    app.add_template_filter(long_date)
    app.add_template_filter(medium_date)
    app.add_template_filter(age)
    app.add_template_filter(time_tag)
    app.add_template_filter(country_tag)
    app.add_template_filter(country_name)
    app.add_template_global(navigation.next_path)

    @app.context_processor
    def permissions() -> dict[str, object]:
        user = current_user
        signed_in = bool(user and user.is_authenticated)

        def may_complete(task_assignee_id: int | None) -> bool:
            return signed_in and access.may_complete_task(user, task_assignee_id)

        return {
            "can_edit_pipeline": signed_in and access.can_edit_pipeline(user),
            "can_contribute": signed_in and access.can_contribute(user),
            "may_complete": may_complete,
            "can_manage_reference_data": signed_in and access.can_manage_reference_data(user),
            "can_see_internal_notes": signed_in and access.can_see_internal_notes(user),
            "can_see_other_users": signed_in and access.can_see_other_users(user),
            "can_manage_users": signed_in and access.can_manage_users(user),
            "can_read_audit_log": signed_in and access.can_read_audit_log(user),
        }

    # Escaping is Jinja's default; this keeps `escape` at hand for the few Markup builders.
    app.jinja_env.globals["escape"] = escape
