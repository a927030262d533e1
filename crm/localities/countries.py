"""ISO 3166 countries and subdivisions as pycountry lists them; names in the reader's language."""

from __future__ import annotations

from functools import cache

import pycountry
from babel import Locale
from flask_babel import get_locale

from crm.i18n.collation import sort_key
from crm.i18n.locale import current_locale, locale_key


def country_name(alpha_2: str) -> str:
    """The country's name in the language being rendered (CLDR's), else ISO's English name."""
    code = alpha_2.upper()
    locale = current_locale()
    if locale is not None:
        localised = _territory_names_of(locale).get(code)
        if localised:
            return localised
    return english_country_name(code)


def english_country_name(alpha_2: str) -> str:
    country = pycountry.countries.get(alpha_2=alpha_2.upper())
    if country is None:
        return alpha_2
    return str(getattr(country, "common_name", None) or country.name)


@cache
def _territory_names(locale: str) -> dict[str, str]:
    return dict(Locale.parse(locale).territories)


def _territory_names_of(locale: Locale) -> dict[str, str]:
    # By the locale's parts rather than its name, which `str(locale)` builds anew each time: a
    # page names a country for each place it shows.
    return _territory_names_by_key(locale_key(locale))


@cache
def _territory_names_by_key(key: tuple[str | None, ...]) -> dict[str, str]:
    return dict(Locale(*key).territories)


def is_country(alpha_2: str) -> bool:
    return len(alpha_2) == 2 and pycountry.countries.get(alpha_2=alpha_2.upper()) is not None


def country_choices() -> list[tuple[str, str]]:
    """(code, name) pairs sorted by name in the reader's language, for select boxes."""
    locale = get_locale()
    return _country_choices(str(locale) if locale is not None else "")


@cache
def _country_choices(locale: str) -> list[tuple[str, str]]:
    names = _territory_names(locale) if locale else {}
    pairs = [
        (c.alpha_2, names.get(c.alpha_2) or english_country_name(c.alpha_2))
        for c in pycountry.countries
    ]
    # In the reader's alphabetical order (Č after C in Slovenian, Қ after К in Kazakh).
    language = locale.split("_")[0] if locale else "en"
    return sorted(pairs, key=lambda pair: sort_key(pair[1], language))


def subdivision_name(code: str) -> str | None:
    subdivision = pycountry.subdivisions.get(code=code.upper())
    return None if subdivision is None else str(subdivision.name)


def subdivision_country(code: str) -> str | None:
    subdivision = pycountry.subdivisions.get(code=code.upper())
    return None if subdivision is None else str(subdivision.country_code)
