"""Choosing people and organisations in a form without sending every one to the browser.

With a few hundred of them a select lists them all, as it always did. Beyond that
(`PEOPLE_SELECT_LIMIT` and `ORGANISATION_SELECT_LIMIT`, 300 by default) it holds only the chosen
ones and the matches of a search typed beside it, as the pairing form's locality selects do
(crm/localities/picker.py): htmx fills the options as one types (`/people/options`,
`/organisations/options`), and without JavaScript the search is sent with the form, which comes
back with the matches to choose from. A register of 200,000 people made the "add a person to
this pairing" page a 10-second, many-megabyte select; 10,000 organisations made every person's
form a 0.4-second one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from flask import current_app
from flask_babel import gettext
from sqlalchemy import Select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from crm.contacts.models import Organisation, Person
from crm.contacts.queries import (
    active_organisations,
    active_people,
    people_on,
    search_organisations,
    search_people,
)
from crm.db import session
from crm.partnerships.models import Partnership
from crm.routing import record_id_in

DEFAULT_SELECT_LIMIT = 300
MATCH_LIMIT = 50


class _Record(Protocol):
    id: int


R = TypeVar("R", bound=_Record)


def select_limit() -> int:
    return int(current_app.config.get("PEOPLE_SELECT_LIMIT", DEFAULT_SELECT_LIMIT))


def _beyond(statement: Select, limit: int) -> bool:  # type: ignore[type-arg]
    """Whether `statement` has a row past the first `limit`: a look at one row, not a count of
    them all."""
    return session.scalar(statement.offset(limit).limit(1)) is not None


def _once_each(*groups: Iterable[R]) -> list[R]:
    """The records of `groups` in order, each once: a select lists an option once."""
    records: dict[int, R] = {}
    for group in groups:
        for record in group:
            records.setdefault(record.id, record)
    return list(records.values())


# People ---------------------------------------------------------------------------------------


def needs_search() -> bool:
    """True when there are too many people to list them all in a select."""
    return _beyond(active_people().with_only_columns(Person.id), select_limit())


def option_label(person: Person) -> str:
    organisation = person.organisation
    return person.full_name + (f" · {organisation.name}" if organisation else "")


def merge_label(person: Person) -> str:
    """A merge candidate as the merge form shows it: two records of one name are what it is
    for, so the address and the number tell them apart."""
    no_email = gettext("no e-mail")  # outside the f-string, where Babel finds it
    return f"{person.full_name} ({person.email or no_email}, #{person.id})"


def merge_value(person: Person) -> str:
    """A merge option's value, "ID:VERSION": the person as the admin's page showed them, so that
    one edited, deleted or merged since is not merged unseen (crm/contacts/forms.py)."""
    return f"{person.id}:{person.version}"


def merge_value_in(text: str) -> tuple[int, int] | None:
    """A merge option's value as posted, as (id, version), or None for a value no page gives."""
    person_text, _, version_text = text.partition(":")
    # Numbers the databases can hold, the version as well as the id: no page gave others.
    person_id, version = record_id_in(person_text), record_id_in(version_text)
    return (person_id, version) if person_id and version else None


def all_choices() -> list[SelectChoice]:
    people = session.scalars(
        active_people()
        .options(selectinload(Person.organisation))
        .order_by(Person.name_folded, Person.id)
    ).all()
    return [placeholder()] + [SelectChoice(person.id, option_label(person)) for person in people]


def matches(query: str, *, leaving_out: int | None = None) -> list[Person]:
    """The first people whose name or address holds every word of `query`; `leaving_out`: the
    record a merge form is on, which cannot be merged into itself."""
    if not query.strip():
        return []
    statement = search_people(query)
    if leaving_out is not None:
        statement = statement.where(Person.id != leaving_out)
    return list(
        session.scalars(
            statement.options(selectinload(Person.organisation))
            .order_by(Person.name_folded, Person.id)
            .limit(MATCH_LIMIT)
        )
    )


def chosen(person_ids: Iterable[int]) -> list[Person]:
    """The people a select holds now who are still in the directory."""
    ids = {person_id for person_id in person_ids if person_id}
    if not ids:
        return []
    return list(
        session.scalars(
            active_people()
            .options(selectinload(Person.organisation))
            .where(Person.id.in_(ids))
            .order_by(Person.name_folded, Person.id)
        )
    )


def search_candidates(selected_id: int, query: str) -> list[Person]:
    """Whom a searched select offers: the chosen person, then the matches of what was typed."""
    found = matches(query)
    held = [] if selected_id in {person.id for person in found} else chosen([selected_id])
    return _once_each(held, found)


def searched_choices(selected_id: int, query: str) -> list[SelectChoice]:
    """The chosen person and the matches of what was typed: two statements at most (and one for
    their organisations)."""
    people = search_candidates(selected_id, query)
    return [placeholder()] + [SelectChoice(person.id, option_label(person)) for person in people]


def participant_candidates(
    partnership: Partnership, selected_ids: Iterable[int], query: str
) -> list[Person]:
    """Whom a meeting's participant select offers when there are too many people to list: the
    pairing's own people (who attend most), those chosen, then the matches of the search."""
    return _once_each(people_on(partnership), chosen(selected_ids), matches(query))


def merge_candidates(
    survivor: Person, *, duplicates: list[Person], selected_id: int, query: str
) -> list[Person]:
    """Whom the merge form offers when there are too many people to list: the possible
    duplicates of `survivor` (what one merges, mostly), the one chosen, and the matches of the
    search typed beside the select; never the survivor."""
    people = _once_each(duplicates, chosen([selected_id]), matches(query, leaving_out=survivor.id))
    return [person for person in people if person.id != survivor.id]


def merge_choices(
    survivor: Person, *, duplicates: list[Person], selected_id: int, query: str
) -> list[SelectChoice]:
    candidates = merge_candidates(
        survivor, duplicates=duplicates, selected_id=selected_id, query=query
    )
    return [merge_placeholder()] + [
        SelectChoice(merge_value(person), merge_label(person)) for person in candidates
    ]


def placeholder() -> SelectChoice:
    return SelectChoice(0, gettext("Choose a person…"))


def merge_placeholder() -> SelectChoice:
    return SelectChoice(0, gettext("Choose the duplicate…"))


# Organisations --------------------------------------------------------------------------------


def organisations_need_search() -> bool:
    """True when there are too many organisations to list them all in a select."""
    limit = int(current_app.config.get("ORGANISATION_SELECT_LIMIT", DEFAULT_SELECT_LIMIT))
    return _beyond(active_organisations().with_only_columns(Organisation.id), limit)


def organisation_label(organisation: Organisation) -> str:
    """An organisation as a searched select shows it: names repeat from town to town ("Občina
    Maribor" in Slovenia, the chamber of commerce of every city), so its city and country tell
    them apart."""
    place = [part for part in (organisation.city, organisation.country_code) if part]
    return " · ".join([organisation.name, ", ".join(place)] if place else [organisation.name])


def organisation_candidates(selected_id: int, query: str) -> list[Organisation]:
    """Which organisations a searched select offers: the chosen one if it is not deleted, then
    the first whose name holds every word of `query` (folded: "stajerska" finds Štajerska)."""
    held: list[Organisation] = []
    if selected_id:
        held = list(session.scalars(active_organisations().where(Organisation.id == selected_id)))
    found: list[Organisation] = []
    if query.strip():
        found = list(
            session.scalars(
                search_organisations(query)
                .order_by(Organisation.name_folded, Organisation.id)
                .limit(MATCH_LIMIT)
            )
        )
    return _once_each(held, found)
