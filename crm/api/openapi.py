"""The OpenAPI 3.1 document, built from the same pydantic models the endpoints use.

Each operation is declared once here; a test compares this list with the app's routes, so an
endpoint cannot exist without being documented, nor be documented without existing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from crm.api.schemas import (
    ActivityCreate,
    ActivityOut,
    ContactQuery,
    ErrorOut,
    ListQuery,
    LocalityCreate,
    LocalityOut,
    LocalityQuery,
    LocalityUpdate,
    OrganisationCreate,
    OrganisationOut,
    OrganisationUpdate,
    Page,
    PartnershipCreate,
    PartnershipOut,
    PartnershipQuery,
    PartnershipUpdate,
    PersonCreate,
    PersonOut,
    PersonUpdate,
    ReportQuery,
    SectorOut,
    ShareCreate,
    ShareOut,
    StageChangeCreate,
    StageChangeOut,
    StageOut,
    TaskCreate,
    TaskOut,
    TaskUpdate,
    WeeklyReportOut,
)
from crm.routing import MAX_RECORD_ID

REF = "#/components/schemas/{model}"


class PartnershipPage(Page[PartnershipOut]):
    pass


class LocalityPage(Page[LocalityOut]):
    pass


class StageChangePage(Page[StageChangeOut]):
    pass


class StagePage(Page[StageOut]):
    pass


class SectorPage(Page[SectorOut]):
    pass


class TaskPage(Page[TaskOut]):
    pass


class ActivityPage(Page[ActivityOut]):
    pass


class PersonPage(Page[PersonOut]):
    pass


class OrganisationPage(Page[OrganisationOut]):
    pass


class SharePage(Page[ShareOut]):
    pass


class NoContent(BaseModel):
    """Marks an operation that answers 204 with no body."""


ERROR_MEANINGS = {
    429: "Too many requests for this token; see Retry-After.",
    400: "The body is not valid JSON.",
    401: "No valid API token.",
    403: "Your role may not do this.",
    404: "Not found, or not visible to you.",
    409: "The version you sent is stale, or the change conflicts with another.",
    413: "The request is too large.",
    415: "The body is not application/json.",
    422: "A field or parameter is not valid; `fields` says which.",
}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    response: type[BaseModel]
    status: int = 200
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    errors: tuple[int, ...] = ()
    path_params: tuple[str, ...] = field(default=())
    public: bool = False


def _writes(*extra: int) -> tuple[int, ...]:
    return (400, 403, 413, 415, 422, *extra)


OPERATIONS = (
    Operation(
        "get",
        "/partnerships",
        "List the pairings you may see",
        PartnershipPage,
        query=PartnershipQuery,
        errors=(422,),
    ),
    Operation(
        "post",
        "/partnerships",
        "Create a pairing",
        PartnershipOut,
        201,
        body=PartnershipCreate,
        errors=_writes(409),
    ),
    Operation(
        "get",
        "/partnerships/{partnership_id}",
        "One pairing",
        PartnershipOut,
        errors=(404,),
        path_params=("partnership_id",),
    ),
    Operation(
        "patch",
        "/partnerships/{partnership_id}",
        "Change a pairing",
        PartnershipOut,
        body=PartnershipUpdate,
        errors=_writes(404, 409),
        path_params=("partnership_id",),
    ),
    Operation(
        "get",
        "/partnerships/{partnership_id}/stage-changes",
        "A pairing's history",
        StageChangePage,
        query=ListQuery,
        errors=(404, 422),
        path_params=("partnership_id",),
    ),
    Operation(
        "post",
        "/partnerships/{partnership_id}/stage-changes",
        "Move a pairing to another stage",
        PartnershipOut,
        201,
        body=StageChangeCreate,
        errors=_writes(404, 409),
        path_params=("partnership_id",),
    ),
    Operation(
        "get", "/localities", "List localities", LocalityPage, query=LocalityQuery, errors=(422,)
    ),
    Operation(
        "post",
        "/localities",
        "Create a locality",
        LocalityOut,
        201,
        body=LocalityCreate,
        errors=_writes(409),
    ),
    Operation(
        "get",
        "/localities/{locality_id}",
        "One locality",
        LocalityOut,
        errors=(404,),
        path_params=("locality_id",),
    ),
    Operation(
        "patch",
        "/localities/{locality_id}",
        "Change a locality",
        LocalityOut,
        body=LocalityUpdate,
        errors=_writes(404, 409),
        path_params=("locality_id",),
    ),
    Operation(
        "delete",
        "/partnerships/{partnership_id}",
        "Delete (archive) a pairing",
        NoContent,
        204,
        errors=(403, 404),
        path_params=("partnership_id",),
    ),
    Operation("get", "/stages", "The pipeline's stages, in order", StagePage),
    Operation("get", "/sectors", "The sector tags", SectorPage),
    Operation(
        "get",
        "/partnerships/{partnership_id}/tasks",
        "A pairing's tasks",
        TaskPage,
        query=ListQuery,
        errors=(404, 422),
        path_params=("partnership_id",),
    ),
    Operation(
        "post",
        "/partnerships/{partnership_id}/tasks",
        "Add a task",
        TaskOut,
        201,
        body=TaskCreate,
        errors=_writes(404),
        path_params=("partnership_id",),
    ),
    Operation(
        "patch",
        "/tasks/{task_id}",
        "Change, complete or reopen a task",
        TaskOut,
        body=TaskUpdate,
        errors=_writes(404, 409),
        path_params=("task_id",),
    ),
    Operation(
        "get",
        "/partnerships/{partnership_id}/activities",
        "A pairing's activities",
        ActivityPage,
        query=ListQuery,
        errors=(404, 422),
        path_params=("partnership_id",),
    ),
    Operation(
        "post",
        "/partnerships/{partnership_id}/activities",
        "Record a meeting, visit, call, letter, signing or note",
        ActivityOut,
        201,
        body=ActivityCreate,
        errors=_writes(404),
        path_params=("partnership_id",),
    ),
    # The directory is not a partner's: their token gets a 403 on these reads.
    Operation("get", "/people", "List people", PersonPage, query=ContactQuery, errors=(403, 422)),
    Operation(
        "post", "/people", "Add a person", PersonOut, 201, body=PersonCreate, errors=_writes(409)
    ),
    Operation(
        "get",
        "/people/{person_id}",
        "One person",
        PersonOut,
        errors=(403, 404),
        path_params=("person_id",),
    ),
    Operation(
        "patch",
        "/people/{person_id}",
        "Change a person",
        PersonOut,
        body=PersonUpdate,
        errors=_writes(404, 409),
        path_params=("person_id",),
    ),
    Operation(
        "get",
        "/organisations",
        "List organisations",
        OrganisationPage,
        query=ContactQuery,
        errors=(403, 422),
    ),
    Operation(
        "post",
        "/organisations",
        "Add an organisation",
        OrganisationOut,
        201,
        body=OrganisationCreate,
        errors=_writes(),
    ),
    Operation(
        "get",
        "/organisations/{organisation_id}",
        "One organisation",
        OrganisationOut,
        errors=(403, 404),
        path_params=("organisation_id",),
    ),
    Operation(
        "patch",
        "/organisations/{organisation_id}",
        "Change an organisation",
        OrganisationOut,
        body=OrganisationUpdate,
        errors=_writes(404, 409),
        path_params=("organisation_id",),
    ),
    Operation(
        "get",
        "/partnerships/{partnership_id}/shares",
        "Who a pairing is shared with",
        SharePage,
        errors=(403, 404),
        path_params=("partnership_id",),
    ),
    Operation(
        "post",
        "/partnerships/{partnership_id}/shares",
        "Share a pairing with a partner account",
        ShareOut,
        201,
        body=ShareCreate,
        errors=_writes(404),
        path_params=("partnership_id",),
    ),
    Operation(
        "delete",
        "/partnerships/{partnership_id}/shares/{user_id}",
        "Stop sharing a pairing with a partner account",
        NoContent,
        204,
        errors=(403, 404),
        path_params=("partnership_id", "user_id"),
    ),
    Operation(
        "get",
        "/reports/weekly/{iso_week}",
        "The weekly report's data",
        WeeklyReportOut,
        query=ReportQuery,
        errors=(422,),
        path_params=("iso_week",),
    ),
)


@cache
def document() -> dict[str, Any]:
    inputs = {op.body for op in OPERATIONS if op.body}
    outputs = {op.response for op in OPERATIONS if op.response is not NoContent} | {ErrorOut}
    _, definitions = models_json_schema(
        [(model, "validation") for model in inputs]
        + [(model, "serialization") for model in outputs],
        ref_template=REF,
    )
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Twinning API",
            "version": "1.0.0",
            "description": (
                "Pairings of cities and regions, their stages and history. Authenticate with a "
                "personal token: `Authorization: Bearer TOKEN` (create one on your Account page "
                "or with `flask users token EMAIL`). JSON in and out; lists take `limit` "
                "(max 200) and an opaque `cursor`."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "schemas": definitions.get("$defs", {}),
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }


def _operation(op: Operation) -> dict[str, Any]:
    name = op.response.__name__
    success: dict[str, Any] = {"description": op.summary}
    if op.response is not NoContent:
        success["content"] = {"application/json": {"schema": {"$ref": REF.format(model=name)}}}
    responses: dict[str, Any] = {str(op.status): success}
    for status in sorted({*op.errors, 401, 429}):
        responses[str(status)] = {
            "description": ERROR_MEANINGS[status],
            "content": {"application/json": {"schema": {"$ref": REF.format(model="ErrorOut")}}},
        }
    operation: dict[str, Any] = {
        "operationId": _operation_id(op),
        "summary": op.summary,
        "responses": responses,
        "parameters": [_path_parameter(name) for name in op.path_params],
    }
    if op.query is not None:
        operation["parameters"] += _query_parameters(op.query)
    if op.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": REF.format(model=op.body.__name__)}}
            },
        }
    return operation


def _operation_id(op: Operation) -> str:
    """ "get_partnerships_partnership_id_stage_changes", from the method and the path."""
    words = "".join(ch if ch.isalnum() else " " for ch in op.path).split()
    return "_".join([op.method, *words])


def _path_parameter(name: str) -> dict[str, Any]:
    if name == "iso_week":
        return {
            "name": name,
            "in": "path",
            "required": True,
            "description": "An ISO week such as 2026-W07.",
            "schema": {"type": "string", "pattern": r"^\d{4}-W\d{2}$", "maxLength": 8},
        }
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_RECORD_ID},
    }


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=REF)
    return [
        {"name": name, "in": "query", "required": False, "schema": property_schema}
        for name, property_schema in schema["properties"].items()
    ]
