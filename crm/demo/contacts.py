"""The people, organisations, meetings and follow-up tasks of the Maribor – Kyzylorda case.

Each piece is looked up before it is added, so loading twice adds nothing. Due dates count from
the day of loading, so some tasks are always overdue in a fresh demo.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from crm.activities import services as activity_services
from crm.activities.models import Activity
from crm.auth.models import User
from crm.contacts import services as contact_services
from crm.contacts.models import Organisation, PartnershipRole, Person
from crm.db import session
from crm.demo import data
from crm.partnerships.models import Partnership
from crm.tasks import services as task_services
from crm.tasks.models import Task
from crm.text_search import fold


def load_case(partnership: Partnership, users: dict[str, User], *, today: date) -> None:
    organisations = {demo.key: _organisation(demo) for demo in data.ORGANISATIONS}
    people = {demo.key: _person(demo, organisations) for demo in data.PEOPLE}
    for demo in data.PEOPLE:
        _role(partnership, people[demo.key], demo.side, demo.role)
    owner = partnership.owner
    first_meeting = None
    for demo_activity in data.ACTIVITIES:
        activity = _activity(partnership, demo_activity, people, owner)
        first_meeting = first_meeting or activity
    for demo_task in data.TASKS:
        _task(partnership, demo_task, users, today, first_meeting)


def _organisation(demo: data.DemoOrganisation) -> Organisation:
    existing = session.scalar(
        select(Organisation).where(Organisation.name_folded == fold(demo.name))
    )
    if existing is not None:
        return existing
    return contact_services.create_organisation(
        contact_services.OrganisationData(
            name=demo.name,
            kind=demo.kind,
            country_code=demo.country,
            city=demo.city,
            website=demo.website,
        )
    )


def _person(demo: data.DemoPerson, organisations: dict[str, Organisation]) -> Person:
    existing = session.scalar(select(Person).where(Person.name_folded == fold(demo.full_name)))
    if existing is not None:
        return existing
    return contact_services.create_person(
        contact_services.PersonData(
            full_name=demo.full_name,
            position=demo.position,
            organisation_id=organisations[demo.organisation].id,
            country_code=demo.country,
            preferred_language=demo.language,
        )
    )


def _role(partnership: Partnership, person: Person, side: str, role: str) -> None:
    existing = session.scalar(
        select(PartnershipRole.id).where(
            PartnershipRole.partnership_id == partnership.id,
            PartnershipRole.person_id == person.id,
            PartnershipRole.side == side,
        )
    )
    if existing is None:
        contact_services.add_role(partnership, person, side=side, role=role)


def _activity(
    partnership: Partnership,
    demo: data.DemoActivity,
    people: dict[str, Person],
    by: User,
) -> Activity:
    at = datetime.fromisoformat(demo.on).replace(tzinfo=UTC)
    existing = session.scalar(
        select(Activity).where(
            Activity.partnership_id == partnership.id,
            Activity.kind == demo.kind,
            Activity.occurred_at == at,
        )
    )
    if existing is not None:
        return existing
    return activity_services.create_activity(
        partnership,
        activity_services.ActivityData(
            kind=demo.kind,
            occurred_at=at,
            place=demo.place,
            summary=demo.summary,
            participant_ids=[people[key].id for key in demo.participants],
        ),
        by=by,
    )


def _task(
    partnership: Partnership,
    demo: data.DemoTask,
    users: dict[str, User],
    today: date,
    source: Activity | None,
) -> None:
    existing = session.scalar(
        select(Task.id).where(
            Task.partnership_id == partnership.id, Task.title_folded == fold(demo.title)
        )
    )
    if existing is not None:
        return
    task_services.create_task(
        partnership,
        task_services.TaskData(
            title=demo.title,
            description=demo.description,
            assignee_id=users[demo.assignee].id,
            due_on=None if demo.due_in_days is None else today + timedelta(days=demo.due_in_days),
            priority=demo.priority,
        ),
        by=partnership.owner,
        activity_id=source.id if source is not None else None,
    )
