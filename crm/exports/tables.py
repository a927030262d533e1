"""What each list exports: its columns, and its rows as the user sees them with the list's
filters. Every query starts from `crm.access` (pairings, and what belongs to them) or from the
same query the list page runs, so an export never shows more than the page."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from crm import access
from crm.activities.models import Activity
from crm.auth.models import User
from crm.contacts import queries as contact_queries
from crm.contacts.models import Organisation, PartnershipRole, Person
from crm.db import session
from crm.formula_guard import Cell
from crm.localities import services as locality_services
from crm.localities.models import Locality
from crm.partnerships import queries as pipeline_queries
from crm.partnerships.models import StageChange, Status
from crm.routing import record_id_filter
from crm.tasks.models import Task, TaskStatus
from crm.tasks.queries import visible_tasks

BATCH = 1000


@dataclass(frozen=True)
class Table:
    key: str
    # The sheet's name in an XLSX and the file's in the manifest, in the reader's language; the
    # column names are identifiers, the same in every language (an import reads them back).
    title: LazyString
    header: tuple[str, ...]
    rows: Callable[[User, Mapping[str, str]], Iterator[tuple[Cell, ...]]]
    in_lists: bool = True  # False: only in the full export
    # What the list's `status` filter may be; another value is refused by the view rather than
    # left out, which would export every row instead of the ones asked for.
    statuses: frozenset[str] = frozenset()


def _text(value: Any) -> Cell:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return str(value)


def _stream(statement: Select[Any]) -> Iterator[Any]:
    """Rows a batch at a time, so a large export is never all in memory."""
    yield from session.scalars(statement.execution_options(yield_per=BATCH))


def _colleague(reader: User) -> Callable[[User | None], str]:
    """How an owner or assignee is written: staff by e-mail, the key an import reads back; a
    partner, who may not see the staff list, by the name their pages show."""
    if access.can_see_other_users(reader):
        return lambda someone: someone.email if someone else ""
    return lambda someone: someone.name if someone else ""


def _pairings(user: User, args: Mapping[str, str]) -> Iterator[tuple[Cell, ...]]:
    owner = _colleague(user)
    filters = pipeline_queries.filters_from(args)
    statement = pipeline_queries.filtered(access.visible_partnerships(user), filters)
    ordered = pipeline_queries._order(statement, filters.sort)
    for p in _stream(pipeline_queries.with_card_details(ordered)):
        yield tuple(
            _text(value)
            for value in (
                p.id,
                p.title,
                p.locality_a.name,
                p.locality_a.country_code,
                p.locality_b.name,
                p.locality_b.country_code,
                p.stage.key,
                p.status,
                owner(p.owner),
                "; ".join(sector.slug for sector in p.sectors),
                p.first_contact_on,
                p.target_signing_on,
                p.signed_on,
                p.summary,
                p.created_at,
                p.last_activity_at,
            )
        )


def _localities(user: User, args: Mapping[str, str]) -> Iterator[tuple[Cell, ...]]:
    statement = locality_services.search_localities(
        args.get("q", "")[:200], args.get("country", "")[:2]
    ).where(Locality.id.in_(access.visible_localities(user).with_only_columns(Locality.id)))
    for loc in _stream(statement):
        yield tuple(
            _text(v)
            for v in (
                loc.id,
                loc.name,
                loc.country_code,
                loc.kind,
                loc.name_en,
                loc.subdivision_code,
            )
        )


def _people(user: User, args: Mapping[str, str]) -> Iterator[tuple[Cell, ...]]:
    statement = (
        contact_queries.search_people(args.get("q", "")[:200])
        .options(selectinload(Person.organisation))
        .order_by(Person.name_folded, Person.id)
    )
    for person in _stream(statement):
        yield tuple(
            _text(v)
            for v in (
                person.id,
                person.full_name,
                person.email,
                person.organisation.name if person.organisation else "",
                person.position,
                person.phone,
                person.country_code,
                person.preferred_language,
                person.notes,
            )
        )


def _organisations(user: User, args: Mapping[str, str]) -> Iterator[tuple[Cell, ...]]:
    statement = contact_queries.search_organisations(args.get("q", "")[:200]).order_by(
        Organisation.name_folded, Organisation.id
    )
    for org in _stream(statement):
        yield tuple(
            _text(v)
            for v in (
                org.id,
                org.name,
                org.country_code,
                org.kind,
                org.city,
                org.website,
                org.notes,
            )
        )


def _tasks(user: User, args: Mapping[str, str]) -> Iterator[tuple[Cell, ...]]:
    """Tasks on the pairings the user sees: `mine=1` (My tasks), `partnership=ID`,
    `status=open|done`."""
    statement = visible_tasks(user)
    if args.get("mine"):
        statement = statement.where(Task.assignee_id == user.id)
    partnership_id = record_id_filter(args.get("partnership", ""))
    if partnership_id is not None:
        statement = statement.where(Task.partnership_id == partnership_id)
    if args.get("status") in {status.value for status in TaskStatus}:
        statement = statement.where(Task.status == args["status"])
    statement = statement.options(
        selectinload(Task.partnership), selectinload(Task.assignee)
    ).order_by(Task.due_on.is_(None), Task.due_on, Task.id)
    assignee = _colleague(user)
    for task in _stream(statement):
        yield tuple(
            _text(v)
            for v in (
                task.id,
                task.partnership_id,
                task.partnership.title,
                task.title,
                task.description,
                assignee(task.assignee),
                task.due_on,
                task.priority,
                task.status,
                task.completed_at,
            )
        )


def _activities(user: User, args: Mapping[str, str]) -> Iterator[tuple[Cell, ...]]:
    """Meetings, calls and letters on the pairings the user sees; `partnership=ID` for one."""
    statement = select(Activity).where(
        Activity.partnership_id.in_(access.visible_partnership_ids(user))
    )
    partnership_id = record_id_filter(args.get("partnership", ""))
    if partnership_id is not None:
        statement = statement.where(Activity.partnership_id == partnership_id)
    statement = statement.options(
        selectinload(Activity.partnership), selectinload(Activity.participants)
    ).order_by(Activity.occurred_at.desc(), Activity.id.desc())
    for activity in _stream(statement):
        yield tuple(
            _text(v)
            for v in (
                activity.id,
                activity.partnership_id,
                activity.partnership.title,
                activity.kind,
                activity.occurred_at,
                activity.place,
                "; ".join(person.full_name for person in activity.participants),
                activity.summary,
            )
        )


def _history(user: User, args: Mapping[str, str]) -> Iterator[tuple[Cell, ...]]:
    statement = (
        select(StageChange)
        .where(StageChange.partnership_id.in_(access.visible_partnership_ids(user)))
        .options(*pipeline_queries.HISTORY_LOADS)
        .order_by(StageChange.partnership_id, StageChange.changed_at, StageChange.id)
    )
    for change in _stream(statement):
        yield tuple(
            _text(v)
            for v in (
                change.id,
                change.partnership_id,
                change.from_stage.key if change.from_stage else "",
                change.to_stage.key,
                change.from_status or "",
                change.to_status,
                change.changed_by.email,
                change.changed_at,
                change.note,
            )
        )


def _roles(user: User, args: Mapping[str, str]) -> Iterator[tuple[Cell, ...]]:
    statement = (
        select(PartnershipRole)
        .where(PartnershipRole.partnership_id.in_(access.visible_partnership_ids(user)))
        .order_by(PartnershipRole.id)
    )
    for role in _stream(statement):
        yield (role.id, role.partnership_id, role.person_id, role.side, role.role)


TABLES = {
    table.key: table
    for table in (
        Table(
            "pairings",
            _l("Pairings"),
            (
                "id",
                "title",
                "locality_a",
                "country_a",
                "locality_b",
                "country_b",
                "stage",
                "status",
                "owner",
                "sectors",
                "first_contact_on",
                "target_signing_on",
                "signed_on",
                "summary",
                "created_at (UTC)",
                "last_activity_at (UTC)",
            ),
            _pairings,
            statuses=frozenset(status.value for status in Status),
        ),
        Table(
            "localities",
            _l("Localities"),
            ("id", "name", "country", "kind", "name_en", "subdivision"),
            _localities,
        ),
        Table(
            "people",
            _l("People"),
            (
                "id",
                "full_name",
                "email",
                "organisation",
                "position",
                "phone",
                "country",
                "preferred_language",
                "notes",
            ),
            _people,
        ),
        Table(
            "organisations",
            _l("Organisations"),
            ("id", "name", "country", "kind", "city", "website", "notes"),
            _organisations,
        ),
        Table(
            "tasks",
            _l("Tasks"),
            (
                "id",
                "pairing_id",
                "pairing",
                "title",
                "description",
                "assignee",
                "due_on",
                "priority",
                "status",
                "completed_at (UTC)",
            ),
            _tasks,
            statuses=frozenset(status.value for status in TaskStatus),
        ),
        Table(
            "activities",
            _l("Activities"),
            (
                "id",
                "pairing_id",
                "pairing",
                "kind",
                "occurred_at (UTC)",
                "place",
                "participants",
                "summary",
            ),
            _activities,
        ),
        Table(
            "stage_changes",
            _l("Stage history"),
            (
                "id",
                "pairing_id",
                "from_stage",
                "to_stage",
                "from_status",
                "to_status",
                "by",
                "changed_at (UTC)",
                "note",
            ),
            _history,
            in_lists=False,
        ),
        Table(
            "roles",
            _l("Roles on pairings"),
            ("id", "pairing_id", "person_id", "side", "role"),
            _roles,
            in_lists=False,
        ),
    )
}
