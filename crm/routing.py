"""URL converters shared by every blueprint."""

from __future__ import annotations

from flask import Flask, request
from werkzeug.routing import BaseConverter

# Ids are 32-bit integers in both databases.
MAX_RECORD_ID = 2**31 - 1
# Names no record: ids start at 1.
NO_RECORD = 0


class RecordIdConverter(BaseConverter):
    """Digits in a URL as a record id; a number out of range becomes an id nothing has.

    So /partnerships/99999999999999999999 is an ordinary 404, rather than an overflow error
    from PostgreSQL or (as werkzeug answers a converter that refuses a value) a 405.
    """

    regex = r"\d{1,30}"
    weight = 50

    def to_python(self, value: str) -> int:
        number = int(value)
        return number if 1 <= number <= MAX_RECORD_ID else NO_RECORD

    def to_url(self, value: int) -> str:
        return str(int(value))


def number_arg(name: str, default: int, *, least: int) -> int:
    """A whole number from the query string, kept between `least` and the largest id.

    Junk gives the default; a number too big for the database's integers is held at the top,
    so that ?offset=99999999999999999999 is an empty page rather than an overflow error.
    """
    number = request.args.get(name, default, type=int)
    return min(max(default if number is None else number, least), MAX_RECORD_ID)


def record_id_in(text: str) -> int | None:
    """`text` as a record id: ASCII digits naming an id the databases can hold, else None."""
    if not (text.isascii() and text.isdigit() and len(text) <= len(str(MAX_RECORD_ID))):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_RECORD_ID else None


def record_id_arg(name: str) -> int:
    """A record id from the query string, or NO_RECORD when it is absent or names none."""
    return record_id_in(request.args.get(name, "")) or NO_RECORD


def init_app(app: Flask) -> None:
    app.url_map.converters["id"] = RecordIdConverter
