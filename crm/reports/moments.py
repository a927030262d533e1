"""Where each pairing stood at a moment in the past, as conditions and lookups on `Partnership`.

A pairing that has not changed since the moment stands where its current row says: nearly all of
them, for a recent week. One that has changed stood where its first change since the moment
started from: each history row records the stage and status it left (`from_stage_id`,
`from_status`), and the first row of a pairing, its creation, left none, so a pairing created
since stood nowhere. The first changes since a moment are one range of the index on
`stage_changes(changed_at, ...)`, read once, rather than a lookup in each pairing's history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    ScalarSelect,
    Select,
    Subquery,
    and_,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from crm.partnerships.models import Partnership, StageChange, Status


@dataclass(frozen=True)
class Moment:
    at: datetime

    def changed_since(self) -> Select[tuple[int]]:
        return select(StageChange.partnership_id).where(StageChange.changed_at >= self.at)

    def unchanged(self) -> ColumnElement[bool]:
        """Pairings whose current row is their state at the moment.

        A pairing is created with its first history row at the same instant (`created_at`), so
        one unchanged since the moment existed before it: no test of `created_at` is needed, and
        SQLite would otherwise read the pairings through that index, at random.
        """
        return Partnership.id.not_in(self.changed_since())

    def first_changes(self) -> Subquery:
        """Each pairing changed since the moment, with where its first change since started
        from (`then_stage_id`, `then_status`; none for a pairing created since)."""
        rank = func.row_number().over(
            # By an expression of the pairing, not the column itself: by the column, SQLite reads
            # the whole history in pairing order through (partnership_id, changed_at, ...) instead
            # of the moment's range of (changed_at, ...), and sorts the few thousand rows.
            partition_by=StageChange.partnership_id + literal_column("0"),
            order_by=(StageChange.changed_at, StageChange.id),
        )
        since = (
            select(
                StageChange.partnership_id,
                StageChange.from_stage_id.label("then_stage_id"),
                StageChange.from_status.label("then_status"),
                rank.label("rank"),
            )
            .where(StageChange.changed_at >= self.at)
            .subquery()
        )
        return (
            select(since.c.partnership_id, since.c.then_stage_id, since.c.then_status)
            .where(since.c.rank == 1)
            .subquery()
        )

    def moved(
        self,
        in_scope: ColumnElement[bool],
        *columns: Any,
        open_short_of: Sequence[int] | None = None,
    ) -> CTE:
        """The pairings in scope that have changed since, with `columns` and where they stood
        at the moment (`then_stage_id`, `then_status`). With `open_short_of`, only those open
        then at a stage other than these, kept before `columns` are worked out for them."""
        first = self.first_changes()
        where_they_stood = (
            ()
            if open_short_of is None
            else (
                first.c.then_status == Status.OPEN.value,
                first.c.then_stage_id.not_in(open_short_of),
            )
        )
        return (
            select(Partnership.id, *columns, first.c.then_stage_id, first.c.then_status)
            .join(first, first.c.partnership_id == Partnership.id)
            .where(in_scope, *where_they_stood)
            # Worked out once, before any condition of the caller's on these columns: PostgreSQL
            # would otherwise test those conditions on every pairing.
            .cte()
            .prefix_with("MATERIALIZED")
        )

    def stage_entered(self) -> ScalarSelect[datetime]:
        """When the pairing entered the stage it was at: its last move to another stage (or its
        creation) before the moment; a change of status alone does not count."""
        earlier = aliased(StageChange)
        return (
            select(func.max(earlier.changed_at))
            .where(
                earlier.partnership_id == Partnership.id,
                earlier.changed_at < self.at,
                or_(
                    earlier.from_stage_id.is_(None),
                    earlier.from_stage_id != earlier.to_stage_id,
                ),
            )
            .correlate(Partnership)
            .scalar_subquery()
        )

    def open_parts(self) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
        """Pairings open at the moment, in two parts to count apart and add up: a plain OR of
        the two would have SQLite read every pairing through the creation-date index."""
        first = self.first_changes()
        open_then = select(first.c.partnership_id).where(first.c.then_status == Status.OPEN.value)
        return (
            and_(self.unchanged(), Partnership.status == Status.OPEN.value),
            Partnership.id.in_(open_then),
        )
