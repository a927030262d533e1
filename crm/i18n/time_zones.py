"""Time zones as a reader names them: "Ljubljana · Slovenia", "Қызылорда · Қазақстан"."""

from __future__ import annotations

from functools import cache

import pytz
from babel import Locale
from babel.core import get_global
from babel.dates import get_timezone_location

from crm.i18n.collation import sort_key


@cache
def time_zone_choices(locale: str) -> list[tuple[str, str]]:
    """(IANA name, label) for the zones in common use, in the reader's alphabetical order.

    pytz's common list leaves out the aliases (Zulu, Europe/Belfast, Mexico/BajaNorte) that
    `zoneinfo` keeps for old data; a user who has one keeps it selectable (see the profile page).
    """
    babel_locale = Locale.parse(locale)
    territories = get_global("zone_territories")
    choices = []
    for name in pytz.common_timezones:
        if "/" not in name:
            continue
        city = get_timezone_location(name, locale=babel_locale, return_city=True)
        country = babel_locale.territories.get(territories.get(name, ""), "")
        label = f"{city} · {country}" if country and country != city else city
        choices.append((name, f"{label} ({name.replace('_', ' ')})"))
    # UTC first, apart from the places: for whoever works across many zones, or reads logs.
    utc = babel_locale.time_zones.get("Etc/UTC", {}).get("long", {}).get("standard", "UTC")
    by_place = sorted(choices, key=lambda choice: sort_key(choice[1], babel_locale.language))
    return [("UTC", f"{utc} (UTC)"), *by_place]
