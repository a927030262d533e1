"""Small builders for test data, going through the services where rules apply.

Each returns the flushed model; the caller commits when requests must see it.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from werkzeug.security import generate_password_hash

from crm.activities.models import Activity
from crm.activities.services import ActivityData, create_activity
from crm.auth.models import User
from crm.contacts.models import Organisation, PartnershipRole, Person
from crm.contacts.services import (
    OrganisationData,
    PersonData,
    add_role,
    create_organisation,
    create_person,
)
from crm.db import session
from crm.localities.models import Locality
from crm.localities.services import LocalityData, create_locality
from crm.partnerships.models import Partnership
from crm.partnerships.services import PartnershipData, create_partnership
from crm.sectors.services import sector_by_slug
from crm.tasks.models import Task
from crm.tasks.services import TaskData, create_task

TEST_PASSWORD = "correct horse battery staple"
# Hashing with scrypt takes a noticeable moment; one hash serves every test user.
_PASSWORD_HASH = generate_password_hash(TEST_PASSWORD, method="scrypt")

_counter = itertools.count(1)


def reset_counters() -> None:
    global _counter
    _counter = itertools.count(1)


def make_user(role: str = "officer", **overrides: Any) -> User:
    number = next(_counter)
    values: dict[str, Any] = {
        "email": f"user{number}@example.com",
        "name": f"Test User {number}",
        "role": role,
        "session_token": f"token-{number}",
        "is_active": True,
        "password_hash": _PASSWORD_HASH,
    }
    values.update(overrides)
    user = User(**values)
    session.add(user)
    session.flush()
    return user


def make_locality(name: str | None = None, **overrides: Any) -> Locality:
    values: dict[str, Any] = {
        "name": name or f"Town {next(_counter)}",
        "kind": "city",
        "country_code": "SI",
    }
    values.update(overrides)
    return create_locality(LocalityData(**values))


def make_partnership(
    locality_a: Locality | None = None,
    locality_b: Locality | None = None,
    *,
    owner: User | None = None,
    by: User | None = None,
    sectors: tuple[str, ...] = (),
    stage_key: str = "prospect",
    at: datetime | None = None,
    **overrides: Any,
) -> Partnership:
    locality_a = locality_a or make_locality()
    locality_b = locality_b or make_locality(country_code="KZ")
    owner = owner or make_user()
    sector_ids = [sector.id for slug in sectors if (sector := sector_by_slug(slug))]
    data = PartnershipData(
        locality_a_id=locality_a.id,
        locality_b_id=locality_b.id,
        owner_id=owner.id,
        sector_ids=sector_ids,
        **overrides,
    )
    return create_partnership(data, by=by or owner, stage_key=stage_key, at=at)


def make_task(
    partnership: Partnership,
    *,
    title: str | None = None,
    assignee: User | None = None,
    due_on: date | None = None,
    by: User | None = None,
    **overrides: Any,
) -> Task:
    data = TaskData(
        title=title or f"Task {next(_counter)}",
        assignee_id=assignee.id if assignee else None,
        due_on=due_on,
        **overrides,
    )
    return create_task(partnership, data, by=by or partnership.owner)


def make_organisation(name: str | None = None, **overrides: Any) -> Organisation:
    return create_organisation(
        OrganisationData(name=name or f"Organisation {next(_counter)}", **overrides)
    )


def make_person(
    full_name: str | None = None, *, organisation: Organisation | None = None, **overrides: Any
) -> Person:
    return create_person(
        PersonData(
            full_name=full_name or f"Person {next(_counter)}",
            organisation_id=organisation.id if organisation else None,
            **overrides,
        ),
        even_if_likely_duplicate=True,  # tests make their look-alikes on purpose
    )


def make_role(
    partnership: Partnership, person: Person, *, side: str = "a", role: str = "mayor"
) -> PartnershipRole:
    return add_role(partnership, person, side=side, role=role)


def make_import_job(user_id: int, kind: str = "localities") -> str:
    """An uploaded (not yet previewed) import of a two-row CSV; returns its token."""
    from crm.imports import engine, jobs
    from crm.imports.kinds import IMPORTERS
    from crm.imports.reading import detect_format

    def save(path: Path) -> None:
        path.write_text("name,country\nMaribor,SI\n", encoding="utf-8")

    job = jobs.create_job(kind, user_id, "localities.csv", save)
    file_format = detect_format(job.upload_path)
    job.file_format = vars(file_format)
    job.headers = engine.read_header(job.upload_path, file_format)
    job.mapping = engine.guess_mapping(job.headers, IMPORTERS[kind].columns)
    jobs.save_job(job)
    return job.token


def make_activity(
    partnership: Partnership,
    *,
    kind: str = "meeting",
    at: datetime | None = None,
    participants: tuple[Person, ...] = (),
    by: User | None = None,
    **overrides: Any,
) -> Activity:
    data = ActivityData(
        kind=kind,
        occurred_at=at or datetime(2026, 2, 13, 9, 0, tzinfo=UTC),
        participant_ids=[person.id for person in participants],
        **overrides,
    )
    return create_activity(partnership, data, by=by or partnership.owner)


def session_id_of(user: User) -> str:
    """What flask-login keeps in the session cookie for `user` (id and session token)."""
    return user.get_id()
