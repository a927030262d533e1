"""What the filter forms of the board, the list and the weekly report offer: owners and sectors."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import JSON, String, cast, literal, null, or_, select, union_all

from crm import access
from crm.auth.models import User
from crm.db import session
from crm.i18n.collation import sort_key
from crm.i18n.locale import current_language
from crm.i18n.names import translated_name
from crm.sectors.models import Sector


@dataclass(frozen=True)
class Choice:
    value: int | str
    label: str


@dataclass(frozen=True)
class FilterChoices:
    owners: list[Choice]
    sectors: list[Choice]


def filter_choices(reader: User, owner_id: int | None) -> FilterChoices:
    """The owners and the sectors a filter offers, in one statement: two short lists that every
    filtered page shows, read together so that they cost the page one round trip.

    Owners are those `access.owner_choices` offers (none to a reader who may not see the staff
    list), and the one filtered by even if they may own no more: deactivated, they still own
    their pairings, and without them the filter would read "Anyone" and be lost on the next
    Apply. Sectors are by their name in the reader's language; both lists are in that
    language's alphabetical order (Č after C in Slovenian), which no database collation gives
    alike on SQLite and PostgreSQL.
    """
    # The sectors first: the union's columns take their types (the JSON of the translations)
    # from its first part.
    branches = [
        select(
            literal("sector").label("kind"),
            Sector.id,
            Sector.slug,
            Sector.given_name.label("name"),
            Sector.name_translations.label("translations"),
        )
    ]
    if access.can_see_other_users(reader):
        offered = access.may_own()
        if owner_id is not None:
            offered = or_(offered, User.id == owner_id)
        branches.append(
            select(
                literal("owner"), User.id, cast(null(), String), User.name, cast(null(), JSON)
            ).where(offered)
        )
    owners: list[Choice] = []
    sectors: list[Choice] = []
    for kind, record_id, slug, name, translations in session.execute(union_all(*branches)):
        if kind == "owner":
            owners.append(Choice(record_id, name))
        else:
            sectors.append(Choice(slug, translated_name(name, translations)))
    language = current_language()
    owners.sort(key=lambda choice: sort_key(choice.label, language))
    sectors.sort(key=lambda choice: sort_key(choice.label, language))
    return FilterChoices(owners=owners, sectors=sectors)
