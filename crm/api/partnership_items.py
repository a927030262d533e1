"""The pairings list's items, written from plain rows rather than through `PartnershipOut`.

`PartnershipOut` stays the item's documented shape (the OpenAPI document is generated from it)
and answers for a single pairing. A page of 200 built through it spent most of its time loading
every column of each pairing, both localities, the stage and the owner as ORM objects (parsing
JSON columns the item never shows), then validating each pairing through five models. Here the
page reads only the columns the item shows and writes each item as
`PartnershipOut.of(p).model_dump(mode="json")` would; tests/api/test_partnership_items.py holds
the two to the same output.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Row, Select, select

from crm.auth.models import User
from crm.db import session
from crm.localities.models import Locality
from crm.partnerships.models import Partnership, Stage, partnership_sectors
from crm.sectors.models import Sector

# Aliases, not the tables themselves: the filters' subqueries select from `localities` and
# `stages`, and would otherwise correlate with the joined tables instead of standing alone.
# Aliases of the tables rather than of the classes, which would configure every mapper when
# this module is imported, before all the models may be.
LOCALITY_A = Locality.__table__.alias("locality_a")
LOCALITY_B = Locality.__table__.alias("locality_b")
STAGE = Stage.__table__.alias("item_stage")
OWNER = User.__table__.alias("owner")


def item_rows(statement: Select[tuple[Partnership]]) -> Select[Any]:
    """`statement`'s pairings as the columns an item shows, with its localities, stage and owner.

    Outer joins, as the relationships' joined loading had them: the database still reads the
    pairings first, in the order and with the filters of `statement`, and looks the rest up.
    """
    return (
        statement.with_only_columns(
            Partnership.id,
            Partnership.title,
            LOCALITY_A.c.id.label("a_id"),
            LOCALITY_A.c.name.label("a_name"),
            LOCALITY_A.c.name_en.label("a_name_en"),
            LOCALITY_A.c.country_code.label("a_country"),
            LOCALITY_B.c.id.label("b_id"),
            LOCALITY_B.c.name.label("b_name"),
            LOCALITY_B.c.name_en.label("b_name_en"),
            LOCALITY_B.c.country_code.label("b_country"),
            STAGE.c.key.label("stage_key"),
            STAGE.c.name.label("stage_name"),
            STAGE.c.position.label("stage_position"),
            Partnership.status,
            OWNER.c.id.label("owner_id"),
            OWNER.c.name.label("owner_name"),
            Partnership.summary,
            Partnership.first_contact_on,
            Partnership.target_signing_on,
            Partnership.signed_on,
            Partnership.version,
            Partnership.created_at,
            Partnership.updated_at,
            Partnership.stage_entered_at,
            Partnership.last_activity_at,
            maintain_column_froms=False,
        )
        .outerjoin_from(Partnership, LOCALITY_A, LOCALITY_A.c.id == Partnership.locality_a_id)
        .outerjoin_from(Partnership, LOCALITY_B, LOCALITY_B.c.id == Partnership.locality_b_id)
        .outerjoin_from(Partnership, STAGE, STAGE.c.id == Partnership.stage_id)
        .outerjoin_from(Partnership, OWNER, OWNER.c.id == Partnership.owner_id)
    )


def items(rows: Sequence[Row[Any]]) -> list[dict[str, Any]]:
    """The JSON of `PartnershipOut` for each of `rows` (from `item_rows`), keys in its order."""
    slugs = sector_slugs([row[0] for row in rows])
    return [_item(row, slugs[row[0]]) for row in rows]


def _item(row: Row[Any], sectors: list[str]) -> dict[str, Any]:
    # Unpacked by position, in `item_rows`' order: reading 25 columns by name took longer than
    # writing the item (1.3 against 0.1 us a column).
    (
        partnership_id, title,
        a_id, a_name, a_name_en, a_country,
        b_id, b_name, b_name_en, b_country,
        stage_key, stage_name, stage_position,
        status, owner_id, owner_name, summary,
        first_contact_on, target_signing_on, signed_on, version,
        created_at, updated_at, stage_entered_at, last_activity_at,
    ) = row  # fmt: skip
    return {
        "id": partnership_id,
        "title": title,
        "locality_a": {"id": a_id, "name": a_name, "name_en": a_name_en, "country": a_country},
        "locality_b": {"id": b_id, "name": b_name, "name_en": b_name_en, "country": b_country},
        # The name as given, as StageRef has it: the API speaks English.
        "stage": {"key": stage_key, "name": stage_name, "position": stage_position},
        "status": status,
        "sectors": sectors,
        "owner": {"id": owner_id, "name": owner_name},
        "summary": summary,
        "first_contact_on": _date(first_contact_on),
        "target_signing_on": _date(target_signing_on),
        "signed_on": _date(signed_on),
        "version": version,
        # As the Timestamp type writes them: ISO 8601 with the +00:00 offset.
        "created_at": created_at.isoformat(),
        "updated_at": updated_at.isoformat(),
        "stage_entered_at": stage_entered_at.isoformat(),
        "last_activity_at": last_activity_at.isoformat(),
    }


def sector_slugs(partnership_ids: list[int]) -> dict[int, list[str]]:
    """Each pairing's sector slugs, in one statement, ordered as `Partnership.sectors` is."""
    slugs: dict[int, list[str]] = {partnership_id: [] for partnership_id in partnership_ids}
    if not partnership_ids:
        return slugs
    rows = session.execute(
        select(partnership_sectors.c.partnership_id, Sector.slug)
        .join(Sector, Sector.id == partnership_sectors.c.sector_id)
        .where(partnership_sectors.c.partnership_id.in_(partnership_ids))
        .order_by(Sector.name)
    )
    for partnership_id, slug in rows:
        slugs[partnership_id].append(slug)
    return slugs


def _date(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None
