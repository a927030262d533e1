"""One search box for everything: pairings, localities, people, organisations and tasks.

Each kind is matched on its folded (lower-case, diacritics-stripped) column, so "Stajerska"
finds "Štajerska" on SQLite and PostgreSQL alike; each kind is one statement with a limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy import false, true
from sqlalchemy.orm import selectinload

from crm import access
from crm.contacts import queries as contact_queries
from crm.contacts.models import Organisation, Person
from crm.db import session
from crm.localities.models import Locality
from crm.partnerships import queries as partnership_queries
from crm.tasks import queries as task_queries
from crm.text_search import fold, matches_every_word

bp = Blueprint("search", __name__)
PER_KIND = 10
QUERY_MAX_LENGTH = 200


@dataclass(frozen=True)
class ResultGroup:
    key: str
    title: str
    items: Sequence[Any]
    more_url: str | None

    @property
    def has_more(self) -> bool:
        return len(self.items) > PER_KIND


@bp.get("/search")
@login_required
def index() -> ResponseReturnValue:
    q = request.args.get("q", "")[:QUERY_MAX_LENGTH].strip()
    groups: list[ResultGroup] = []
    if fold(q):
        groups = _search(q)
    total = sum(min(len(group.items), PER_KIND) for group in groups)
    return render_template(
        "search/index.html",
        q=q,
        groups=groups,
        total=total,
        # The count is of what is shown: with a kind cut short, the matches are more.
        cut_short=any(group.has_more for group in groups),
        per_kind=PER_KIND,
    )


def _search(q: str) -> list[ResultGroup]:
    limit = PER_KIND + 1  # one more than shown tells whether to offer "more"
    # Newest activity first, as the list's default sort: its ids picked from the index alone,
    # which carries what the words are tested against (a word in no pairing read every row).
    by_words = partnership_queries.PartnershipFilters(q=q)
    pairings = partnership_queries.page_of(
        partnership_queries.filtered(access.visible_partnerships(current_user), by_words),
        by_words,
        page=1,
        per_page=limit,
    )
    localities = session.scalars(
        access.visible_localities(current_user)
        .where(matches_every_word(q, Locality.search_folded))
        .order_by(Locality.name_folded, Locality.id)
        .limit(limit)
    ).all()
    # The contact directories are the rest of the pipeline for a partner: not searched for them.
    sees_contacts = access.can_see_other_users(current_user)
    people = session.scalars(
        contact_queries.search_people(q)
        .where(true() if sees_contacts else false())
        .options(selectinload(Person.organisation))
        .order_by(Person.name_folded, Person.id)
        .limit(limit)
    ).all()
    organisations = session.scalars(
        contact_queries.search_organisations(q)
        .where(true() if sees_contacts else false())
        .order_by(Organisation.name_folded, Organisation.id)
        .limit(limit)
    ).all()
    tasks = task_queries.search(current_user, q, limit=limit)
    groups = [
        ResultGroup("pairings", gettext("Pairings"), pairings, url_for("partnerships.index", q=q)),
        ResultGroup(
            "localities", gettext("Localities"), localities, url_for("localities.index", q=q)
        ),
    ]
    if sees_contacts:
        groups += [
            ResultGroup("people", gettext("People"), people, url_for("contacts.people", q=q)),
            ResultGroup(
                "organisations",
                gettext("Organisations"),
                organisations,
                url_for("contacts.organisations", q=q),
            ),
        ]
    return [*groups, ResultGroup("tasks", gettext("Tasks"), tasks, None)]
