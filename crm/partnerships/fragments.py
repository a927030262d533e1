"""The small pieces of HTML that every list, card and page of pairings repeats: the two places,
the status badge, the sector tags and the overdue flag.

Written in Python rather than as Jinja macros, and as f-strings whose every value goes through
`escape`, rather than with `Markup.format` (a formatter written in Python): a list of 50 rows or
a board of 60 cards calls them a few hundred times.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from crm.i18n.messages import gettext, ngettext, pgettext
from crm.presentation import country_tag

if TYPE_CHECKING:
    from crm.localities.models import Locality
    from crm.partnerships.models import Partnership

NOTHING = Markup("")


def locality(place: Locality) -> Markup:
    """The place in the reader's language, with its country's code (its name on hover)."""
    return Markup(  # noqa: S704 (every value goes through escape)
        f'<span class="locality">{escape(place.display_name)} '
        f"{country_tag(place.country_code)}</span>"
    )


def pairing_names(partnership: Partnership) -> Markup:
    """Both places, joined by a dash that a screen reader reads as "and"."""
    and_ = escape(pgettext("between the two localities of a pairing", "and"))
    return Markup(  # noqa: S704 (every value goes through escape)
        f'{locality(partnership.locality_a)} <span aria-hidden="true">–</span>'
        f'<span class="visually-hidden">{and_}</span> {locality(partnership.locality_b)}'
    )


def status_badge(partnership: Partnership) -> Markup:
    """On hold or dropped; nothing for an open pairing."""
    if partnership.is_open:
        return NOTHING
    return Markup(  # noqa: S704 (every value goes through escape)
        f'<span class="badge badge-{escape(partnership.status)}">'
        f"{escape(partnership.status_label)}</span>"
    )


def sector_tags(partnership: Partnership) -> Markup:
    if not partnership.sectors:
        return NOTHING
    items = "".join(f"<li>{escape(sector.name)}</li>" for sector in partnership.sectors)
    label = escape(gettext("Sectors"))  # outside the f-string, where Babel finds it
    return Markup(  # noqa: S704 (every value goes through escape)
        f'<ul class="tags" aria-label="{label}">{items}</ul>'
    )


def overdue_flag(count: int) -> Markup:
    if not count:
        return NOTHING
    text = escape(ngettext("%(num)d overdue task", "%(num)d overdue tasks", count))
    return Markup(  # noqa: S704 (every value goes through escape)
        f'<span class="overdue-flag"><span aria-hidden="true">⚠</span> {text}</span>'
    )
