"""Reading the values people type into spreadsheets: countries, dates, lists."""

from __future__ import annotations

import datetime as dt
from functools import cache

import pycountry
from flask_babel import gettext

from crm.date_span import is_within_span, out_of_span_message
from crm.text_search import fold


class BadValue(ValueError):
    pass


@cache
def _countries() -> dict[str, str]:
    """Folded code or name -> ISO alpha-2: "si", "svn", "slovenia", "republic of slovenia"."""
    known: dict[str, str] = {}
    for country in pycountry.countries:
        for name in ("alpha_2", "alpha_3", "name", "common_name", "official_name"):
            value = getattr(country, name, None)
            if value:
                known.setdefault(fold(str(value)), country.alpha_2)
    return known


def country_code(text: str) -> str:
    """An ISO 3166-1 alpha-2 code from a code or an English name; "" for an empty cell."""
    if not text.strip():
        return ""
    code = _countries().get(fold(text))
    if code is None:
        raise BadValue(
            gettext("“%(text)s” is not a country (use an ISO code such as SI or KZ).", text=text)
        )
    return code


def parse_date(text: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d.%m.%Y", "%d. %m. %Y", "%Y-%m-%d %H:%M:%S"):
        try:
            day = dt.datetime.strptime(text, pattern).replace(tzinfo=dt.UTC).date()
        except ValueError:
            continue
        # Said on the row, in the preview, rather than refused by the service when applied.
        if not is_within_span(day):
            raise BadValue(out_of_span_message())
        return day
    raise BadValue(
        gettext("“%(text)s” is not a date; write it as YYYY-MM-DD (e.g. 2026-02-13).", text=text)
    )


def split_list(text: str) -> list[str]:
    """ "economics; culture" or "economics, culture" or "economics | culture"."""
    for separator in (";", "|", ","):
        if separator in text:
            return [part.strip() for part in text.split(separator) if part.strip()]
    return [text.strip()] if text.strip() else []
