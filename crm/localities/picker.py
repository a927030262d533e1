"""Choosing a locality in a form without sending every locality to the browser.

With a few hundred localities the select lists them all, as it always did. Beyond that
(`LOCALITY_SELECT_LIMIT`, 300 by default) it holds only the chosen ones and the matches of a
search typed beside it: htmx fills the options as one types (`/localities/options`), and without
JavaScript the search is sent with the form, which comes back with the matches to choose from.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from flask_babel import gettext
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from crm.db import session
from crm.localities.models import Locality
from crm.localities.services import search_localities

DEFAULT_SELECT_LIMIT = 300
MATCH_LIMIT = 50


def select_limit() -> int:
    return int(current_app.config.get("LOCALITY_SELECT_LIMIT", DEFAULT_SELECT_LIMIT))


def needs_search() -> bool:
    """True when there are too many localities to list them all in a select."""
    return (session.scalar(select(func.count()).select_from(Locality)) or 0) > select_limit()


def option_label(locality: Locality) -> str:
    return f"{locality.full_name} · {locality.kind_label} · {locality.country_code}"


def all_choices() -> list[SelectChoice]:
    localities = session.scalars(
        select(Locality).order_by(Locality.country_code, Locality.name_folded)
    ).all()
    return [placeholder()] + [SelectChoice(loc.id, option_label(loc)) for loc in localities]


def matches(query: str) -> list[Locality]:
    if not query.strip():
        return []
    return list(session.scalars(search_localities(query).limit(MATCH_LIMIT)))


def searched_choices(selected_ids: Iterable[int], queries: Iterable[str]) -> list[SelectChoice]:
    """The chosen localities and the matches of what was typed: two statements at most."""
    ids = {locality_id for locality_id in selected_ids if locality_id}
    found: dict[int, Locality] = {}
    if ids:
        found.update(
            (locality.id, locality)
            for locality in session.scalars(select(Locality).where(Locality.id.in_(ids)))
        )
    for query in queries:
        found.update((locality.id, locality) for locality in matches(query))
    ordered = sorted(found.values(), key=lambda loc: (loc.country_code, loc.name_folded, loc.id))
    return [placeholder()] + [SelectChoice(loc.id, option_label(loc)) for loc in ordered]


def placeholder() -> SelectChoice:
    return SelectChoice(0, gettext("Choose a locality…"))
