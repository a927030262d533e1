"""ISO 3166 countries and subdivisions, as pycountry lists them today."""

from __future__ import annotations

from functools import cache

import pycountry


def country_name(alpha_2: str) -> str:
    country = pycountry.countries.get(alpha_2=alpha_2.upper())
    if country is None:
        return alpha_2
    return str(getattr(country, "common_name", None) or country.name)


def is_country(alpha_2: str) -> bool:
    return len(alpha_2) == 2 and pycountry.countries.get(alpha_2=alpha_2.upper()) is not None


@cache
def country_choices() -> list[tuple[str, str]]:
    """(code, name) pairs sorted by name, for select boxes."""
    pairs = [(c.alpha_2, country_name(c.alpha_2)) for c in pycountry.countries]
    return sorted(pairs, key=lambda pair: pair[1])


def subdivision_name(code: str) -> str | None:
    subdivision = pycountry.subdivisions.get(code=code.upper())
    return None if subdivision is None else str(subdivision.name)


def subdivision_country(code: str) -> str | None:
    subdivision = pycountry.subdivisions.get(code=code.upper())
    return None if subdivision is None else str(subdivision.country_code)
