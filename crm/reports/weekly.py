"""One computation of the weekly status report, as plain data that every rendering reads.

Everything comes from the stage-change history, never from counters kept on the side, so the
report for a past week gives the same figures however the pipeline moved since. Where a pairing
has changed since the week ended, its state at the end of the week is replayed from its history;
for all the others (nearly all, for a recent week) the current row already is that state, which
keeps the work small on a large register.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext, lazy_gettext, lazy_pgettext, pgettext
from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import aliased

from crm import access
from crm.activities.models import CONTACT_KINDS, Activity, ActivityKind, activity_participants
from crm.auth.models import User
from crm.contacts.models import Person
from crm.db import session, utcnow
from crm.i18n.names import translated_name
from crm.localities.models import Locality
from crm.partnerships.models import Partnership, Stage, StageChange, Status, partnership_sectors
from crm.partnerships.queries import PartnershipFilters, filtered
from crm.partnerships.stages import SIGNED_STAGE_KEY, ordered_stages
from crm.reports.weeks import IsoWeek
from crm.sectors.models import Sector
from crm.tasks.models import Task

STALLED_LIST_LIMIT = 100
TASK_LIST_LIMIT = 500
EVENT_KINDS = (ActivityKind.MEETING, ActivityKind.VISIT, ActivityKind.SIGNING)

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
    kind: str
    place: str
    summary: str
    participants: tuple[str, ...]


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
    assignee: str
    tasks: list[TaskRow]


@dataclass(frozen=True)
class WeeklyReport:
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
    by_country_pair: list[BreakdownRow]
    events: list[Event] = field(default_factory=list)
    tasks_completed: list[TaskRow] = field(default_factory=list)
    overdue_by_assignee: list[AssigneeTasks] = field(default_factory=list)
    due_next_week: list[TaskRow] = field(default_factory=list)

    @property
    def overdue_total(self) -> int:
        return sum(len(group.tasks) for group in self.overdue_by_assignee)

    @property
    def signed(self) -> list[Move]:
        return [move for move in self.moves if move.signed]


@dataclass
class _StateAt:
    """Where every pairing in scope stood at one moment."""

    moment: datetime
    counts: Counter[tuple[int, str]]  # (stage id, status) -> pairings
    replayed: dict[int, tuple[int, str, datetime]]  # id -> (stage, status, stage entered at)
    open_ids: ColumnElement[bool]  # true for the pairings open at the moment


def compute_weekly_report(
    week: IsoWeek,
    *,
    viewer: User,
    zone: ZoneInfo,
    filters: ReportFilters | None = None,
    stalled_days: int = 30,
    now: datetime | None = None,
) -> WeeklyReport:
    filters = filters or ReportFilters()
    scope = filtered(access.visible_partnerships(viewer), filters.as_partnership_filters())
    scope_ids = scope.with_only_columns(Partnership.id).order_by(None)
    start, end = week.bounds(zone)
    previous_start, _ = week.previous().bounds(zone)
    stages = ordered_stages()

    at_end = _state_at(end, scope_ids)
    at_previous_end = _state_at(start, scope_ids)
    # Stage-change notes are internal: a partner's report shows the moves without them.
    moves = _moves(start, end, scope_ids, stages, notes=access.can_see_internal_notes(viewer))
    previous_moves = _moves(previous_start, start, scope_ids, stages, notes=False)
    stalled, stalled_total = _stalled(at_end, scope_ids, stalled_days, stages)
    sunday = week.sunday

    return WeeklyReport(
        week=week,
        start=start,
        end=end,
        time_zone=zone.key,
        generated_at=now or utcnow(),
        filters=filters,
        stalled_days=stalled_days,
        headline=_headline(at_end, at_previous_end, moves, previous_moves),
        funnel=[
            FunnelRow(
                stage_key=stage.key,
                stage_name=stage.name,
                open=at_end.counts[(stage.id, Status.OPEN.value)],
                previous_open=at_previous_end.counts[(stage.id, Status.OPEN.value)],
                on_hold=at_end.counts[(stage.id, Status.ON_HOLD.value)],
            )
            for stage in stages
        ],
        moves=moves,
        stalled=stalled,
        stalled_total=stalled_total,
        by_sector=_by_sector(at_end, moves),
        by_country_pair=_by_country_pair(at_end, moves),
        events=_events(start, end, scope_ids),
        tasks_completed=_tasks(scope_ids, Task.completed_at >= start, Task.completed_at < end),
        overdue_by_assignee=_by_assignee(_tasks(scope_ids, Task.due_on <= sunday, *_open_at(end))),
        due_next_week=_tasks(
            scope_ids,
            Task.due_on > sunday,
            Task.due_on <= sunday + timedelta(days=7),
            *_open_at(end),
        ),
    )


def _state_at(moment: datetime, scope_ids: Select[tuple[int]]) -> _StateAt:
    changed_since = select(StageChange.partnership_id).where(StageChange.changed_at >= moment)
    unchanged = and_(
        Partnership.id.in_(scope_ids),
        Partnership.id.not_in(changed_since),
        Partnership.created_at < moment,
    )
    counts: Counter[tuple[int, str]] = Counter(
        {
            (stage_id, status): total
            for stage_id, status, total in session.execute(
                select(Partnership.stage_id, Partnership.status, func.count())
                .where(unchanged)
                .group_by(Partnership.stage_id, Partnership.status)
            )
        }
    )
    replayed = _replay(moment, scope_ids, changed_since)
    for stage_id, status, _ in replayed.values():
        counts[(stage_id, status)] += 1
    open_replayed = [pid for pid, (_, status, _) in replayed.items() if status == Status.OPEN]
    open_ids = or_(
        and_(unchanged, Partnership.status == Status.OPEN.value),
        Partnership.id.in_(open_replayed),
    )
    return _StateAt(moment=moment, counts=counts, replayed=replayed, open_ids=open_ids)


def _replay(
    moment: datetime, scope_ids: Select[tuple[int]], changed_since: Select[tuple[int]]
) -> dict[int, tuple[int, str, datetime]]:
    """The state at `moment` of the pairings that have moved since, from their history."""
    rows = session.execute(
        select(
            StageChange.partnership_id,
            StageChange.from_stage_id,
            StageChange.to_stage_id,
            StageChange.to_status,
            StageChange.changed_at,
        )
        .where(
            StageChange.partnership_id.in_(changed_since),
            StageChange.partnership_id.in_(scope_ids),
            StageChange.changed_at < moment,
        )
        .order_by(StageChange.partnership_id, StageChange.changed_at, StageChange.id)
    )
    states: dict[int, tuple[int, str, datetime]] = {}
    for partnership_id, from_stage_id, to_stage_id, to_status, changed_at in rows:
        entered = states[partnership_id][2] if partnership_id in states else changed_at
        if from_stage_id is None or from_stage_id != to_stage_id:
            entered = changed_at
        states[partnership_id] = (to_stage_id, to_status, entered)
    return states


def _moves(
    start: datetime,
    end: datetime,
    scope_ids: Select[tuple[int]],
    stages: Sequence[Stage],
    *,
    notes: bool,
) -> list[Move]:
    positions = {stage.id: stage.position for stage in stages}
    names = {stage.id: stage.name for stage in stages}
    signed_ids = {stage.id for stage in stages if stage.key == SIGNED_STAGE_KEY}
    rows = session.execute(
        select(
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
        .where(
            StageChange.changed_at >= start,
            StageChange.changed_at < end,
            StageChange.partnership_id.in_(scope_ids),
        )
        .order_by(StageChange.changed_at, StageChange.id)
    )
    moves = []
    for pid, title, at, from_stage, to_stage, to_status, by, note in rows:
        if from_stage is None:
            kind = "new"
        elif from_stage != to_stage:
            kind = "forward" if positions[to_stage] > positions[from_stage] else "back"
        elif to_status == Status.OPEN:
            kind = "reopened"
        else:
            kind = to_status
        moves.append(
            Move(
                pairing=PairingRef(pid, title),
                at=at,
                kind=kind,
                from_stage=names.get(from_stage) if from_stage else None,
                to_stage=names[to_stage],
                signed=to_stage in signed_ids and from_stage != to_stage,
                by=by,
                note=note if notes else "",
            )
        )
    return moves


def _headline(
    at_end: _StateAt, at_start: _StateAt, moves: list[Move], previous: list[Move]
) -> list[Figure]:
    def tally(items: Iterable[Move], kind: str) -> int:
        if kind == "signed":
            return sum(1 for move in items if move.signed)
        return sum(1 for move in items if move.kind == kind)

    def open_total(state: _StateAt) -> int:
        return sum(total for (_, status), total in state.counts.items() if status == Status.OPEN)

    figures = [Figure("open", gettext("Open pairings"), open_total(at_end), open_total(at_start))]
    for key, label in (
        ("new", gettext("New pairings")),
        ("forward", gettext("Moves forward")),
        ("back", gettext("Moves back")),
        ("signed", gettext("Memoranda signed")),
        ("on_hold", pgettext("what happened to a pairing", "Put on hold")),
        ("dropped", gettext("Dropped")),
    ):
        figures.append(Figure(key, label, tally(moves, key), tally(previous, key)))
    return figures


def _stalled(
    at_end: _StateAt, scope_ids: Select[tuple[int]], days: int, stages: Sequence[Stage]
) -> tuple[list[StalledPairing], int]:
    """Open pairings with no stage change for `days` days at the end of the week, longest first.

    A signed memorandum is the last stage: such a pairing is being implemented, not stuck.
    """
    threshold = at_end.moment - timedelta(days=days)
    final_stages = [stage.id for stage in stages if stage.key == SIGNED_STAGE_KEY]
    # A meeting, visit, call or letter since the threshold means the pairing is not stuck.
    in_contact = select(Activity.partnership_id).where(
        Activity.kind.in_([kind.value for kind in CONTACT_KINDS]),
        Activity.occurred_at > threshold,
        Activity.occurred_at < at_end.moment,
    )
    changed_since = select(StageChange.partnership_id).where(
        StageChange.changed_at >= at_end.moment
    )
    quiet_unchanged = and_(
        Partnership.id.in_(scope_ids),
        Partnership.id.not_in(changed_since),
        Partnership.status == Status.OPEN.value,
        Partnership.stage_entered_at <= threshold,
        Partnership.stage_id.not_in(final_stages),
        Partnership.id.not_in(in_contact),
    )
    contacted = set(
        session.scalars(in_contact.where(Activity.partnership_id.in_(list(at_end.replayed))))
    )
    quiet_replayed = {
        pid: entered
        for pid, (stage_id, status, entered) in at_end.replayed.items()
        if status == Status.OPEN
        and entered <= threshold
        and stage_id not in final_stages
        and pid not in contacted
    }
    total = (session.scalar(select(func.count()).where(quiet_unchanged)) or 0) + len(quiet_replayed)
    since: dict[int, datetime] = dict(quiet_replayed)
    for pid, entered in session.execute(
        select(Partnership.id, Partnership.stage_entered_at)
        .where(quiet_unchanged)
        .order_by(Partnership.stage_entered_at, Partnership.id)
        .limit(STALLED_LIST_LIMIT)
    ):
        since[pid] = entered
    longest = sorted(since.items(), key=lambda item: (item[1], item[0]))[:STALLED_LIST_LIMIT]
    details = {
        pid: (title, stage_id, owner)
        for pid, title, stage_id, owner in session.execute(
            select(Partnership.id, Partnership.title, Partnership.stage_id, User.name)
            .join(User, User.id == Partnership.owner_id)
            .where(Partnership.id.in_([pid for pid, _ in longest]))
        )
    }
    stage_at_end = {pid: stage for pid, (stage, _, _) in at_end.replayed.items()}
    names = {stage.id: stage.name for stage in stages}
    stalled = []
    for pid, entered in longest:
        title, current_stage, owner = details[pid]
        stalled.append(
            StalledPairing(
                pairing=PairingRef(pid, title),
                stage=names[stage_at_end.get(pid, current_stage)],
                owner=owner,
                since=entered,
                days=(at_end.moment - entered).days,
            )
        )
    return stalled, total


def _open_at(moment: datetime) -> tuple[ColumnElement[bool], ...]:
    """Tasks that existed and were not done at `moment`."""
    return (
        Task.created_at < moment,
        or_(Task.completed_at.is_(None), Task.completed_at >= moment),
    )


def _tasks(scope_ids: Select[tuple[int]], *conditions: ColumnElement[bool]) -> list[TaskRow]:
    assignee, completer = aliased(User), aliased(User)
    rows = session.execute(
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
        .where(Task.partnership_id.in_(scope_ids), *conditions)
        .order_by(Task.due_on, Task.completed_at, Task.id)
        .limit(TASK_LIST_LIMIT)
    )
    return [
        TaskRow(
            id=task_id,
            pairing=PairingRef(pid, pairing_title),
            title=title,
            assignee=assignee_name or gettext("Unassigned"),
            due_on=due_on,
            completed_at=completed_at,
            completed_by=completed_by or "",
        )
        for (
            task_id,
            pid,
            pairing_title,
            title,
            assignee_name,
            due_on,
            completed_at,
            completed_by,
        ) in rows
    ]


def _by_assignee(tasks: list[TaskRow]) -> list[AssigneeTasks]:
    groups: dict[str, list[TaskRow]] = defaultdict(list)
    for task in tasks:
        groups[task.assignee].append(task)
    return [
        AssigneeTasks(assignee=name, tasks=items)
        for name, items in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    ]


def _events(start: datetime, end: datetime, scope_ids: Select[tuple[int]]) -> list[Event]:
    rows = session.execute(
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
            Activity.partnership_id.in_(scope_ids),
            Activity.kind.in_([kind.value for kind in EVENT_KINDS]),
            Activity.occurred_at >= start,
            Activity.occurred_at < end,
        )
        .order_by(Activity.occurred_at, Activity.id)
    ).all()
    names: dict[int, list[str]] = defaultdict(list)
    for activity_id, name in session.execute(
        select(activity_participants.c.activity_id, Person.full_name)
        .join(Person, Person.id == activity_participants.c.person_id)
        .where(activity_participants.c.activity_id.in_([row[0] for row in rows]))
        .order_by(Person.full_name)
    ):
        names[activity_id].append(name)
    return [
        Event(
            pairing=PairingRef(pid, title),
            at=at,
            kind=ActivityKind(kind).label,
            place=place,
            summary=summary,
            participants=tuple(names[activity_id]),
        )
        for activity_id, pid, title, at, kind, place, summary in rows
    ]


def _by_sector(at_end: _StateAt, moves: list[Move]) -> list[BreakdownRow]:
    # Counted by the stored name, which is unique; each row is then labelled in the reader's
    # language (two sectors may share a translation, never a count).
    shown: dict[str, str] = {}
    open_counts: dict[str, int] = {}
    for given, translations, count in session.execute(
        select(Sector.given_name, Sector.name_translations, func.count())
        .join(partnership_sectors, partnership_sectors.c.sector_id == Sector.id)
        .join(Partnership, Partnership.id == partnership_sectors.c.partnership_id)
        .where(at_end.open_ids)
        .group_by(Sector.id)  # the other columns depend on the key (PostgreSQL agrees)
    ):
        shown[given] = translated_name(given, translations)
        open_counts[given] = count
    moved_ids = {move.pairing.id for move in moves if move.kind in ("forward", "back")}
    signed_ids = {move.pairing.id for move in moves if move.signed}
    sectors_of: dict[int, list[str]] = defaultdict(list)
    for pid, given, translations in session.execute(
        select(partnership_sectors.c.partnership_id, Sector.given_name, Sector.name_translations)
        .join(Sector, Sector.id == partnership_sectors.c.sector_id)
        .where(partnership_sectors.c.partnership_id.in_(moved_ids | signed_ids))
    ):
        shown[given] = translated_name(given, translations)
        sectors_of[pid].append(given)
    rows = _breakdown(open_counts, sectors_of, moves)
    return [replace(row, label=shown[row.label]) for row in rows]


def _by_country_pair(at_end: _StateAt, moves: list[Move]) -> list[BreakdownRow]:
    side_a, side_b = aliased(Locality), aliased(Locality)
    pair = case(
        (
            side_a.country_code <= side_b.country_code,
            side_a.country_code + "–" + side_b.country_code,
        ),
        else_=side_b.country_code + "–" + side_a.country_code,
    )
    joined = (
        select(Partnership.id, pair)
        .join(side_a, side_a.id == Partnership.locality_a_id)
        .join(side_b, side_b.id == Partnership.locality_b_id)
    )
    open_counts = dict(
        session.execute(
            joined.with_only_columns(pair, func.count()).where(at_end.open_ids).group_by(pair)
        ).all()
    )
    touched = {move.pairing.id for move in moves if move.kind in ("forward", "back") or move.signed}
    pairs_of = {
        pid: [label] for pid, label in session.execute(joined.where(Partnership.id.in_(touched)))
    }
    return _breakdown(open_counts, pairs_of, moves)


def _breakdown(
    open_counts: dict[str, int], labels_of: dict[int, list[str]], moves: list[Move]
) -> list[BreakdownRow]:
    moved: Counter[str] = Counter()
    signed: Counter[str] = Counter()
    for move in moves:
        for label in labels_of.get(move.pairing.id, []):
            if move.kind in ("forward", "back"):
                moved[label] += 1
            if move.signed:
                signed[label] += 1
    labels = set(open_counts) | set(moved) | set(signed)
    rows = [
        BreakdownRow(
            label=label, open=open_counts.get(label, 0), moved=moved[label], signed=signed[label]
        )
        for label in labels
    ]
    return sorted(rows, key=lambda row: (-row.open, -row.moved, row.label))
