"""The faster ways to the catalogue and the date patterns answer as Flask-Babel's own do."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import flask_babel
import pytest
from babel.dates import format_date, format_time, parse_pattern
from flask import Flask
from flask_babel import force_locale

from crm.i18n import messages
from crm.i18n.collation import sort_key
from crm.i18n.languages import LANGUAGES, formatting_locale
from crm.localities.countries import country_name
from crm.presentation import _time_by_minute, datetime_in, local_datetime, long_date, medium_date

# Strings the catalogues translate (and one they do not), plurals at counts that pick each form.
MESSAGES = ["Sectors", "Move", "today", "Due today", "A message no catalogue holds"]
PLURALS = [("%(num)d day ago", "%(num)d days ago", n) for n in (1, 2, 5, 21, 22)]


@pytest.mark.parametrize("language", LANGUAGES)
def test_messages_translate_as_flask_babel_does(app: Flask, language: str) -> None:
    with app.test_request_context(), force_locale(formatting_locale(language)):
        for message in MESSAGES:
            assert messages.gettext(message) == flask_babel.gettext(message)
        assert messages.gettext("Due %(date)s", date="x") == flask_babel.gettext(
            "Due %(date)s", date="x"
        )
        for singular, plural, count in PLURALS:
            assert messages.ngettext(singular, plural, count) == flask_babel.ngettext(
                singular, plural, count
            )
        context, message = "between the two localities of a pairing", "and"
        assert messages.pgettext(context, message) == flask_babel.pgettext(context, message)
        if language != "en":
            # Not the source text: the test would pass vacuously if nothing were translated.
            assert messages.gettext("Sectors") != "Sectors"


def test_messages_follow_force_locale_inside_a_request(app: Flask) -> None:
    with app.test_request_context():
        english = messages.gettext("Sectors")
        with force_locale("sl_SI"):
            slovenian = messages.gettext("Sectors")
            assert slovenian == flask_babel.gettext("Sectors")
        assert messages.gettext("Sectors") == english
    assert slovenian != english


def test_messages_outside_an_app_context_are_the_source_text() -> None:
    assert messages.gettext("Sectors") == "Sectors"
    assert messages.ngettext("%(num)d day ago", "%(num)d days ago", 3) == "3 days ago"


MOMENTS = [
    datetime(2026, 2, 12, 10, 0, tzinfo=UTC),
    datetime(2026, 7, 31, 23, 59, tzinfo=UTC),  # the next day in Ljubljana (summer time)
    datetime(2025, 12, 31, 23, 30, tzinfo=UTC),  # the next year in Ljubljana
]


@pytest.mark.parametrize("language", LANGUAGES)
def test_dates_are_written_as_babel_writes_them(app: Flask, language: str) -> None:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(app.config["TIME_ZONE"])
    locale = formatting_locale(language)
    with app.test_request_context(), force_locale(locale):
        for moment in MOMENTS:
            local = moment.astimezone(zone)
            joined = str(flask_babel.get_locale().datetime_formats["medium"])  # type: ignore[union-attr]
            expected = joined.format(
                format_time(local.time(), "short", locale=locale),
                format_date(local.date(), "medium", locale=locale),
            )
            assert local_datetime(moment) == expected
            day = local.date()
            assert long_date(day) == flask_babel.format_date(day, "long")
            assert medium_date(day) == flask_babel.format_date(day, "medium")
        # Each language its own patterns, remembered apart.
        assert long_date(date(2026, 2, 12)) == format_date(date(2026, 2, 12), "long", locale=locale)


@pytest.mark.parametrize("language", LANGUAGES)
def test_remembered_dates_and_times_are_babels_at_every_minute(app: Flask, language: str) -> None:
    """Dates and times are remembered by day and by hour and minute (`datetime_in`): every
    minute of a day, on days across a year, in every language, reads as Babel writes it."""
    zone = ZoneInfo(app.config["TIME_ZONE"])
    locale = formatting_locale(language)
    start = datetime(2026, 3, 28, 22, 0, tzinfo=UTC)  # over the change to summer time
    moments = [start + timedelta(minutes=minute) for minute in range(0, 26 * 60, 7)]
    moments += [start + timedelta(days=day, seconds=59) for day in range(0, 370, 11)]
    with app.test_request_context(), force_locale(locale):
        joined = str(flask_babel.get_locale().datetime_formats["medium"])  # type: ignore[union-attr]
        for moment in moments:
            local = moment.astimezone(zone)
            expected = joined.format(
                format_time(local.timetz(), "short", locale=locale),
                format_date(local.date(), "medium", locale=locale),
            )
            assert datetime_in(moment, zone) == expected
            assert datetime_in(moment, zone) == expected  # and again, remembered


def test_only_a_time_of_hours_and_minutes_is_remembered_by_the_minute() -> None:
    assert _time_by_minute(parse_pattern("HH:mm"))
    assert _time_by_minute(parse_pattern("h:mm a"))
    assert not _time_by_minute(parse_pattern("HH:mm:ss"))
    assert not _time_by_minute(parse_pattern("HH:mm z"))
    assert not _time_by_minute(parse_pattern("h:mm B"))  # "noon" at 12:00:00 alone


def test_a_datetime_given_for_a_day_is_written_as_its_own_day(app: Flask) -> None:
    # The same instant, 23:30 in London and 00:30 the next day in Ljubljana: each its own day,
    # however the first was remembered.
    london = datetime(2026, 2, 12, 23, 30, tzinfo=ZoneInfo("Europe/London"))
    ljubljana = london.astimezone(ZoneInfo("Europe/Ljubljana"))
    with app.test_request_context(), force_locale("en_GB"):
        assert medium_date(london) == "12 Feb 2026"
        assert medium_date(ljubljana) == "13 Feb 2026"


def test_country_names_follow_the_language_being_written(app: Flask) -> None:
    with app.test_request_context():
        with force_locale("sl_SI"):
            assert country_name("DE") == "Nemčija"
        with force_locale("ru_RU"):
            assert country_name("DE") == "Германия"
        with force_locale("en_GB"):
            assert country_name("DE") == "Germany"


def test_remembered_sort_keys_keep_each_language_apart() -> None:
    # Č after C in Slovenian; in English Č is a C with an accent, so before D either way, but
    # "Čakovec" sorts after "Cvetlična" only in Slovenian.
    names = ["Čakovec", "Cvetlična"]
    assert sorted(names, key=lambda name: sort_key(name, "sl")) == ["Cvetlična", "Čakovec"]
    assert sorted(names, key=lambda name: sort_key(name, "en")) == ["Čakovec", "Cvetlična"]
    assert sorted(names, key=lambda name: sort_key(name, "sl")) == ["Cvetlična", "Čakovec"]
