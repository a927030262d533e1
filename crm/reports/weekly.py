"""One computation of the weekly status report, as plain data that every rendering reads.

Everything comes from the stage-change history, never from counters kept on the side, so the
report for a past week gives the same figures however the pipeline moved since: where each pairing
stood at the week's start and end is worked out by `crm.reports.moments`.

Every figure is counted by the database (COUNT ... GROUP BY) rather than in Python: at 100,000
pairings a week holds some 30,000 moves, 15,000 meetings and 175,000 overdue tasks, too many to
read into Python, show on a page or lay out in a PDF. So the lists in the report are their first
`list_limit` rows, each beside its exact total, and `WeeklyReport.rows` reads every row again, a
batch at a time, for the downloads (CSV, XLSX, JSON), which keep them all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext, lazy_gettext, lazy_pgettext, pgettext
from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    and_,
    func,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

from crm import access
from crm.activities.models import CONTACT_KINDS, Activity, ActivityKind, activity_participants
from crm.auth.models import User
from crm.contacts.models import Person
from crm.db import session, utcnow
from crm.partnerships.models import Partnership, StageChange, Status
from crm.partnerships.queries import PartnershipFilters, filtered
from crm.partnerships.stages import SIGNED_STAGE_KEY, ordered_stages
from crm.reports.counts import CountSources, MoveTallies, count_figures, ordered_country_pairs
from crm.reports.moments import Moment, moment_at
from crm.reports.weeks import IsoWeek
from crm.tasks.models import Task, TaskStatus

# How many rows each list shows when the caller does not say (the page's REPORT_LIST_LIMIT;
# printed summaries ask for fewer, see crm.reports.services.rows_per_list). Past some 200 rows a
# page is a spreadsheet, which the downloads are.
DEFAULT_LIST_LIMIT = 200
# Rows fetched at a time when a download reads a whole list.
STREAM_BATCH = 1000
EVENT_KINDS = (ActivityKind.MEETING, ActivityKind.VISIT, ActivityKind.SIGNING)
# Joins a meeting's participants into one column; no name contains the ASCII unit separator.
NAME_SEPARATOR = "\x1f"

MOVE_KINDS = {
    "new": lazy_gettext("New pairing"),
    "forward": lazy_gettext("Moved forward"),
    "back": lazy_gettext("Moved back"),
    # What happened (a pairing was put on hold), not the button that does it.
    "on_hold": lazy_pgettext("what happened to a pairing", "Put on hold"),
    "dropped": lazy_gettext("Dropped"),
    "reopened": lazy_gettext("Reopened"),
}


@dataclass(frozen=True)
class ReportFilters:
    owner_id: int | None = None
    sector: str = ""  # a sector slug
    country: str = ""  # ISO 3166-1 alpha-2, either side

    def as_partnership_filters(self) -> PartnershipFilters:
        return PartnershipFilters(
            owner_id=self.owner_id, sector=self.sector, country=self.country.upper()
        )

    @property
    def is_filtered(self) -> bool:
        return bool(self.owner_id or self.sector or self.country)


@dataclass(frozen=True)
class PairingRef:
    id: int
    title: str


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: int
    previous: int

    @property
    def change(self) -> int:
        return self.value - self.previous


@dataclass(frozen=True)
class FunnelRow:
    stage_key: str
    stage_name: str
    open: int
    previous_open: int
    on_hold: int


@dataclass(frozen=True)
class Move:
    pairing: PairingRef
    at: datetime
    kind: str  # a key of MOVE_KINDS
    from_stage: str | None
    to_stage: str
    # Counted among the week's memoranda signed (not every move to *signed* is: `is_signing`).
    signed: bool
    by: str
    note: str

    @property
    def kind_label(self) -> str:
        return str(MOVE_KINDS[self.kind])


@dataclass(frozen=True)
class StalledPairing:
    pairing: PairingRef
    stage: str
    owner: str
    since: datetime
    days: int


@dataclass(frozen=True)
class BreakdownRow:
    label: str
    open: int
    moved: int
    signed: int


@dataclass(frozen=True)
class Event:
    """A meeting, visit or signing ceremony held in the week."""

    pairing: PairingRef
    at: datetime
    kind: str  # an ActivityKind's value: "meeting", "visit", "signing"
    place: str
    summary: str
    participants: tuple[str, ...]

    @property
    def kind_label(self) -> str:
        return str(ActivityKind(self.kind).label)


@dataclass(frozen=True)
class TaskRow:
    id: int
    pairing: PairingRef
    title: str
    assignee: str
    due_on: date | None
    completed_at: datetime | None
    completed_by: str


@dataclass(frozen=True)
class AssigneeTasks:
    """One person's overdue tasks: how many in all, and those of them in the report's list."""

    assignee: str
    tasks: list[TaskRow]
    total: int


@dataclass(frozen=True)
class WeeklyReport:
    """The figures, exact; and of each list its first `list_limit` rows with its total."""

    week: IsoWeek
    start: datetime
    end: datetime
    time_zone: str
    generated_at: datetime
    filters: ReportFilters
    stalled_days: int
    headline: list[Figure]
    funnel: list[FunnelRow]
    moves: list[Move]
    stalled: list[StalledPairing]
    stalled_total: int
    by_sector: list[BreakdownRow]
    by_country_pair: list[BreakdownRow]  # the first `list_limit` of `by_country_pair_total`
    rows: ReportRows = field(compare=False, repr=False)
    list_limit: int = DEFAULT_LIST_LIMIT
    moves_total: int = 0
    signed: list[Move] = field(default_factory=list)
    signed_total: int = 0
    events: list[Event] = field(default_factory=list)
    events_total: int = 0
    tasks_completed: list[TaskRow] = field(default_factory=list)
    tasks_completed_total: int = 0
    overdue_by_assignee: list[AssigneeTasks] = field(default_factory=list)
    overdue_total: int = 0
    due_next_week: list[TaskRow] = field(default_factory=list)
    due_next_week_total: int = 0
    by_country_pair_total: int = 0

    @property
    def overdue_listed(self) -> int:
        return sum(len(group.tasks) for group in self.overdue_by_assignee)

    @property
    def is_running(self) -> bool:
        """The week is not over: its figures run to now, and its upcoming tasks start today."""
        return self.rows.last_past_day < self.week.sunday


@dataclass(frozen=True)
class ReportRows:
    """The report's lists as statements: the first rows for the report, every row for a download.

    Each list is read by the same statement either way, so a download holds exactly the rows the
    report counts. Reading a whole list fetches `STREAM_BATCH` rows at a time and hands them on
    one by one; nothing holds the week's 30,000 moves at once.
    """

    in_scope: ColumnElement[bool]  # the pairings the viewer may see, as filtered
    # The same test for a row of another table by its pairing's id, where rows by the tens of
    # thousands (a week's moves, the overdue tasks) are not otherwise joined to their pairing.
    pairing_in_scope: Callable[[ColumnElement[int]], ColumnElement[bool]]
    start: datetime
    end: datetime  # the week's end, or now while the week is not over
    now: datetime
    week: IsoWeek
    last_past_day: date  # the last day whose tasks are late by `end`: Sunday, or yesterday
    stalled_days: int
    notes: bool  # whether the viewer may read the notes of stage changes
    stage_names: dict[int, str]
    stage_positions: dict[int, int]
    signed_stage_ids: frozenset[int]

    def moment(self, at: datetime) -> Moment:
        return moment_at(at, now=self.now, lateral=session.get_bind().dialect.name == "postgresql")

    # --- What moved ----------------------------------------------------------------------------

    def kind_of(self, from_stage: int | None, to_stage: int, to_status: str) -> str:
        """A move's key in MOVE_KINDS."""
        if from_stage is None:
            return "new"
        if from_stage != to_stage:
            positions = self.stage_positions
            return "forward" if positions[to_stage] > positions[from_stage] else "back"
        if to_status == Status.OPEN:
            return "reopened"
        return to_status

    def is_signing(self, earliest_signed_on: date | ColumnElement[Any]) -> ColumnElement[bool]:
        """A move to the last stage, whatever date is typed for it (a signing recorded on Monday
        for the Friday before is Monday's week's: last week's report could not count it); and a
        pairing created there, unless its signing date is before `earliest_signed_on`, the
        Monday of the week before the move's: a memorandum of 2019 entered or imported now is
        the register catching up, not a signing, where one entered a few days late, across a
        Monday, counted in neither week."""
        # Its own alias: a statement that joins the pairings would correlate them away.
        signed = aliased(Partnership)
        signed_on = (
            select(signed.signed_on)
            .where(signed.id == StageChange.partnership_id)
            .scalar_subquery()
        )
        return and_(
            StageChange.to_stage_id.in_(sorted(self.signed_stage_ids)),
            or_(
                StageChange.from_stage_id != StageChange.to_stage_id,
                # Looked up for the pairings created at *signed* alone, and once each.
                and_(
                    StageChange.from_stage_id.is_(None),
                    func.coalesce(signed_on, earliest_signed_on) >= earliest_signed_on,
                ),
            ),
        )

    def is_kept_signing(
        self, earliest_signed_on: date | ColumnElement[Any], until: datetime | ColumnElement[Any]
    ) -> ColumnElement[bool]:
        """A signing (see `is_signing`) not taken back before `until`
        (the week's end): a pairing moved to *signed* and back by a slip of the menu signed no
        memorandum, and one moved there twice in a week signed one. Moves within *signed*'s own
        status (on hold) take nothing back."""
        later = aliased(StageChange)
        taken_back = (
            select(later.id)
            .where(
                later.partnership_id == StageChange.partnership_id,
                or_(
                    later.changed_at > StageChange.changed_at,
                    and_(later.changed_at == StageChange.changed_at, later.id > StageChange.id),
                ),
                later.changed_at < until,
                later.from_stage_id == StageChange.to_stage_id,
                later.to_stage_id != later.from_stage_id,
            )
            .exists()
        )
        return and_(self.is_signing(earliest_signed_on), ~taken_back)

    @staticmethod
    def is_stage_move() -> ColumnElement[bool]:
        return and_(
            StageChange.from_stage_id.is_not(None),
            StageChange.from_stage_id != StageChange.to_stage_id,
        )

    def moves_statement(self, *, signed_only: bool = False) -> Select[Any]:
        statement = (
            select(
                StageChange.id,
                StageChange.partnership_id,
                Partnership.title,
                StageChange.changed_at,
                StageChange.from_stage_id,
                StageChange.to_stage_id,
                StageChange.to_status,
                User.name,
                StageChange.note,
            )
            .join(Partnership, Partnership.id == StageChange.partnership_id)
            .join(User, User.id == StageChange.changed_by_id)
            .where(self.in_scope, StageChange.changed_at >= self.start)
            .where(StageChange.changed_at < self.end)
            .order_by(StageChange.changed_at, StageChange.id)
        )
        if signed_only:
            return statement.where(self.is_kept_signing(self.week.previous().monday, self.end))
        return statement

    def move(self, row: Row[Any], *, signed: bool = False) -> Move:
        _, pid, title, at, from_stage, to_stage, to_status, by, note = row[:9]
        return Move(
            pairing=PairingRef(pid, title),
            at=at,
            kind=self.kind_of(from_stage, to_stage, to_status),
            from_stage=self.stage_names.get(from_stage) if from_stage else None,
            to_stage=self.stage_names[to_stage],
            signed=signed,
            by=by,
            # Stage-change notes are internal: a partner's report shows the moves without them.
            note=note if self.notes else "",
        )

    def moves(self) -> Iterator[Move]:
        """Every move of the week, for the downloads; the signings among them are marked (a
        week's signings are few: their ids are read first)."""
        signing_ids = set(
            session.scalars(
                self.moves_statement(signed_only=True).with_only_columns(StageChange.id)
            )
        )
        return (
            self.move(row, signed=row.id in signing_ids) for row in _stream(self.moves_statement())
        )

    def signed(self) -> Iterator[Move]:
        return (
            self.move(row, signed=True) for row in _stream(self.moves_statement(signed_only=True))
        )

    # --- Meetings, visits and signings ------------------------------------------------------------

    def events_statement(self) -> Select[Any]:
        return (
            select(
                Activity.id,
                Activity.partnership_id,
                Partnership.title,
                Activity.occurred_at,
                Activity.kind,
                Activity.place,
                Activity.summary,
            )
            .join(Partnership, Partnership.id == Activity.partnership_id)
            .where(
                self.in_scope,
                Activity.kind.in_([kind.value for kind in EVENT_KINDS]),
                Activity.occurred_at >= self.start,
                Activity.occurred_at < self.end,
            )
            .order_by(Activity.occurred_at, Activity.id)
        )

    def events_count(self) -> Select[tuple[int]]:
        """How many events the week had: `events_statement`'s conditions, from an index alone."""
        return select(func.count()).where(
            Activity.kind.in_([kind.value for kind in EVENT_KINDS]),
            Activity.occurred_at >= self.start,
            Activity.occurred_at < self.end,
            self.pairing_in_scope(Activity.partnership_id),
        )

    @staticmethod
    def with_participants(statement: Select[Any]) -> Select[Any]:
        """`statement`'s rows with their participants' names in one more column, looked up for
        those rows alone (after any LIMIT)."""
        rows = statement.subquery()
        names = (
            select(func.aggregate_strings(Person.full_name, NAME_SEPARATOR))
            .select_from(activity_participants)
            .join(Person, Person.id == activity_participants.c.person_id)
            .where(activity_participants.c.activity_id == rows.c.id)
            .scalar_subquery()
        )
        return select(*rows.c, names).order_by(rows.c.occurred_at, rows.c.id)

    @staticmethod
    def event(row: Row[Any]) -> Event:
        _, pid, title, at, kind, place, summary = row[:7]
        names = row[-1]
        return Event(
            pairing=PairingRef(pid, title),
            at=at,
            kind=kind,
            place=place,
            summary=summary,
            participants=tuple(sorted(names.split(NAME_SEPARATOR))) if names else (),
        )

    def events(self) -> Iterator[Event]:
        return (self.event(row) for row in _stream(self.with_participants(self.events_statement())))

    # --- Tasks -----------------------------------------------------------------------------------

    def open_at_end(self) -> tuple[ColumnElement[bool], ...]:
        """Tasks that existed and were not done when the week ended."""
        return (
            Task.created_at < self.end,
            # Not done, or done since: one test of the index's columns, where an OR would have
            # SQLite read the tasks not done (400,000) through another index. The moment is
            # typed as the column: bare, it went to PostgreSQL as a timestamp with a zone, which
            # turned the comparison into one in the server's zone, and west of UTC every open
            # task read as done before the week ended.
            func.coalesce(Task.completed_at, literal(self.end, Task.completed_at.type)) >= self.end,
        )

    def task_conditions(self, which: str) -> tuple[ColumnElement[bool], ...]:
        if which == "completed":
            return (Task.completed_at >= self.start, Task.completed_at < self.end)
        if which == "overdue":
            return (Task.due_on <= self.last_past_day, *self.open_at_end())
        # Upcoming: next week's, and while the week runs, the rest of this one too (not late
        # yet, and in no other list).
        return (
            Task.due_on > self.last_past_day,
            Task.due_on <= self.week.sunday + timedelta(days=7),
            *self.open_at_end(),
        )

    def tasks_count(self, which: str) -> Select[tuple[int]]:
        """How many tasks `which` there are: the list's conditions without what a row shows."""
        return (
            select(func.count())
            .select_from(Task)
            .where(*self.task_conditions(which), self.pairing_in_scope(Task.partnership_id))
        )

    def task_order(self, which: str) -> tuple[Any, ...]:
        if which == "completed":
            return (Task.completed_at, Task.id)
        return (Task.due_on, Task.id)

    def tasks_statement(self, which: str) -> Select[Any]:
        """The tasks `which` ("completed", "overdue", "due_next_week") with what a row shows."""
        assignee, completer = aliased(User), aliased(User)
        return (
            select(
                Task.id,
                Task.partnership_id,
                Partnership.title,
                Task.title,
                assignee.name,
                Task.due_on,
                Task.completed_at,
                completer.name,
            )
            .join(Partnership, Partnership.id == Task.partnership_id)
            .outerjoin(assignee, assignee.id == Task.assignee_id)
            .outerjoin(completer, completer.id == Task.completed_by_id)
            .where(self.in_scope, *self.task_conditions(which))
            .order_by(*self.task_order(which))
        )

    @staticmethod
    def task(row: Row[Any]) -> TaskRow:
        task_id, pid, pairing_title, title, assignee, due_on, completed_at, completed_by = row[:8]
        return TaskRow(
            id=task_id,
            pairing=PairingRef(pid, pairing_title),
            title=title,
            assignee=assignee or gettext("Unassigned"),
            due_on=due_on,
            completed_at=completed_at,
            completed_by=completed_by or "",
        )

    def tasks(self, which: str) -> Iterator[TaskRow]:
        return (self.task(row) for row in _stream(self.tasks_statement(which)))

    # --- Stalled pairings ------------------------------------------------------------------------

    def stalled_statement(self, limit: int | None = None) -> Select[Any]:
        """Open pairings with no stage change and no contact for `stalled_days` days at the end
        of the week, longest first (the first `limit` of them), each with the number of them in
        all.

        A signed memorandum is the last stage: such a pairing is being implemented, not stuck.
        """
        at_end = self.moment(self.end)
        threshold = self.end - timedelta(days=self.stalled_days)
        final_stages = sorted(self.signed_stage_ids)
        # A meeting, visit, call or letter since the threshold means the pairing is not stuck.
        # The pairings contacted are a range of the index on (occurred_at, kind, partnership_id),
        # some tens of thousands of rows read once, rather than a lookup for each of the 50,000
        # quiet candidates.
        contacted = (
            select(Activity.partnership_id)
            .where(
                Activity.occurred_at > threshold,
                Activity.occurred_at < self.end,
                Activity.kind.in_([kind.value for kind in CONTACT_KINDS]),
            )
            .cte("contacted")  # read once for both parts below
        )
        quiet_unchanged = select(
            Partnership.id,
            Partnership.stage_id,
            Partnership.owner_id,
            Partnership.stage_entered_at.label("since"),
        ).where(
            self.in_scope,
            at_end.unchanged(),
            Partnership.status == Status.OPEN.value,
            Partnership.stage_entered_at <= threshold,
            Partnership.stage_id.not_in(final_stages),
            Partnership.id.not_in(select(contacted.c.partnership_id)),
        )
        moved = at_end.moved(
            self.in_scope,
            Partnership.owner_id,
            at_end.stage_entered().label("since"),
            open_short_of=final_stages,
        )
        quiet_replayed = (
            select(moved.c.id, moved.c.then_stage_id, moved.c.owner_id, moved.c.since)
            .select_from(moved)
            .where(
                moved.c.since <= threshold,
                moved.c.id.not_in(select(contacted.c.partnership_id)),
            )
        )
        quiet = union_all(quiet_unchanged, quiet_replayed).subquery()
        # Ordered and cut first, and only then titled and named: the titles of the first rows
        # alone are read.
        first = (
            select(*quiet.c, func.count().over().label("total"))
            .order_by(quiet.c.since, quiet.c.id)
            .limit(limit)
            .subquery()
        )
        titled = aliased(Partnership)
        return (
            select(
                first.c.id, titled.title, first.c.stage_id, User.name, first.c.since, first.c.total
            )
            .join(titled, titled.id == first.c.id)
            .join(User, User.id == first.c.owner_id)
            .order_by(first.c.since, first.c.id)
        )

    def stalled_pairing(self, row: Row[Any]) -> StalledPairing:
        pid, title, stage_id, owner, since = row[:5]
        return StalledPairing(
            pairing=PairingRef(pid, title),
            stage=self.stage_names[stage_id],
            owner=owner,
            since=since,
            days=(self.end - since).days,
        )

    def stalled(self) -> Iterator[StalledPairing]:
        return (self.stalled_pairing(row) for row in _stream(self.stalled_statement()))

    # --- By pair of countries ----------------------------------------------------------------

    def country_pairs_statement(self) -> Select[Any]:
        """Open pairings, moves and signings per pair of countries, most open first: thousands
        of rows at 100,000 pairings, counted and ordered by the database."""
        return ordered_country_pairs(CountSources.of(self, since=self.start))

    @staticmethod
    def breakdown_row(row: Sequence[Any]) -> BreakdownRow:
        label, opened, moved, signed = row[:4]
        # int(): PostgreSQL's SUM of counts is a numeric.
        return BreakdownRow(label=label, open=int(opened), moved=int(moved), signed=int(signed))

    def country_pairs(self) -> Iterator[BreakdownRow]:
        return (self.breakdown_row(row) for row in _stream(self.country_pairs_statement()))


def _stream(statement: Select[Any]) -> Iterator[Row[Any]]:
    """Every row of `statement`, fetched in batches (a server-side cursor on PostgreSQL)."""
    yield from session.execute(statement.execution_options(yield_per=STREAM_BATCH))


def _first(
    statement: Select[Any], limit: int, tag: int, *, total: Select[tuple[int]] | None = None
) -> Select[Any]:
    """The first `limit` rows of `statement`, marked `tag`, to be read in one statement with
    others (UNION ALL); each row also carries the count of `total`, the number of rows in all
    (else -1).

    The union keeps no order: the caller sorts each tag's rows again (at most `limit` of them).

    The total is counted apart, by the same conditions without what a row shows: a count over
    the rows (a window) would read every row of the list in full, 60,000 tasks completed in a
    week, where the count reads an index and the list stops at `limit`.
    """
    counted = total.scalar_subquery() if total is not None else literal(-1)
    first = statement.add_columns(counted.label("total")).limit(limit).subquery()
    return select(*first.c, literal(tag).label("tag"))


def compute_weekly_report(
    week: IsoWeek,
    *,
    viewer: User,
    zone: ZoneInfo,
    filters: ReportFilters | None = None,
    stalled_days: int = 30,
    now: datetime | None = None,
    list_limit: int = DEFAULT_LIST_LIMIT,
) -> WeeklyReport:
    """The report for `week` as `viewer` may see it: seven statements whatever the size."""
    filters = filters or ReportFilters()
    scope = filtered(
        access.visible_partnerships(viewer), filters.as_partnership_filters(), country_as_set=True
    )
    in_scope = scope.whereclause
    assert in_scope is not None  # visible_partnerships always leaves out the archived
    start, end = week.bounds(zone)
    # The week still going on is reported as it stands now: a task due on Friday is not late on
    # Wednesday, and a pairing's quiet days count to today.
    moment = now or utcnow()
    end = min(end, moment)
    last_past_day = min(week.sunday, moment.astimezone(zone).date() - timedelta(days=1))
    previous_start, _ = week.previous().bounds(zone)
    stages = ordered_stages()
    rows = ReportRows(
        in_scope=in_scope,
        pairing_in_scope=_pairing_in_scope(viewer, scope, filters),
        start=start,
        end=end,
        now=moment,
        week=week,
        last_past_day=last_past_day,
        stalled_days=stalled_days,
        notes=access.can_see_internal_notes(viewer),
        stage_names={stage.id: stage.name for stage in stages},
        stage_positions={stage.id: stage.position for stage in stages},
        signed_stage_ids=frozenset(stage.id for stage in stages if stage.key == SIGNED_STAGE_KEY),
    )

    counts = count_figures(rows, previous_start, list_limit)
    moves, signed = _first_moves(rows, list_limit)
    stalled, stalled_total = _first_stalled(rows, list_limit)
    events, events_total = _first_events(rows, list_limit)
    tasks = _first_tasks(rows, list_limit)
    overdue, overdue_total = _overdue_by_assignee(rows, tasks["overdue"][0])
    open_status = Status.OPEN.value

    return WeeklyReport(
        week=week,
        start=start,
        end=end,
        time_zone=zone.key,
        generated_at=now or utcnow(),
        filters=filters,
        stalled_days=stalled_days,
        list_limit=list_limit,
        rows=rows,
        headline=_headline(counts.at_end, counts.at_start, counts.tallies),
        funnel=[
            FunnelRow(
                stage_key=stage.key,
                stage_name=stage.name,
                open=counts.at_end[(stage.id, open_status)],
                previous_open=counts.at_start[(stage.id, open_status)],
                on_hold=counts.at_end[(stage.id, Status.ON_HOLD.value)],
            )
            for stage in stages
        ],
        moves=moves,
        moves_total=sum(counts.tallies[True].values()) - counts.tallies[True]["signed"],
        signed=signed,
        signed_total=counts.tallies[True]["signed"],
        stalled=stalled,
        stalled_total=stalled_total,
        by_sector=counts.by_sector,
        by_country_pair=counts.by_country_pair,
        by_country_pair_total=counts.by_country_pair_total,
        events=events,
        events_total=events_total,
        tasks_completed=tasks["completed"][0],
        tasks_completed_total=tasks["completed"][1],
        overdue_by_assignee=overdue,
        overdue_total=overdue_total,
        due_next_week=tasks["due_next_week"][0],
        due_next_week_total=tasks["due_next_week"][1],
    )


def _pairing_in_scope(
    viewer: User, scope: Select[Any], filters: ReportFilters
) -> Callable[[ColumnElement[int]], ColumnElement[bool]]:
    """How a row's pairing id is checked against the report's scope.

    Unfiltered, by the access rule itself: for staff, NOT IN the few archived pairings (a range
    of an index, held as a hash). Filtered, or for a partner, IN the pairings in scope, which
    the databases join as a semi-join: NOT IN the rest, some 99,000 ids, would outgrow
    PostgreSQL's hash in work_mem and be checked row by row.
    """
    if not filters.is_filtered and not access.is_partner(viewer):
        return lambda pairing_id: access.is_visible_partnership(viewer, pairing_id)
    in_scope_ids = scope.with_only_columns(Partnership.id)
    return lambda pairing_id: pairing_id.in_(in_scope_ids)


def _headline(
    at_end: dict[tuple[int, str], int],
    at_start: dict[tuple[int, str], int],
    tallies: MoveTallies,
) -> list[Figure]:
    def open_total(counts: dict[tuple[int, str], int]) -> int:
        return sum(total for (_, status), total in counts.items() if status == Status.OPEN)

    figures = [Figure("open", gettext("Open pairings"), open_total(at_end), open_total(at_start))]
    for key, label in (
        ("new", gettext("New pairings")),
        ("forward", gettext("Moves forward")),
        ("back", gettext("Moves back")),
        ("signed", gettext("Memoranda signed")),
        ("on_hold", pgettext("what happened to a pairing", "Put on hold")),
        ("dropped", gettext("Dropped")),
    ):
        figures.append(Figure(key, label, tallies[True][key], tallies[False][key]))
    return figures


def _first_moves(rows: ReportRows, limit: int) -> tuple[list[Move], list[Move]]:
    """The week's first moves, and its first signings, in one statement."""
    statement = union_all(
        _first(rows.moves_statement(), limit, 0),
        _first(rows.moves_statement(signed_only=True), limit, 1),
    )
    listed: tuple[list[Row[Any]], list[Row[Any]]] = ([], [])
    for row in session.execute(statement):
        listed[row.tag].append(row)
    in_order = [sorted(found, key=lambda row: (row.changed_at, row.id)) for found in listed]
    # A listed move is a signing when it is among the listed signings: they are the moves'
    # own rows in the same order, so the first `limit` moves hold no signing past the first
    # `limit` signings.
    signing_ids = {row.id for row in in_order[1]}
    moves = [rows.move(row, signed=row.id in signing_ids) for row in in_order[0]]
    signed = [rows.move(row, signed=True) for row in in_order[1]]
    return moves, signed


def _first_stalled(rows: ReportRows, limit: int) -> tuple[list[StalledPairing], int]:
    found = session.execute(rows.stalled_statement(limit)).all()
    return [rows.stalled_pairing(row) for row in found], (found[0][5] if found else 0)


def _first_events(rows: ReportRows, limit: int) -> tuple[list[Event], int]:
    # Counted apart (see `_first`): a count over the rows would read every event of the week
    # with its pairing, where the list stops at its first rows.
    total = rows.events_count().scalar_subquery().label("total")
    first = rows.events_statement().add_columns(total).limit(limit)
    found = session.execute(rows.with_participants(first)).all()
    return [rows.event(row) for row in found], (found[0].total if found else 0)


TASK_LISTS = ("completed", "overdue", "due_next_week")


def _first_tasks(rows: ReportRows, limit: int) -> dict[str, tuple[list[TaskRow], int]]:
    """The first tasks of each list with its total, in one statement. The overdue ones are
    counted by `_overdue_by_assignee`, per person."""
    statement = union_all(
        *(
            _first(
                rows.tasks_statement(which),
                limit,
                tag,
                total=rows.tasks_count(which) if which != "overdue" else None,
            )
            for tag, which in enumerate(TASK_LISTS)
        )
    )
    found: dict[str, list[Row[Any]]] = {which: [] for which in TASK_LISTS}
    for row in session.execute(statement):
        found[TASK_LISTS[row.tag]].append(row)

    def order(which: str) -> Any:
        if which == "completed":
            return lambda row: (row.completed_at, row.id)
        return lambda row: (row.due_on, row.id)

    return {
        which: (
            [rows.task(row) for row in sorted(found[which], key=order(which))],
            found[which][0].total if found[which] else 0,
        )
        for which in TASK_LISTS
    }


def _overdue_by_assignee(
    rows: ReportRows, listed: list[TaskRow]
) -> tuple[list[AssigneeTasks], int]:
    """Everyone with tasks overdue at the end of the week, most first, each with their exact
    number and those of their tasks that are among the first listed."""

    # Some 165,000 tasks at 100,000 pairings, counted by assignee id and only then named, in two
    # parts: the tasks still open, and those done since the week ended.
    #
    # The open ones are read from (assignee_id, status, due_on, ..., created_at) alone, one range
    # per assignee and already in assignee order: from the index of open tasks by due date they
    # had to be sorted by assignee, 270 ms of SQLite's time rather than 115.
    #
    # The done ones are a few days' completions, read from (completed_at, ...) alone: grouped
    # by an expression of the assignee, not the column itself, or SQLite would read all of
    # an assignee's done tasks through (assignee_id, status, completed_at) and look up each
    # one's row. The 0 is written out so that PostgreSQL sees the same expression in the
    # select list and the GROUP BY.
    def overdue(assignee: ColumnElement[Any], done: ColumnElement[bool]) -> Select[Any]:
        return (
            select(assignee.label("assignee_id"), func.count().label("total"))
            .where(
                Task.due_on <= rows.last_past_day,
                Task.created_at < rows.end,
                done,
                rows.pairing_in_scope(Task.partnership_id),
            )
            .group_by(assignee)
        )

    parts = union_all(
        overdue(Task.assignee_id, Task.status == TaskStatus.OPEN.value),
        overdue(Task.assignee_id + literal_column("0"), Task.completed_at >= rows.end),
    ).subquery()
    totals: defaultdict[str, int] = defaultdict(int)
    for name, total in session.execute(
        select(User.name, func.sum(parts.c.total))
        .select_from(parts)
        .outerjoin(User, User.id == parts.c.assignee_id)
        .group_by(parts.c.assignee_id, User.name)
    ):
        # int(): PostgreSQL's SUM of counts is a numeric, which JSON cannot write.
        totals[name or gettext("Unassigned")] += int(total)
    tasks_of: defaultdict[str, list[TaskRow]] = defaultdict(list)
    for task in listed:
        tasks_of[task.assignee].append(task)
    groups = [
        AssigneeTasks(assignee=name, tasks=tasks_of[name], total=total)
        for name, total in sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    ]
    return groups, sum(totals.values())
