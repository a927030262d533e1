"""Reading the pipeline: the filtered list, the board's columns, and their counts.

Each function takes the statement that `crm.access` allows and narrows it; none of them decides
visibility itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, false, func, or_, select, union, union_all
from sqlalchemy.orm import aliased, joinedload, selectinload

from crm.db import session
from crm.localities.models import Locality
from crm.partnerships.models import Partnership, Stage, StageChange, Status, partnership_sectors
from crm.routing import record_id_filter
from crm.sectors.models import Sector
from crm.text_search import LIKE_ESCAPE, word_patterns

SORTS: dict[str, tuple[str, Any]] = {
    "recent": (_l("Recently active"), Partnership.last_activity_at.desc()),
    "title": (_l("Title"), Partnership.title_folded.asc()),
    "stage": (_l("Stage"), None),  # needs the stages join; see `_order`
    "created": (_l("Newest"), Partnership.created_at.desc()),
    "longest_in_stage": (_l("Longest in stage"), Partnership.stage_entered_at.asc()),
    "target": (_l("Target signing date"), Partnership.target_signing_on.asc()),
}
DEFAULT_SORT = "recent"


@dataclass(frozen=True)
class PartnershipFilters:
    q: str = ""
    stage: str = ""  # a stage key
    status: str = ""  # "" = any status
    sector: str = ""  # a sector slug
    country: str = ""  # ISO 3166-1 alpha-2, either side
    owner_id: int | None = None
    sort: str = DEFAULT_SORT

    @property
    def is_filtered(self) -> bool:
        return bool(
            self.q
            or self.stage
            or self.status
            or self.sector
            or self.country
            or self.owner_id is not None
        )

    def as_query_args(self, **overrides: Any) -> dict[str, Any]:
        """The non-empty filters as URL query arguments, for links that keep them."""
        values = replace(self, **overrides)
        args = {
            "q": values.q,
            "stage": values.stage,
            "status": values.status,
            "sector": values.sector,
            "country": values.country,
            "owner": values.owner_id,
            "sort": values.sort if values.sort != DEFAULT_SORT else "",
        }
        return {key: value for key, value in args.items() if value}


def filtered(
    statement: Select[tuple[Partnership]],
    filters: PartnershipFilters,
    *,
    sector_by_row: bool = False,
    country_as_set: bool = False,
) -> Select[Any]:
    """`statement` narrowed by `filters`. `sector_by_row`: the sector is checked for each row
    (a correlated EXISTS on the pairing's sectors) rather than as one list of the sector's
    pairings; for a short top of an index (the board's columns), not for counts.
    `country_as_set`: the country's pairings as one set of ids rather than a test of each
    pairing's two localities; for statements that join the scope to large tables (the weekly
    report), see below."""
    # Each word in the title or either place: "kyzylorda maribor" finds Maribor – Kyzylorda
    # Region. A word's localities are found once (a few thousand rows), not joined in twice for
    # every pairing; each side is then an indexed IN.
    for pattern in word_patterns(filters.q):
        matching = select(Locality.id).where(
            Locality.search_folded.like(pattern, escape=LIKE_ESCAPE)
        )
        statement = statement.where(
            or_(
                Partnership.title_folded.like(pattern, escape=LIKE_ESCAPE),
                Partnership.locality_a_id.in_(matching),
                Partnership.locality_b_id.in_(matching),
            )
        )
    if filters.stage:
        statement = statement.where(
            Partnership.stage_id
            == select(Stage.id).where(Stage.key == filters.stage).scalar_subquery()
        )
    if filters.status:
        statement = statement.where(Partnership.status == filters.status)
    if filters.sector:
        # The sector's id is looked up once (slugs are unique), not joined into each check: a
        # pairing's check is then one probe of its (partnership_id, sector_id) key, and
        # PostgreSQL runs the board's six columns in half the time.
        sector_id = select(Sector.id).where(Sector.slug == filters.sector).scalar_subquery()
        in_sector = select(partnership_sectors.c.partnership_id).where(
            partnership_sectors.c.sector_id == sector_id
        )
        if sector_by_row:
            statement = statement.where(
                in_sector.where(partnership_sectors.c.partnership_id == Partnership.id).exists()
            )
        else:
            statement = statement.where(Partnership.id.in_(in_sector))
    if filters.country:
        in_country = select(Locality.id).where(Locality.country_code == filters.country.upper())
        if country_as_set:
            # Either side in the country, as one set of ids from the two localities' indexes.
            # PostgreSQL cannot estimate an OR of two IN tests: it guessed that half of the
            # pairings match (a country has about 1%), and so read the weekly report's task
            # lists in date order, checking 160,000 tasks' pairings, rather than the country's
            # pairings' tasks: 1.3 → 0.73 s a report. On the board the per-row test is faster.
            side = aliased(Partnership)
            either_side = union(
                select(side.id).where(side.locality_a_id.in_(in_country)),
                select(side.id).where(side.locality_b_id.in_(in_country)),
            )
            statement = statement.where(Partnership.id.in_(either_side))
        else:
            statement = statement.where(
                or_(
                    Partnership.locality_a_id.in_(in_country),
                    Partnership.locality_b_id.in_(in_country),
                )
            )
    if filters.owner_id is not None:  # NO_RECORD (0) too: an owner nobody is, no pairing
        statement = statement.where(Partnership.owner_id == filters.owner_id)
    return statement


def with_card_details(statement: Select[Any]) -> Select[Any]:
    """Load everything a card or list row shows in two statements: the one-per-row relations
    joined into the rows' own statement, the sectors (many per row) in one more."""
    return statement.options(*CARD_LOADS)


CARD_LOADS = (
    joinedload(Partnership.locality_a),
    joinedload(Partnership.locality_b),
    joinedload(Partnership.owner),
    joinedload(Partnership.stage),
    selectinload(Partnership.sectors),
)


# A search counts its matches up to this many: past it, the list says "more than 1,000" and
# pages through the first 1,000 (counting every match of a substring reads every title).
SEARCH_COUNT_LIMIT = 1000


def count(statement: Select[Any], *, limit: int | None = None) -> int:
    """How many rows `statement` gives; with `limit`, at most `limit + 1` (then: "more")."""
    inner = statement.order_by(None)
    if limit is not None:
        inner = inner.with_only_columns(Partnership.id).limit(limit + 1)
    return session.scalar(select(func.count()).select_from(inner.subquery())) or 0


def page_of(
    statement: Select[Any], filters: PartnershipFilters, *, page: int, per_page: int
) -> list[Partnership]:
    """One page of rows. The page's ids are picked first, from the sort's index alone, and only
    those rows are read with what they show: an offset then skips index entries, not rows."""
    page_ids = (
        _order(statement, filters.sort)
        .with_only_columns(Partnership.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = _order(select(Partnership).where(Partnership.id.in_(page_ids)), filters.sort)
    return list(session.scalars(with_card_details(rows)))


def _order(statement: Select[Any], sort: str) -> Select[Any]:
    if sort == "stage":
        return statement.join(Stage, Stage.id == Partnership.stage_id).order_by(
            Stage.position, Partnership.last_activity_at.desc(), Partnership.id.desc()
        )
    _, order = SORTS.get(sort, SORTS[DEFAULT_SORT])
    return statement.order_by(order, Partnership.id.desc())


def counts_per_stage(statement: Select[Any], stages: Sequence[Stage]) -> dict[int, int]:
    """How many rows of `statement` are at each of `stages`: one count per stage, all in one
    statement.

    Each count reads its stage's range of the (status, stage_id) index on its own; grouping the
    whole status range by stage put 90,000 entries through the grouping as well (7.5 → 5.3 ms on
    SQLite, 6.5 → 4.2 ms on PostgreSQL). Only for a statement narrowed by visibility and status:
    with a list to match (a sector's pairings), each stage's count would read that list again
    (40 ms instead of 10), so those are grouped.
    """
    if not stages:
        return {}
    counting = statement.order_by(None).with_only_columns(func.count())
    row = session.execute(
        select(
            *(
                counting.where(Partnership.stage_id == stage.id).scalar_subquery()
                for stage in stages
            )
        )
    ).one()
    return {stage.id: total or 0 for stage, total in zip(stages, row, strict=True)}


@dataclass(frozen=True)
class BoardColumn:
    stage: Stage
    total: int
    cards: Sequence[Partnership]

    @property
    def hidden(self) -> int:
        return self.total - len(self.cards)


def board_columns(
    statement: Select[tuple[Partnership]],
    filters: PartnershipFilters,
    stages: Sequence[Stage],
    *,
    per_column: int,
) -> list[BoardColumn]:
    """One column per stage: its total, and its `per_column` most recently active cards.

    Three statements whatever the size of the pipeline: the counts, the cards (the newest of
    each stage) with what they show joined in, and their sectors.
    """
    board_filters = replace(filters, status=filters.status or Status.OPEN.value, stage="")
    narrowed = filtered(statement, board_filters)

    # The board's own status aside, no filter (the sort does not narrow): each stage counted
    # on its own; any filter is a list to match, and grouping reads it once.
    if replace(board_filters, status="", sort=DEFAULT_SORT) == PartnershipFilters():
        totals = counts_per_stage(narrowed, stages)
    else:
        counts_query = (
            narrowed.with_only_columns(Partnership.stage_id, func.count())
            .group_by(Partnership.stage_id)
            .order_by(None)
        )
        totals = {stage_id: total for stage_id, total in session.execute(counts_query)}

    # The top cards of each column, one indexed LIMIT per stage (stage, status, last activity),
    # joined by UNION ALL: ranking every open pairing with a window function sorted them all.
    by_row = filtered(statement, board_filters, sector_by_row=True)
    per_stage = [
        by_row.with_only_columns(Partnership.id)
        .where(Partnership.stage_id == stage.id)
        .order_by(Partnership.last_activity_at.desc(), Partnership.id.desc())
        .limit(per_column)
        .subquery()
        .select()
        for stage in stages
    ]
    top_ids = union_all(*per_stage) if per_stage else select(Partnership.id).where(false())
    cards = session.scalars(
        with_card_details(
            select(Partnership)
            .where(Partnership.id.in_(top_ids))
            .order_by(Partnership.last_activity_at.desc(), Partnership.id.desc())
        )
    ).all()

    by_stage: dict[int, list[Partnership]] = {stage.id: [] for stage in stages}
    for card in cards:
        by_stage.setdefault(card.stage_id, []).append(card)
    return [
        BoardColumn(stage=stage, total=totals.get(stage.id, 0), cards=by_stage[stage.id])
        for stage in stages
    ]


def column_cards(
    statement: Select[tuple[Partnership]],
    filters: PartnershipFilters,
    stage: Stage,
    *,
    offset: int,
    limit: int,
) -> list[Partnership]:
    """The next cards of one column, for its "show more"."""
    board_filters = replace(filters, status=filters.status or Status.OPEN.value, stage=stage.key)
    narrowed = filtered(statement, board_filters).order_by(
        Partnership.last_activity_at.desc(), Partnership.id.desc()
    )
    return list(session.scalars(with_card_details(narrowed).offset(offset).limit(limit)))


def filters_from(args: Mapping[str, str]) -> PartnershipFilters:
    """Filters from URL query arguments; anything malformed is ignored rather than an error,
    but for an owner number no id can be, which matches no pairing (`record_id_filter`)."""
    owner = args.get("owner", "")
    sort = args.get("sort", DEFAULT_SORT)
    status = args.get("status", "")
    return PartnershipFilters(
        q=args.get("q", "")[:200],
        stage=args.get("stage", "")[:40],
        status=status if status in {s.value for s in Status} else "",
        sector=args.get("sector", "")[:60],
        country=args.get("country", "")[:2].upper(),
        owner_id=record_id_filter(owner),
        sort=sort if sort in SORTS else DEFAULT_SORT,
    )


# What a history row shows besides itself: its stages and who moved it.
HISTORY_LOADS = (
    joinedload(StageChange.from_stage),
    joinedload(StageChange.to_stage),
    joinedload(StageChange.changed_by),
)


def history_of(partnership: Partnership) -> list[StageChange]:
    """The pairing's moves, newest first, with the stages and people they name."""
    return list(
        session.scalars(
            select(StageChange)
            .where(StageChange.partnership_id == partnership.id)
            .options(*HISTORY_LOADS)
            .order_by(StageChange.changed_at.desc(), StageChange.id.desc())
        )
    )
