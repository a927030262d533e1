"""URL converters shared by every blueprint, and links built for many records at once."""

from __future__ import annotations

from flask import Flask, request, url_for
from werkzeug.routing import BaseConverter, BuildError

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


# Any id would do: this one is built into a link once, and the link's text around it kept.
_ID_MARKER = 2_147_483_629


class LinkById:
    """`url_for(endpoint, <id_name>=id, **arguments)` for many ids at the cost of one.

    Werkzeug builds a link in some 20 µs; a board builds two per card, a list of tasks three per
    task. The link is built once with a marker id and the text either side of it kept; should
    the rule refuse the marker or the link not hold it exactly once, every link is built by
    `url_for`.
    """

    def __init__(self, endpoint: str, id_name: str, **arguments: object) -> None:
        self._endpoint = endpoint
        self._id_name = id_name
        self._arguments = arguments
        try:
            parts = url_for(endpoint, **{id_name: _ID_MARKER}, **arguments).split(str(_ID_MARKER))
        except BuildError:  # a rule that refuses the marker (a maximum, say)
            parts = []
        self._parts = (parts[0], parts[1]) if len(parts) == 2 else None

    def __call__(self, record_id: int) -> str:
        if self._parts is None:
            return url_for(self._endpoint, **{self._id_name: record_id}, **self._arguments)
        return f"{self._parts[0]}{int(record_id)}{self._parts[1]}"


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


def record_id_filter(text: str) -> int | None:
    """A record id typed into a filter: None when there is none or it is not a number (no
    filter); NO_RECORD for a number no id can be, so that the filter matches nothing rather than
    being dropped and letting every row through."""
    if not (text.isascii() and text.isdigit()):
        return None
    return record_id_in(text) or NO_RECORD


def record_id_arg(name: str) -> int:
    """A record id from the query string, or NO_RECORD when it is absent or names none."""
    return record_id_in(request.args.get(name, "")) or NO_RECORD


def record_id_args(name: str) -> list[int]:
    """The record ids given as `name` in the query string (a multiple select sends one each),
    leaving out what names none."""
    return [number for text in request.args.getlist(name) if (number := record_id_in(text))]


def first_record_id_arg(*names: str) -> int:
    """The record id of the first of `names` in the query string (NO_RECORD if it names none),
    or NO_RECORD when none is there: a search beside a select sends the select along, under
    its own name, and older pages sent `selected`."""
    present = next((name for name in names if name in request.args), None)
    return record_id_arg(present) if present is not None else NO_RECORD


def init_app(app: Flask) -> None:
    app.url_map.converters["id"] = RecordIdConverter
