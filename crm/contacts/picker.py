"""Choosing a person in a form without sending every person to the browser.

With a few hundred people the select lists them all, as it always did. Beyond that
(`PEOPLE_SELECT_LIMIT`, 300 by default) it holds only the chosen one and the matches of a search
typed beside it, as the pairing form's locality selects do (crm/localities/picker.py): htmx
fills the options as one types (`/people/options`), and without JavaScript the search is sent
with the form, which comes back with the matches to choose from. A register of 200,000 people
made the "add a person to this pairing" page a 10-second, many-megabyte select.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from crm.contacts.models import Person
from crm.contacts.queries import active_people, search_people
from crm.db import session

DEFAULT_SELECT_LIMIT = 300
MATCH_LIMIT = 50


def select_limit() -> int:
    return int(current_app.config.get("PEOPLE_SELECT_LIMIT", DEFAULT_SELECT_LIMIT))


def needs_search() -> bool:
    """True when there are too many people to list them all in a select."""
    # Whether a person exists past the limit: a look at one row, not a count of them all.
    beyond = active_people().with_only_columns(Person.id).offset(select_limit()).limit(1)
    return session.scalar(beyond) is not None


def option_label(person: Person) -> str:
    organisation = person.organisation
    return person.full_name + (f" · {organisation.name}" if organisation else "")


def merge_label(person: Person) -> str:
    """A merge candidate as the merge form shows it: two records of one name are what it is
    for, so the address and the number tell them apart."""
    no_email = gettext("no e-mail")  # outside the f-string, where Babel finds it
    return f"{person.full_name} ({person.email or no_email}, #{person.id})"


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


def chosen(person_id: int) -> Person | None:
    """The person a select holds now, if they are still in the directory."""
    if not person_id:
        return None
    return session.scalar(
        active_people().options(selectinload(Person.organisation)).where(Person.id == person_id)
    )


def search_candidates(selected_id: int, query: str) -> list[Person]:
    """Whom a searched select offers: the chosen person, then the matches of what was typed."""
    found = {person.id: person for person in matches(query)}
    selected = chosen(selected_id) if selected_id not in found else None
    return ([selected] if selected else []) + list(found.values())


def searched_choices(selected_id: int, query: str) -> list[SelectChoice]:
    """The chosen person and the matches of what was typed: two statements at most (and one for
    their organisations)."""
    people = search_candidates(selected_id, query)
    return [placeholder()] + [SelectChoice(person.id, option_label(person)) for person in people]


def merge_candidates(
    survivor: Person, *, duplicates: list[Person], selected_id: int, query: str
) -> list[Person]:
    """Whom the merge form offers when there are too many people to list: the possible
    duplicates of `survivor` (what one merges, mostly), the one chosen, and the matches of the
    search typed beside the select; never the survivor."""
    people = {person.id: person for person in duplicates if person.id != survivor.id}
    if selected_id and selected_id not in people and selected_id != survivor.id:
        selected = chosen(selected_id)
        if selected is not None:
            people[selected.id] = selected
    for person in matches(query, leaving_out=survivor.id):
        people.setdefault(person.id, person)
    return list(people.values())


def merge_choices(
    survivor: Person, *, duplicates: list[Person], selected_id: int, query: str
) -> list[SelectChoice]:
    candidates = merge_candidates(
        survivor, duplicates=duplicates, selected_id=selected_id, query=query
    )
    return [merge_placeholder()] + [
        SelectChoice(person.id, merge_label(person)) for person in candidates
    ]


def placeholder() -> SelectChoice:
    return SelectChoice(0, gettext("Choose a person…"))


def merge_placeholder() -> SelectChoice:
    return SelectChoice(0, gettext("Choose the duplicate…"))
