"""The API blueprint, its error handling, and what every endpoint uses to read and answer.

Endpoints live in the modules beside this one, by feature; each parses, authorises through
crm.access, calls the pages' services and commits once. Every error leaves as JSON in the one
shape of crm.api.errors.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from flask import Blueprint, Response, jsonify, request
from pydantic import ValidationError
from sqlalchemy import Select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from crm import access
from crm.api import auth
from crm.api.errors import ApiError, error_response, from_validation_error, is_api_request
from crm.api.schemas import (
    Input,
    ListQuery,
    Output,
)
from crm.auth.throttle import TooManyRequests
from crm.db import session
from crm.error_pages import api_message, protocol_headers
from crm.errors import DomainError, StaleVersion, UnknownVersion
from crm.partnerships import queries
from crm.partnerships.models import Partnership
from crm.routing import record_id_in
from crm.sectors.services import sector_by_slug

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.before_request(auth.authenticate)

# The services name fields as the forms do; the API has its own, shorter names.
STALE_MESSAGE = "The version you sent is stale: someone changed this since. Read it again."
# A version ahead of the record's (crm.errors.check_version): no read of it gave that one.
UNKNOWN_VERSION_MESSAGE = (
    "The version you sent is ahead of the record's current one. Send the version you read."
)
API_FIELD_NAMES = {
    "sector_ids": "sectors",
    "country_code": "country",
    "stage": "stage",
    # The form's two fields are one in the API.
    "occurred_on": "occurred_at",
    "occurred_time": "occurred_at",
    "owner": "owner_id",  # the report's filter
    "week": "iso_week",  # the report's week, in its path
    "follow_ups": "follow_up_tasks",  # "follow_ups.0.assignee_id", a task in the list
}


def api_field_name(field: str) -> str:
    """A service's field name as the API calls it; within a list ("follow_ups.0.due_on"), the
    list's name."""
    head, dot, rest = field.partition(".")
    return f"{API_FIELD_NAMES.get(head, head)}{dot}{rest}"


InputT = TypeVar("InputT", bound=Input)


# --- errors ----------------------------------------------------------------------------------


@bp.errorhandler(ApiError)
def api_error(error: ApiError) -> Response:
    session.rollback()
    return error_response(error.status, error.message, fields=error.fields)


@bp.after_app_request
def json_headers(response: Response) -> Response:
    # On the app rather than the blueprint: what the router answers before any view is found
    # (a 404 for an unknown path, a 405 for a method the path does not take) belongs to no
    # blueprint, yet it is an API answer and carries the same headers.
    if not is_api_request():
        return response
    if response.mimetype == "application/json":
        response.headers["Content-Type"] = "application/json; charset=utf-8"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(TooManyRequests)
def too_many_requests(error: TooManyRequests) -> Response:
    response = error_response(
        429, f"Too many requests for this token; retry in {error.retry_after} s."
    )
    response.headers["Retry-After"] = str(error.retry_after)
    return response


@bp.errorhandler(DomainError)
def domain_error(error: DomainError) -> Response:
    session.rollback()
    if isinstance(error, StaleVersion):
        return error_response(409, STALE_MESSAGE, fields={"version": ["stale"]})
    if isinstance(error, UnknownVersion):
        return error_response(422, UNKNOWN_VERSION_MESSAGE, fields={"version": ["unknown"]})
    fields = {api_field_name(error.field): [error.message]} if error.field else {}
    return error_response(error.status_code, error.message, fields=fields)


@bp.errorhandler(StaleDataError)
def stale_data(error: StaleDataError) -> Response:
    session.rollback()
    return error_response(409, STALE_MESSAGE, fields={"version": ["stale"]})


@bp.errorhandler(IntegrityError)
def integrity_error(error: IntegrityError) -> Response:
    # A rule the database holds (e.g. one open pairing per pair) lost a race with another request.
    session.rollback()
    return error_response(409, "That conflicts with a change made a moment ago; read and retry.")


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> Response:
    session.rollback()
    response = error_response(error.code or 500, api_message(error))
    response.headers.update(protocol_headers(error))
    return response


# --- reading helpers ------------------------------------------------------------------------


def parse_body(model: type[InputT]) -> InputT:
    try:
        return model.model_validate_json(request.get_data() or b"")
    except ValidationError as error:
        raise from_validation_error(error) from error


def parse_query(model: type[Input]) -> Any:
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as error:
        raise from_validation_error(error) from error


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = text.partition(":")
        # An id the databases can hold: a bigger one was never given out.
        record_id = record_id_in(value) if kind == "id" else None
        if record_id is not None:
            return record_id
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise ApiError(422, "That cursor is not one this API gave out.", fields={"cursor": ["invalid"]})


RowT = TypeVar("RowT")


def keyset_page(
    statement: Select[Any],
    id_column: Any,
    query: ListQuery,
    read: Callable[[Select[Any]], Sequence[RowT]],
) -> tuple[Sequence[RowT], str | None]:
    """Keyset pagination on the id: stable while rows are added, and fast at any depth.

    `read` runs the page's statement: ORM objects for `page_of`, plain rows for a list that
    writes its items itself. Gives the page's rows and the cursor of the next page, if any.
    """
    after = decode_cursor(query.cursor)
    if after is not None:
        statement = statement.where(id_column > after)
    rows = read(statement.order_by(id_column).limit(query.limit + 1))
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    next_cursor = encode_cursor(rows[-1].id) if more and rows else None  # type: ignore[attr-defined]
    return rows, next_cursor


def page_of(
    statement: Select[tuple[RowT]],
    id_column: Any,
    query: ListQuery,
    render: Callable[[RowT], Output],
) -> Response:
    rows, next_cursor = keyset_page(
        statement, id_column, query, lambda page: session.scalars(page).all()
    )
    return jsonify(
        {"items": [render(row).model_dump(mode="json") for row in rows], "next_cursor": next_cursor}
    )


def patched(body: Any, api_name: str, current: Any, *, nullable: bool = False) -> Any:
    """The value a PATCH gives for a field, or the current one when it gives none.

    A null clears only the fields that may be empty (`nullable`); elsewhere it changes nothing.
    """
    if api_name not in body.model_fields_set:
        return current
    value = getattr(body, api_name)
    return current if value is None and not nullable else value


def answer(body: Output, status: int = 200, location: str | None = None) -> Response:
    response = jsonify(body.model_dump(mode="json"))
    response.status_code = status
    if location:
        response.headers["Location"] = location
    return response


def require(allowed: bool) -> None:
    if not allowed:
        raise ApiError(403, "Your account may not do that.")


def visible_partnership(partnership_id: int) -> Partnership:
    partnership = session.scalar(
        queries.with_card_details(
            access.visible_partnerships(auth.api_user()).where(Partnership.id == partnership_id)
        )
    )
    if partnership is None:
        raise ApiError(404, "There is no pairing with that id.")
    return partnership


def sector_ids(slugs: list[str]) -> list[int]:
    ids = []
    for slug in dict.fromkeys(slugs):
        sector = sector_by_slug(slug)
        if sector is None:
            raise ApiError(422, no_sector(slug), fields={"sectors": [no_sector(slug)]})
        ids.append(sector.id)
    return ids


# The API's words for a key that names nothing, the same wherever it is refused.
def no_stage(key: str) -> str:
    return f"There is no stage “{key}”."


def no_sector(slug: str) -> str:
    return f"There is no sector “{slug}”."


def not_a_country(code: str) -> str:
    # The report's words for it (crm.reports.services.filters_from).
    return f"“{code}” is not a country code."
