"""The weekly report's figures: the headline, the funnel and the breakdowns by sector and by
pair of countries, counted by the database in one statement (`count_figures`).

Where each pairing stood at the week's end is worked out from the stage-change history by
`crm.reports.moments`, and where it stood at the week's start from that with the week's changes
undone; the lists of the report and their downloads are `crm.reports.weekly`'s.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)

from crm.db import session
from crm.i18n.names import translated_name
from crm.partnerships.models import Partnership, StageChange, Status, partnership_sectors
from crm.reports.moments import Moment
from crm.sectors.models import Sector

if TYPE_CHECKING:
    from crm.reports.weekly import BreakdownRow, ReportRows

# The parts of the statement of counts, each row tagged with the part it belongs to.
(
    STANDING_NOW,
    STOOD_AT_END,
    STOOD_AT_START,
    MOVED_THIS_WEEK,
    MOVED_WEEK_BEFORE,
    BY_SECTOR,
    BY_COUNTRY_PAIR,
) = range(7)
StageCounts = defaultdict[tuple[int, str], int]
MoveTallies = dict[bool, defaultdict[str, int]]


# A breakdown's row has no stages and statuses (typed: PostgreSQL reads a union's columns from
# its first parts, and takes two bare NULLs for text).
NO_STAGES = (
    cast(null(), Integer),
    cast(null(), String),
    cast(null(), Integer),
    cast(null(), String),
)
# A row of the headline's parts has no label and no translations.
NO_LABEL = (null(), null())
# A count of where pairings stand has no second and third count, nor a total.
NO_FIGURES = (literal(0), literal(0), literal(0))
# A breakdown's count of open pairings comes with no moves and no signings.
NO_MOVES = (literal(0).label("moved"), literal(0).label("signed"))


@dataclass(frozen=True)
class Counts:
    """The headline, the funnel and the breakdowns, as the statement of counts returns them."""

    at_end: StageCounts
    at_start: StageCounts
    tallies: MoveTallies
    by_sector: list[BreakdownRow]
    by_country_pair: list[BreakdownRow]  # the first `limit` of them
    by_country_pair_total: int


@dataclass(frozen=True)
class CountSources:
    """What several parts of the statement of counts read, each worked out once for all of them
    (a CTE) rather than by each part that reads it.

    `moved_at_end`: the pairings in scope changed since the week's end, with where they stand
    now, their pair of countries and where they stood then (for a week far back, every pairing
    in scope: see `crm/reports/moments.py`); the funnel and both breakdowns count them.
    `changes`: the changes of the pairings in scope since `since` (the week before's start for
    the headline, the week's own for a download of the breakdown), each with its week and
    whether it is a move between stages, a signing and a signing kept; the headline counts
    them all, the breakdowns the week's moves and signings, and the funnel undoes the week's
    to go from its end back to its start. So the week's part must be exactly the changes from
    the week's start up to `moved_at_end`'s moment, of the same pairings: a change in neither,
    or in both, would leave a pairing where it never stood. The signings' lookups in the
    history are the dearest part of the counts.
    """

    in_scope: ColumnElement[bool]
    moment_at_end: Moment
    moved_at_end: CTE
    changes: CTE

    @classmethod
    def of(cls, rows: ReportRows, since: datetime) -> CountSources:
        moment_at_end = rows.moment(rows.end)
        in_this_week = StageChange.changed_at >= rows.start
        week_end = case(
            (in_this_week, literal(rows.end, StageChange.changed_at.type)),
            else_=literal(rows.start, StageChange.changed_at.type),
        )
        # The week before each change's week: see `is_signing`.
        week_before = rows.week.previous()
        earliest_signed_on = case(
            (in_this_week, literal(week_before.monday, Partnership.signed_on.type)),
            else_=literal(week_before.previous().monday, Partnership.signed_on.type),
        )
        changes = (
            select(
                StageChange.partnership_id,
                case((in_this_week, MOVED_THIS_WEEK), else_=MOVED_WEEK_BEFORE).label("week"),
                StageChange.to_stage_id,
                StageChange.to_status,
                StageChange.from_stage_id,
                StageChange.from_status,
                _flag(rows.is_stage_move()).label("moved"),
                _flag(rows.is_signing(earliest_signed_on)).label("signing"),
                _flag(rows.is_kept_signing(earliest_signed_on, week_end)).label("signed"),
            )
            .where(
                StageChange.changed_at >= since,
                StageChange.changed_at < rows.end,
                rows.pairing_in_scope(StageChange.partnership_id),
            )
            .cte("changes")
            .prefix_with("MATERIALIZED")
        )
        moved_at_end = moment_at_end.moved(
            rows.in_scope, Partnership.stage_id, Partnership.status, Partnership.country_pair
        )
        return cls(
            in_scope=rows.in_scope,
            moment_at_end=moment_at_end,
            moved_at_end=moved_at_end,
            changes=changes,
        )

    def week_moves(self) -> Select[Any]:
        """The week's moves between stages and its signings: what the breakdowns count."""
        changes = self.changes
        return select(changes.c.partnership_id, changes.c.moved, changes.c.signed).where(
            changes.c.week == MOVED_THIS_WEEK, or_(changes.c.moved == 1, changes.c.signing == 1)
        )

    def unchanged_open(self) -> ColumnElement[bool] | None:
        """The pairings in scope open at the week's end and not changed since (none for a week
        far back, where every pairing is in `moved_at_end`)."""
        if self.moment_at_end.moves_every_pairing:
            return None
        return and_(
            self.in_scope,
            Partnership.status == Status.OPEN.value,
            Partnership.id.not_in(select(self.moved_at_end.c.id)),
        )

    def moved_open(self) -> Select[tuple[int]]:
        """The pairings in `moved_at_end` that were open at the week's end."""
        moved = self.moved_at_end
        return select(moved.c.id).where(moved.c.then_status == Status.OPEN.value)


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """1 where `condition` holds, else 0: the same on both databases, and summed as a count."""
    return case((condition, 1), else_=0)


def count_figures(rows: ReportRows, previous_start: datetime, limit: int) -> Counts:
    """Every figure of the headline, the funnel and the breakdowns, in one statement.

    The headline and the funnel are made of the pairings at each (stage id, status) at the end
    of the week (`_standing_parts`) and at its start (the end, with the week's changes undone),
    and the moves of each kind in the week and in the week before (`_moves_part`). The
    breakdowns are the open pairings, moves and signings by sector, and the first `limit` pairs
    of countries with their number: the sectors are a few dozen rows; the pairs of countries are
    thousands at 100,000 pairings, so the database orders and counts them and hands over only
    the first.

    One statement, so that the parts share what they read (`CountSources`). Its rows are of
    the same columns whatever their part: (part, stage id, status, other stage id, other status,
    label, translations, three counts, total), each part filling those it has.
    """
    sources = CountSources.of(rows, previous_start)
    first_pairs = (
        ordered_country_pairs(sources)
        .add_columns(func.count().over().label("total"))
        .limit(limit)
        .subquery()
    )
    statement = union_all(
        # First: a union's first part gives the types its columns are read as (the JSON).
        _by_sector(sources),
        select(
            literal(BY_COUNTRY_PAIR),
            *NO_STAGES,
            first_pairs.c.label,
            null(),
            first_pairs.c.open,
            first_pairs.c.moved,
            first_pairs.c.signed,
            first_pairs.c.total,
        ),
        *_standing_parts(rows, sources),
        _moves_part(sources),
    )
    current: StageCounts = defaultdict(int)
    # Groups of pairings to take back to where they stood before some changes: (part, stage id
    # and status after, stage id and status before, how many).
    changes: list[tuple[int, int, str, int | None, str | None, int]] = []
    tallies: MoveTallies = {True: defaultdict(int), False: defaultdict(int)}
    sector_rows: list[BreakdownRow] = []
    pair_rows: list[BreakdownRow] = []
    pairs_total = 0
    for row in session.execute(statement):
        part, stage_id, status, other_stage, other_status, label, translations, *figures = row
        # int(): PostgreSQL's SUM of counts is a numeric, which JSON cannot write; and the
        # union reads every part's counts as the sums' type.
        count, second, third, total = (int(figure) for figure in figures)
        if part == BY_COUNTRY_PAIR:
            pair_rows.append(rows.breakdown_row((label, count, second, third)))
            pairs_total = total
        elif part == BY_SECTOR:
            if count or second or third:
                # A sector of archived or unseen pairings alone: every pairing's sectors less
                # the others' leaves it at nought, and it has nothing to say (nor to show a
                # partner). Named in the reader's language; two sectors may share a
                # translation, never a row.
                name = translated_name(label, translations)
                sector_rows.append(rows.breakdown_row((name, count, second, third)))
        elif part == STANDING_NOW:
            current[(stage_id, status)] += count
        elif part == STOOD_AT_END:
            changes.append((part, stage_id, status, other_stage, other_status, count))
        elif part in (MOVED_THIS_WEEK, MOVED_WEEK_BEFORE):
            # A move: to `stage_id` and `status`, from `other_stage` and `other_status`;
            # `second` is whether it is a signing kept.
            this_week = part == MOVED_THIS_WEEK
            tallies[this_week][rows.kind_of(other_stage, stage_id, status)] += count
            if second:
                tallies[this_week]["signed"] += count
            if this_week:
                # Each change of the week undone, from the last to the first, takes a pairing
                # back from where the change left it to where it started from: each change
                # starts where the one before it left the pairing, so undoing them all leaves
                # it where the first started from, at the week's start. The order does not
                # matter to the sums, and neither does which of them are the same pairing's.
                changes.append((STOOD_AT_START, stage_id, status, other_stage, other_status, count))
        else:
            raise AssertionError(f"a row of no part of the counts: {part}")
    # Back from now to the week's end, then from its end to its start.
    at_end = _stood_before(current, changes, STOOD_AT_END)
    at_start = _stood_before(at_end, changes, STOOD_AT_START)
    return Counts(
        at_end=at_end,
        at_start=at_start,
        tallies=tallies,
        by_sector=_most_open_first(sector_rows),
        by_country_pair=_most_open_first(pair_rows),
        by_country_pair_total=pairs_total,
    )


def _standing_parts(rows: ReportRows, sources: CountSources) -> list[Select[Any]]:
    """Where the pairings stand now, and how that differs from where they stood at the end and
    at the start of the week.

    The pairings are counted once where they stand now. Those that have changed since the
    week's end (for a week far back, every pairing: see `crm/reports/moments.py`) are taken
    off where they stand now and put back where their last history row before the end left
    them; a pairing created since has no such row and is not put back. The start of the week
    is worked out from its end by the week's moves (`_moves_part`).
    """
    now = (
        select(
            literal(STANDING_NOW),
            Partnership.stage_id,
            Partnership.status,
            null(),
            null(),
            *NO_LABEL,
            func.count(),
            *NO_FIGURES,
        )
        .where(rows.in_scope)
        .group_by(Partnership.stage_id, Partnership.status)
    )
    moved = sources.moved_at_end
    at_end = (moved.c.stage_id, moved.c.status, moved.c.then_stage_id, moved.c.then_status)
    return [
        now,
        select(literal(STOOD_AT_END), *at_end, *NO_LABEL, func.count(), *NO_FIGURES).group_by(
            *at_end
        ),
    ]


def _stood_before(
    after: StageCounts,
    changes: list[tuple[int, int, str, int | None, str | None, int]],
    part: int,
) -> StageCounts:
    """The counts of `after` with the changes of `part` undone: each group of pairings taken off
    where its changes left it and put back where they started from."""
    before: StageCounts = defaultdict(int, after)
    for tag, stage_id, status, then_stage, then_status, total in changes:
        if tag != part:
            continue
        before[(stage_id, status)] -= total
        if then_stage is not None:
            before[(then_stage, then_status)] += total
    return before


def _moves_part(sources: CountSources) -> Select[Any]:
    """The moves of the week and of the week before, counted by (week, to stage and status, from
    stage and status), a few hundred groups at most, with whether they are signings not taken
    back within their week; each group's kind is then worked out in Python, as `ReportRows.move`
    does for a single move.
    """
    changes = sources.changes
    move = (
        changes.c.week,
        changes.c.to_stage_id,
        changes.c.to_status,
        changes.c.from_stage_id,
        changes.c.from_status,
    )
    return select(
        *move, *NO_LABEL, func.count(), changes.c.signed, literal(0), literal(0)
    ).group_by(*move, changes.c.signed)


def _by_sector(sources: CountSources) -> Select[Any]:
    # Counted by sector id, then labelled with the sector's names.
    sector_id = partnership_sectors.c.sector_id
    pairing_id = partnership_sectors.c.partnership_id

    def open_count(sign: int, pairings: Select[tuple[int]]) -> Select[Any]:
        # The pairings' ids first, then their sectors from the (pairing, sector) key alone:
        # joined the other way, SQLite reads the pairings at random in sector order.
        return (
            select(sector_id.label("key"), (sign * func.count()).label("open"), *NO_MOVES)
            .where(pairing_id.in_(pairings))
            .group_by(sector_id)
        )

    open_at_end = [open_count(1, sources.moved_open())]
    unchanged_open = sources.unchanged_open()
    if unchanged_open is not None:
        open_at_end += [
            # Nearly every pairing is open and unchanged since a recent week: their sectors are
            # every pairing's sectors (counted from an index alone) less those of the other
            # pairings, a few tens of thousands of rows to look up rather than 180,000.
            select(sector_id.label("key"), func.count().label("open"), *NO_MOVES).group_by(
                sector_id
            ),
            open_count(-1, select(Partnership.id).where(case((unchanged_open, False), else_=True))),
        ]
    week = sources.week_moves().subquery()
    moved = (
        select(sector_id, literal(0), func.sum(week.c.moved), func.sum(week.c.signed))
        .select_from(week)
        .join(partnership_sectors, pairing_id == week.c.partnership_id)
        .group_by(sector_id)
    )
    both = union_all(*open_at_end, moved).subquery()
    return (
        select(
            literal(BY_SECTOR),
            *NO_STAGES,
            Sector.given_name,
            Sector.name_translations,
            func.sum(both.c.open),
            func.sum(both.c.moved),
            func.sum(both.c.signed),
            literal(0),
        )
        .join(both, both.c.key == Sector.id)
        .group_by(Sector.id)  # the other columns depend on the key (PostgreSQL agrees)
    )


def _by_country_pair(sources: CountSources) -> Select[Any]:
    moved = sources.moved_at_end
    open_at_end = [
        select(moved.c.country_pair, func.count().label("open"), *NO_MOVES)
        .where(moved.c.then_status == Status.OPEN.value)
        .group_by(moved.c.country_pair)
    ]
    unchanged_open = sources.unchanged_open()
    if unchanged_open is not None:
        pair = Partnership.country_pair
        open_at_end.append(
            select(pair, func.count().label("open"), *NO_MOVES).where(unchanged_open).group_by(pair)
        )
    week = sources.week_moves().subquery()
    moves = (
        select(
            Partnership.country_pair, literal(0), func.sum(week.c.moved), func.sum(week.c.signed)
        )
        .select_from(week)
        .join(Partnership, Partnership.id == week.c.partnership_id)
        .group_by(Partnership.country_pair)
    )
    both = union_all(*open_at_end, moves).subquery()
    key, opened, moved_count, signed_count = both.c
    return select(
        key.label("label"),
        func.sum(opened).label("open"),
        func.sum(moved_count).label("moved"),
        func.sum(signed_count).label("signed"),
    ).group_by(key)


def ordered_country_pairs(sources: CountSources) -> Select[Any]:
    """Every pair of countries with its figures, most open first."""
    grouped = _by_country_pair(sources).subquery()
    return select(grouped.c.label, grouped.c.open, grouped.c.moved, grouped.c.signed).order_by(
        grouped.c.open.desc(), grouped.c.moved.desc(), grouped.c.label
    )


def _most_open_first(rows: list[BreakdownRow]) -> list[BreakdownRow]:
    return sorted(rows, key=lambda row: (-row.open, -row.moved, row.label))
