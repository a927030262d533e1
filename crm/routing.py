"""URL converters shared by every blueprint."""

from __future__ import annotations

from flask import Flask
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


def init_app(app: Flask) -> None:
    app.url_map.converters["id"] = RecordIdConverter
