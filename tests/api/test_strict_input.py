"""Dates, times and booleans have the JSON type the OpenAPI document gives, and nothing else.

pydantic on its own reads "1797638400" as a date counted in seconds, cuts a datetime down to a
date, and takes "yes" or 1 for true; the API refuses each as a 422 naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from crm.activities.models import Activity
from crm.api.openapi import OPERATIONS
from crm.contacts.models import Person
from crm.db import session
from crm.partnerships.models import Partnership
from crm.tasks.models import Task
from tests.api.conftest import Api
from tests.factories import make_locality, make_partnership, make_person, make_task


@dataclass(frozen=True)
class Place:
    """Where a date or time goes in: the request, a body that is otherwise valid, the field."""

    schema_field: str  # "Model.field" as the OpenAPI document names it
    method: str
    path: str
    body: dict[str, Any] | None
    field: str  # as the 422 names it

    def send(self, api: Api, ids: dict[str, int], value: Any) -> Any:
        path = self.path.format(**ids)
        if self.body is None:  # a query parameter
            return api.call(self.method, path, query_string={self.field: value})
        body = {
            key: ids[item[1:-1]] if isinstance(item, str) and item.startswith("{") else item
            for key, item in self.body.items()
        }
        if "." in self.field:  # a task within the activity's list
            body["follow_up_tasks"] = [{"title": "Write back", "due_on": value}]
        else:
            body[self.field] = value
        return api.call(self.method, path, body)


DATES = (
    [
        Place(
            f"PartnershipCreate.{name}",
            "POST",
            "/partnerships",
            {"locality_a_id": "{locality_a}", "locality_b_id": "{locality_b}"},
            name,
        )
        for name in ("first_contact_on", "target_signing_on", "signed_on")
    ]
    + [
        Place(
            f"PartnershipUpdate.{name}",
            "PATCH",
            "/partnerships/{partnership}",
            {"version": "{version}"},
            name,
        )
        for name in ("first_contact_on", "target_signing_on", "signed_on")
    ]
    + [
        Place(
            "TaskCreate.due_on",
            "POST",
            "/partnerships/{partnership}/tasks",
            {"title": "x"},
            "due_on",
        ),
        Place(
            "TaskUpdate.due_on", "PATCH", "/tasks/{task}", {"version": "{task_version}"}, "due_on"
        ),
    ]
)
DATETIMES = [
    Place(
        "ActivityCreate.occurred_at",
        "POST",
        "/partnerships/{partnership}/activities",
        {"kind": "call"},
        "occurred_at",
    ),
    Place("PartnershipQuery.updated_since", "GET", "/partnerships", None, "updated_since"),
]
FOLLOW_UP = Place(
    "ActivityCreate.follow_up_tasks",
    "POST",
    "/partnerships/{partnership}/activities",
    {"kind": "call", "occurred_at": "2026-02-13T10:00:00+01:00"},
    "follow_up_tasks.0.due_on",
)
# Counted in seconds since 1970 (2026-12-19, 2027-01-15, 2023-11-14), with a fraction, or short.
SECONDS = ["1797638400", "1800000000", "1700000000", "1797638400.5", "20261220"]


@pytest.fixture
def ids(app: Flask) -> dict[str, int]:
    with app.app_context():
        partnership = make_partnership()
        task = make_task(partnership)
        locality_a, locality_b = make_locality(), make_locality(country_code="AT")
        session.commit()
        return {
            "locality_a": locality_a.id,
            "locality_b": locality_b.id,
            "partnership": partnership.id,
            "version": partnership.version,
            "task": task.id,
            "task_version": task.version,
        }


def rows(app: Flask) -> tuple[int, ...]:
    """What a refused write must leave as it was."""
    with app.app_context():
        counted = tuple(
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Partnership, Task, Activity)
        )
        versions = tuple(session.scalars(select(Partnership.version).order_by(Partnership.id)))
        task_versions = tuple(session.scalars(select(Task.version).order_by(Task.id)))
        return counted + versions + task_versions


def assert_refused(app: Flask, response: Any, field: str, before: tuple[int, ...]) -> None:
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert field in error["fields"], error
    assert "ISO 8601" in error["fields"][field][0]
    assert rows(app) == before


@pytest.mark.parametrize("value", SECONDS)
@pytest.mark.parametrize(
    "place", [*DATES, *DATETIMES, FOLLOW_UP], ids=lambda place: place.schema_field
)
def test_a_date_or_time_counted_in_seconds_is_422_naming_the_field(
    app: Flask, api: Api, ids: dict[str, int], place: Place, value: str
) -> None:
    before = rows(app)
    assert_refused(app, place.send(api, ids, value), place.field, before)


@pytest.mark.parametrize(
    "value", ["2026-12-20T00:00:00", "2026-12-20T00:00:00+01:00", "2026-12-20 00:00"]
)
@pytest.mark.parametrize("place", [*DATES, FOLLOW_UP], ids=lambda place: place.schema_field)
def test_a_datetime_is_not_a_date(
    app: Flask, api: Api, ids: dict[str, int], place: Place, value: str
) -> None:
    before = rows(app)
    assert_refused(app, place.send(api, ids, value), place.field, before)


def test_iso_8601_text_is_still_taken(app: Flask, api: Api, ids: dict[str, int]) -> None:
    task = api.post(
        f"/partnerships/{ids['partnership']}/tasks", {"title": "x", "due_on": "2026-12-20"}
    )
    assert task.status_code == 201
    assert task.get_json()["due_on"] == "2026-12-20"
    activity = api.post(
        f"/partnerships/{ids['partnership']}/activities",
        {"kind": "call", "occurred_at": "2026-02-13T10:00:00+01:00"},
    )
    assert activity.status_code == 201
    assert activity.get_json()["occurred_at"] == "2026-02-13T09:00:00+00:00"
    since = api.get("/partnerships", query_string={"updated_since": "2000-01-01T00:00:00Z"})
    assert [item["id"] for item in since.get_json()["items"]] == [ids["partnership"]]


@pytest.mark.parametrize("value", ["yes", "true", "false", 1, 0, None, [True]])
def test_create_anyway_must_be_a_json_boolean(app: Flask, api: Api, value: Any) -> None:
    with app.app_context():
        make_person("Test Person7")
        session.commit()
    response = api.post("/people", {"full_name": "Test Person7", "create_anyway": value})
    assert response.status_code == 422, response.get_json()
    assert "create_anyway" in response.get_json()["error"]["fields"]
    with app.app_context():
        assert session.scalar(select(func.count()).select_from(Person)) == 1


def test_create_anyway_true_still_creates_the_look_alike(app: Flask, api: Api) -> None:
    with app.app_context():
        make_person("Test Person7")
        session.commit()
    assert api.post("/people", {"full_name": "Test Person7"}).status_code == 409
    response = api.post("/people", {"full_name": "Test Person7", "create_anyway": True})
    assert response.status_code == 201


BOOLEANS = {"PersonCreate.create_anyway"}


def _typed_fields(kinds_wanted: set[str]) -> set[str]:
    """Every field of a request body or query string whose OpenAPI format or type is one of
    `kinds_wanted` ("date", "date-time", "boolean"), as "Model.field"."""

    def kinds(schema: dict[str, Any]) -> set[str]:
        found = {schema.get("format", ""), schema.get("type", "")}
        for option in schema.get("anyOf", []):
            found |= kinds(option)
        return found

    models = {model for op in OPERATIONS for model in (op.body, op.query) if model is not None}
    return {
        f"{model.__name__}.{name}"
        for model in models
        for name, schema in model.model_json_schema()["properties"].items()
        if kinds(schema) & kinds_wanted
    }


def test_every_date_time_and_boolean_field_is_tested_here() -> None:
    """A new date, time or boolean field of the API joins the lists above, and so is tested."""
    assert _typed_fields({"date", "date-time"}) == {p.schema_field for p in DATES + DATETIMES}
    assert _typed_fields({"boolean"}) == BOOLEANS
