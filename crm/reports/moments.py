"""Where each pairing stood at a moment in the past, as conditions and lookups on `Partnership`.

Two ways, for the same answers. Close to now (`RecentMoment`), a pairing that has not changed
since the moment stands where its current row says: nearly all of them. One that has changed
stood where its first change since the moment started from: each history row records the stage
and status it left (`from_stage_id`, `from_status`), and the first row of a pairing, its
creation, left none, so a pairing created since stood nowhere. The first changes since a moment
are one range of the index on `stage_changes(changed_at, ...)`, read once, rather than a lookup
in each pairing's history.

That range grows with every week back: nine weeks back it holds 200,000 of the benchmark's
million history rows, a year back 660,000. Further back than `RECENT` (`DistantMoment`), each
pairing's standing is instead the top of its history before the moment, one lookup in the index
on `stage_changes(partnership_id, changed_at, ...)`: 100,000 lookups at 100,000 pairings,
however far back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy import (
    CTE,
    ColumnElement,
    ScalarSelect,
    Select,
    Subquery,
    false,
    func,
    literal_column,
    or_,
    select,
    true,
)
from sqlalchemy.orm import aliased

from crm.partnerships.models import Partnership, StageChange, Status

# How far back the range of changes since a moment is the cheaper way. At the benchmark's
# 100,000 pairings the two cost about the same five weeks back; last week's report (its start
# up to two weeks back) took half the time from the range, nine weeks back the lookups win.
# A real register changes less often than the generator's, which favours the range for longer.
# Measured when the report worked out both the week's start and its end this way; since the
# twelfth round only its end (and the stalled list's) is, so the crossing may lie elsewhere.
RECENT = timedelta(days=28)


def moment_at(at: datetime, *, now: datetime, lateral: bool) -> Moment:
    """The cheaper way to `at` from `now`: both give the same answers. `lateral`: whether the
    database joins LATERAL (PostgreSQL does, SQLite does not)."""
    return RecentMoment(at) if now - at <= RECENT else DistantMoment(at, lateral=lateral)


@dataclass(frozen=True)
class Moment:
    at: datetime

    # Whether `moved` holds every pairing in scope, none of them `unchanged` (which is then
    # false): a caller that counts the unchanged ones apart has nothing to count.
    moves_every_pairing: ClassVar[bool] = False

    def unchanged(self) -> ColumnElement[bool]:
        """Pairings whose current row is their state at the moment (not necessarily all of
        them: the others are in `moved`)."""
        raise NotImplementedError

    def moved(
        self,
        in_scope: ColumnElement[bool],
        *columns: Any,
        open_short_of: Sequence[int] | None = None,
    ) -> CTE:
        """The pairings in scope not `unchanged`, with `columns` and where they stood at the
        moment (`then_stage_id`, `then_status`; none for a pairing created since). With
        `open_short_of`, only those open then at a stage other than these, kept before
        `columns` are worked out for them."""
        raise NotImplementedError

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

    @staticmethod
    def _materialized(statement: Select[Any]) -> CTE:
        # Worked out once, before any condition of the caller's on its columns: PostgreSQL
        # would otherwise test those conditions on every pairing.
        return statement.cte().prefix_with("MATERIALIZED")

    @staticmethod
    def _open_short_of(
        then_stage_id: ColumnElement[Any],
        then_status: ColumnElement[Any],
        open_short_of: Sequence[int] | None,
    ) -> tuple[ColumnElement[bool], ...]:
        if open_short_of is None:
            return ()
        return (then_status == Status.OPEN.value, then_stage_id.not_in(open_short_of))


@dataclass(frozen=True)
class RecentMoment(Moment):
    """From the changes since the moment: few, for a moment close to now."""

    def changed_since(self) -> Select[tuple[int]]:
        return select(StageChange.partnership_id).where(StageChange.changed_at >= self.at)

    def unchanged(self) -> ColumnElement[bool]:
        """Pairings not changed since the moment.

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
        first = self.first_changes()
        return self._materialized(
            select(Partnership.id, *columns, first.c.then_stage_id, first.c.then_status)
            .join(first, first.c.partnership_id == Partnership.id)
            .where(
                in_scope,
                *self._open_short_of(first.c.then_stage_id, first.c.then_status, open_short_of),
            )
        )


@dataclass(frozen=True)
class DistantMoment(Moment):
    """From each pairing's history before the moment: a lookup per pairing, for a moment so far
    back that most pairings have changed since."""

    moves_every_pairing: ClassVar[bool] = True
    # PostgreSQL reads the stage and the status of a pairing's last row before the moment in
    # one lookup, a LATERAL join, at half the time of one subquery for each; SQLite has no
    # LATERAL, and its two subqueries cost less than PostgreSQL's one.
    lateral: bool = False

    def stood(self, column: Any) -> ScalarSelect[Any]:
        """`column` of the pairing's last history row before the moment: where it stood then
        (none for a pairing created since)."""
        return self._last_before(column).scalar_subquery()

    def _last_before(self, *columns: Any) -> Select[Any]:
        return (
            select(*columns)
            .where(StageChange.partnership_id == Partnership.id, StageChange.changed_at < self.at)
            .order_by(StageChange.changed_at.desc(), StageChange.id.desc())
            .limit(1)
            .correlate(Partnership)
        )

    def unchanged(self) -> ColumnElement[bool]:
        # Every pairing is looked up: telling those changed since from the others would cost
        # a lookup of its own (and `moves_every_pairing` says so to whoever counts them apart).
        return false()

    def moved(
        self,
        in_scope: ColumnElement[bool],
        *columns: Any,
        open_short_of: Sequence[int] | None = None,
    ) -> CTE:
        if open_short_of is None:
            return self._materialized(self._stood_then(Partnership.id, *columns).where(in_scope))
        # Where they stood first, and `columns` only for those open then short of these stages.
        then = self._materialized(
            self._stood_then(Partnership.id.label("pairing_id")).where(in_scope)
        )
        return self._materialized(
            select(Partnership.id, *columns, then.c.then_stage_id, then.c.then_status)
            .join(then, then.c.pairing_id == Partnership.id)
            .where(*self._open_short_of(then.c.then_stage_id, then.c.then_status, open_short_of))
        )

    def _stood_then(self, *columns: Any) -> Select[Any]:
        """`columns` of each pairing with where it stood (`then_stage_id`, `then_status`)."""
        if self.lateral:
            last = self._last_before(
                StageChange.to_stage_id.label("then_stage_id"),
                StageChange.to_status.label("then_status"),
            ).lateral()
            return select(*columns, *last.c).outerjoin(last, true())
        return select(
            *columns,
            self.stood(StageChange.to_stage_id).label("then_stage_id"),
            self.stood(StageChange.to_status).label("then_status"),
        )
