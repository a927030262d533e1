"""Endpoints for pairings, their stage changes, localities, and the reference lists."""

from __future__ import annotations

from flask import Response, jsonify, url_for
from sqlalchemy import select

from crm import access
from crm.api import auth, openapi, partnership_items
from crm.api.core import (
    ApiError,
    answer,
    bp,
    keyset_page,
    no_sector,
    no_stage,
    not_a_country,
    page_of,
    parse_body,
    parse_query,
    patched,
    require,
    sector_ids,
    visible_partnership,
)
from crm.api.schemas import (
    ListQuery,
    LocalityCreate,
    LocalityOut,
    LocalityQuery,
    LocalityUpdate,
    PartnershipCreate,
    PartnershipOut,
    PartnershipQuery,
    PartnershipUpdate,
    SectorOut,
    StageChangeCreate,
    StageChangeOut,
    StageOut,
)
from crm.db import session
from crm.localities import services as locality_services
from crm.localities.countries import is_country
from crm.localities.models import Locality
from crm.partnerships import queries
from crm.partnerships import services as partnership_services
from crm.partnerships.models import Partnership, StageChange, Status
from crm.partnerships.stages import ordered_stages, stage_by_key
from crm.sectors.services import all_sectors, sector_by_slug


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
    unknown = _filters_naming_nothing(query)
    if unknown:
        raise ApiError(422, "A filter names no stage, sector or country.", fields=unknown)
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
    rows, next_cursor = keyset_page(
        partnership_items.item_rows(statement),
        Partnership.id,
        query,
        lambda page: session.execute(page).all(),
    )
    return jsonify({"items": partnership_items.items(rows), "next_cursor": next_cursor})


def _filters_naming_nothing(query: PartnershipQuery) -> dict[str, list[str]]:
    """A misspelt key would otherwise answer an empty list, which reads as "none there"."""
    unknown: dict[str, list[str]] = {}
    if query.stage and stage_by_key(query.stage) is None:
        unknown["stage"] = [no_stage(query.stage)]
    if query.sector and sector_by_slug(query.sector) is None:
        unknown["sector"] = [no_sector(query.sector)]
    if query.country and not is_country(query.country):
        unknown["country"] = [not_a_country(query.country)]
    return unknown


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
    data = partnership_services.PartnershipData(
        locality_a_id=patched(body, "locality_a_id", partnership.locality_a_id),
        locality_b_id=patched(body, "locality_b_id", partnership.locality_b_id),
        owner_id=patched(body, "owner_id", partnership.owner_id),
        title=patched(body, "title", partnership.title),
        sector_ids=sector_ids(body.sectors)
        if body.sectors is not None
        else [sector.id for sector in partnership.sectors],
        summary=patched(body, "summary", partnership.summary),
        first_contact_on=patched(
            body, "first_contact_on", partnership.first_contact_on, nullable=True
        ),
        target_signing_on=patched(
            body, "target_signing_on", partnership.target_signing_on, nullable=True
        ),
        signed_on=patched(body, "signed_on", partnership.signed_on, nullable=True),
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
    # Notes on moves are internal: a partner sees the moves, not why.
    render = (
        StageChangeOut.of
        if access.can_see_internal_notes(auth.api_user())
        else (lambda change: StageChangeOut.of(change).model_copy(update={"note": ""}))
    )
    return page_of(statement, StageChange.id, query, render)


@bp.post("/partnerships/<id:partnership_id>/stage-changes")
def create_stage_change(partnership_id: int) -> Response:
    user = auth.api_user()
    partnership = visible_partnership(partnership_id)
    require(access.can_edit_pipeline(user))
    body = parse_body(StageChangeCreate)
    stage = stage_by_key(body.stage)
    if stage is None:
        raise ApiError(422, no_stage(body.stage), fields={"stage": [no_stage(body.stage)]})
    partnership_services.change_stage(
        partnership, stage, by=user, note=body.note, expected_version=body.version
    )
    session.commit()
    return answer(PartnershipOut.of(visible_partnership(partnership_id)), 201)


# --- localities -----------------------------------------------------------------------------


@bp.get("/localities")
def list_localities() -> Response:
    query: LocalityQuery = parse_query(LocalityQuery)
    if query.country and not is_country(query.country):  # as the pairings' filter answers
        raise ApiError(
            422,
            not_a_country(query.country),
            fields={"country": [not_a_country(query.country)]},
        )
    statement = locality_services.search_localities(query.q, query.country or "").order_by(None)
    statement = statement.where(
        Locality.id.in_(access.visible_localities(auth.api_user()).with_only_columns(Locality.id))
    )
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
            other_names=tuple(body.other_names.items()),
        )
    )
    session.commit()
    return answer(LocalityOut.of(locality), 201, url_for(".get_locality", locality_id=locality.id))


@bp.get("/localities/<id:locality_id>")
def get_locality(locality_id: int) -> Response:
    return answer(LocalityOut.of(visible_locality(locality_id)))


@bp.patch("/localities/<id:locality_id>")
def update_locality(locality_id: int) -> Response:
    locality = visible_locality(locality_id)
    require(access.can_edit_pipeline(auth.api_user()))
    body = parse_body(LocalityUpdate)
    locality_services.update_locality(
        locality,
        locality_services.LocalityData(
            name=patched(body, "name", locality.name),
            name_en=patched(body, "name_en", locality.name_en),
            kind=patched(body, "kind", locality.kind),
            country_code=patched(body, "country", locality.country_code),
            subdivision_code=patched(body, "subdivision_code", locality.subdivision_code),
            other_names=None if body.other_names is None else tuple(body.other_names.items()),
        ),
        expected_version=body.version,
    )
    session.commit()
    return answer(LocalityOut.of(locality))


@bp.delete("/partnerships/<id:partnership_id>")
def archive_partnership(partnership_id: int) -> Response:
    """Soft delete: the pairing leaves every list; an admin can restore it in the app."""
    user = auth.api_user()
    partnership = visible_partnership(partnership_id)
    require(access.can_edit_pipeline(user))
    partnership_services.archive_partnership(partnership, by=user)
    session.commit()
    return Response(status=204)


def visible_locality(locality_id: int) -> Locality:
    locality = session.scalar(
        access.visible_localities(auth.api_user()).where(Locality.id == locality_id)
    )
    if locality is None:
        raise ApiError(404, "There is no locality with that id.")
    return locality
