"""The endpoints. Each parses, authorises through crm.access, calls the pages' services, and
commits once; every error leaves as JSON in the one shape of crm.api.errors."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from flask import Blueprint, Response, jsonify, request, url_for
from pydantic import ValidationError
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from crm import access
from crm.api import auth, openapi
from crm.api.errors import ApiError, error_response, from_validation_error
from crm.api.schemas import (
    Input,
    ListQuery,
    LocalityCreate,
    LocalityOut,
    LocalityQuery,
    LocalityUpdate,
    Output,
    PartnershipCreate,
    PartnershipOut,
    PartnershipQuery,
    PartnershipUpdate,
    SectorOut,
    StageChangeCreate,
    StageChangeOut,
    StageOut,
)
from crm.db import get_or_404, session
from crm.errors import DomainError, StaleVersion
from crm.localities import services as locality_services
from crm.localities.models import Locality
from crm.partnerships import queries
from crm.partnerships import services as partnership_services
from crm.partnerships.models import Partnership, StageChange, Status
from crm.partnerships.stages import ordered_stages, stage_by_key
from crm.sectors.services import all_sectors, sector_by_slug

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.before_request(auth.authenticate)

# The services name fields as the forms do; the API has its own, shorter names.
STALE_MESSAGE = "The version you sent is stale: someone changed this since. Read it again."
API_FIELD_NAMES = {"sector_ids": "sectors", "country_code": "country", "stage": "stage"}

InputT = TypeVar("InputT", bound=Input)


# --- errors ----------------------------------------------------------------------------------


@bp.errorhandler(ApiError)
def api_error(error: ApiError) -> Response:
    session.rollback()
    return error_response(error.status, error.message, fields=error.fields)


@bp.after_request
def json_headers(response: Response) -> Response:
    if response.mimetype == "application/json":
        response.headers["Content-Type"] = "application/json; charset=utf-8"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(DomainError)
def domain_error(error: DomainError) -> Response:
    session.rollback()
    if isinstance(error, StaleVersion):
        return error_response(409, STALE_MESSAGE, fields={"version": ["stale"]})
    fields = {API_FIELD_NAMES.get(error.field, error.field): [error.message]} if error.field else {}
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
    return error_response(error.code or 500, error.description or "")


# --- reading helpers ------------------------------------------------------------------------


def parse_body(model: type[InputT]) -> InputT:
    try:
        return model.model_validate_json(request.get_data() or b"")
    except ValidationError as error:
        raise from_validation_error(error) from error


def parse_query(model: type[ListQuery]) -> Any:
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
        if kind == "id" and value.isdigit():
            return int(value)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise ApiError(422, "That cursor is not one this API gave out.", fields={"cursor": ["invalid"]})


ModelT = TypeVar("ModelT", Partnership, Locality, StageChange)


def page_of(
    statement: Select[tuple[ModelT]],
    id_column: Any,
    query: ListQuery,
    render: Callable[[ModelT], Output],
) -> Response:
    """Keyset pagination on the id: stable while rows are added, and fast at any depth."""
    after = decode_cursor(query.cursor)
    if after is not None:
        statement = statement.where(id_column > after)
    rows: Sequence[ModelT] = session.scalars(
        statement.order_by(id_column).limit(query.limit + 1)
    ).all()
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    next_cursor = encode_cursor(rows[-1].id) if more and rows else None
    return jsonify(
        {"items": [render(row).model_dump(mode="json") for row in rows], "next_cursor": next_cursor}
    )


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
            raise ApiError(422, f"There is no sector “{slug}”.", fields={"sectors": [slug]})
        ids.append(sector.id)
    return ids


# --- reference data -------------------------------------------------------------------------


@bp.get("/openapi.json")
def openapi_document() -> Response:
    return jsonify(openapi.document())


@bp.get("/stages")
def list_stages() -> Response:
    return jsonify(
        {"items": [StageOut.of(s).model_dump() for s in ordered_stages()], "next_cursor": None}
    )


@bp.get("/sectors")
def list_sectors() -> Response:
    return jsonify(
        {"items": [SectorOut.of(s).model_dump() for s in all_sectors()], "next_cursor": None}
    )


# --- partnerships ---------------------------------------------------------------------------


@bp.get("/partnerships")
def list_partnerships() -> Response:
    query: PartnershipQuery = parse_query(PartnershipQuery)
    filters = queries.PartnershipFilters(
        q=query.q,
        stage=query.stage,
        status=query.status or "",
        sector=query.sector,
        country=(query.country or "").upper(),
        owner_id=query.owner_id,
    )
    statement = queries.filtered(access.visible_partnerships(auth.api_user()), filters)
    if query.updated_since is not None:
        if query.updated_since.tzinfo is None:
            raise ApiError(
                422,
                "Give updated_since with a time zone offset.",
                fields={"updated_since": ["needs an offset, e.g. +00:00"]},
            )
        statement = statement.where(Partnership.updated_at >= query.updated_since)
    return page_of(queries.with_card_details(statement), Partnership.id, query, PartnershipOut.of)


@bp.post("/partnerships")
def create_partnership() -> Response:
    user = auth.api_user()
    require(access.can_edit_pipeline(user))
    body = parse_body(PartnershipCreate)
    partnership = partnership_services.create_partnership(
        partnership_services.PartnershipData(
            locality_a_id=body.locality_a_id,
            locality_b_id=body.locality_b_id,
            owner_id=body.owner_id or user.id,
            title=body.title,
            sector_ids=sector_ids(body.sectors),
            summary=body.summary,
            first_contact_on=body.first_contact_on,
            target_signing_on=body.target_signing_on,
            signed_on=body.signed_on,
        ),
        by=user,
        stage_key=body.stage,
    )
    session.commit()
    return answer(
        PartnershipOut.of(visible_partnership(partnership.id)),
        201,
        url_for(".get_partnership", partnership_id=partnership.id),
    )


@bp.get("/partnerships/<id:partnership_id>")
def get_partnership(partnership_id: int) -> Response:
    return answer(PartnershipOut.of(visible_partnership(partnership_id)))


@bp.patch("/partnerships/<id:partnership_id>")
def update_partnership(partnership_id: int) -> Response:
    user = auth.api_user()
    partnership = visible_partnership(partnership_id)
    require(access.can_edit_pipeline(user))
    body = parse_body(PartnershipUpdate)
    given = body.model_fields_set

    def pick(name: str, current: Any) -> Any:
        return getattr(body, name) if name in given else current

    data = partnership_services.PartnershipData(
        locality_a_id=pick("locality_a_id", partnership.locality_a_id) or 0,
        locality_b_id=pick("locality_b_id", partnership.locality_b_id) or 0,
        owner_id=pick("owner_id", partnership.owner_id) or 0,
        title=pick("title", partnership.title) or "",
        sector_ids=sector_ids(body.sectors)
        if body.sectors is not None
        else [sector.id for sector in partnership.sectors],
        summary=pick("summary", partnership.summary) or "",
        first_contact_on=(pick("first_contact_on", partnership.first_contact_on)),
        target_signing_on=(pick("target_signing_on", partnership.target_signing_on)),
        signed_on=(pick("signed_on", partnership.signed_on)),
    )
    partnership_services.update_partnership(partnership, data, expected_version=body.version)
    if body.status is not None and body.status != partnership.status:
        partnership_services.change_status(
            partnership, Status(body.status), by=user, expected_version=partnership.version
        )
    session.commit()
    return answer(PartnershipOut.of(visible_partnership(partnership_id)))


@bp.get("/partnerships/<id:partnership_id>/stage-changes")
def list_stage_changes(partnership_id: int) -> Response:
    partnership = visible_partnership(partnership_id)
    query: ListQuery = parse_query(ListQuery)
    statement = (
        select(StageChange)
        .where(StageChange.partnership_id == partnership.id)
        .options(*queries.HISTORY_LOADS)
    )
    return page_of(statement, StageChange.id, query, StageChangeOut.of)


@bp.post("/partnerships/<id:partnership_id>/stage-changes")
def create_stage_change(partnership_id: int) -> Response:
    user = auth.api_user()
    partnership = visible_partnership(partnership_id)
    require(access.can_edit_pipeline(user))
    body = parse_body(StageChangeCreate)
    stage = stage_by_key(body.stage)
    if stage is None:
        raise ApiError(422, f"There is no stage “{body.stage}”.", fields={"stage": [body.stage]})
    partnership_services.change_stage(
        partnership, stage, by=user, note=body.note, expected_version=body.version
    )
    session.commit()
    return answer(PartnershipOut.of(visible_partnership(partnership_id)), 201)


# --- localities -----------------------------------------------------------------------------


@bp.get("/localities")
def list_localities() -> Response:
    query: LocalityQuery = parse_query(LocalityQuery)
    statement = locality_services.search_localities(query.q, query.country or "").order_by(None)
    return page_of(statement, Locality.id, query, LocalityOut.of)


@bp.post("/localities")
def create_locality() -> Response:
    require(access.can_edit_pipeline(auth.api_user()))
    body = parse_body(LocalityCreate)
    locality = locality_services.create_locality(
        locality_services.LocalityData(
            name=body.name,
            name_en=body.name_en,
            kind=body.kind,
            country_code=body.country,
            subdivision_code=body.subdivision_code,
        )
    )
    session.commit()
    return answer(LocalityOut.of(locality), 201, url_for(".get_locality", locality_id=locality.id))


@bp.get("/localities/<id:locality_id>")
def get_locality(locality_id: int) -> Response:
    return answer(LocalityOut.of(get_or_404(Locality, locality_id)))


@bp.patch("/localities/<id:locality_id>")
def update_locality(locality_id: int) -> Response:
    locality = get_or_404(Locality, locality_id)
    require(access.can_edit_pipeline(auth.api_user()))
    body = parse_body(LocalityUpdate)
    given = body.model_fields_set

    def pick(name: str, current: str) -> str:
        value = getattr(body, name) if name in given else current
        return value if value is not None else current

    locality_services.update_locality(
        locality,
        locality_services.LocalityData(
            name=pick("name", locality.name),
            name_en=pick("name_en", locality.name_en),
            kind=pick("kind", locality.kind),
            country_code=pick("country", locality.country_code),
            subdivision_code=pick("subdivision_code", locality.subdivision_code),
        ),
        expected_version=body.version,
    )
    session.commit()
    return answer(LocalityOut.of(locality))
