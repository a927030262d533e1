"""The weekly report's figures against a plain replay of the history, on the benchmark's own
synthetic register: where each pairing stood at the end and the start of a week is its last
history row before that moment, whichever way the report's statements work it out (from the
changes since, close to now, or from each pairing's history before, further back)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select

from bench.generate import Sizes, populate
from crm.activities.models import CONTACT_KINDS, Activity
from crm.auth.models import Role, User
from crm.db import engine_for, session
from crm.localities.models import Locality
from crm.partnerships.models import Partnership, StageChange, Status, partnership_sectors
from crm.partnerships.stages import SIGNED_STAGE_KEY, ordered_stages
from crm.reports import moments
from crm.reports.weekly import ReportFilters, WeeklyReport, compute_weekly_report
from crm.reports.weeks import IsoWeek
from crm.sectors.models import Sector
from crm.sharing.models import PartnershipShare
from crm.tasks.models import Task
from tests.factories import make_user

TODAY = date(2026, 2, 25)
# The last three weeks, and one three months back.
WEEKS = [IsoWeek(2026, 6), IsoWeek(2026, 7), IsoWeek(2026, 8), IsoWeek(2025, 48)]
# Each way to where the pairings stood, whatever the week's age.
WAYS = {"changes since": timedelta.max, "history before": timedelta(0)}
ZONE = ZoneInfo("Europe/Ljubljana")
SIZES = Sizes(
    pairings=400, localities=40, countries=6, stage_changes=16000, tasks=4000, people=400,
    activities=400, organisations=5, users=3,
)  # fmt: skip


@dataclass(frozen=True)
class Pairing:
    archived: bool
    owner_id: int
    countries: str
    sectors: frozenset[str]
    history: list[tuple[datetime, int, int, str]]  # (changed_at, id, to_stage_id, to_status)
    # (due_on, created_at, completed_at, assignee's name)
    tasks: list[tuple[date | None, datetime, datetime | None, str]]
    contacts: list[datetime]  # when each meeting, visit, call or letter took place

    def at(self, moment: datetime) -> tuple[int, str] | None:
        before = [row for row in self.history if row[0] < moment]
        return max(before)[2:] if before else None

    def stage_entered(self, moment: datetime) -> datetime:
        """When it reached the stage it was at: a change of status alone does not count."""
        entered, stage = None, None
        for changed_at, _, to_stage, _ in sorted(self.history):
            if changed_at >= moment:
                break
            if to_stage != stage:
                entered, stage = changed_at, to_stage
        assert entered is not None
        return entered


@pytest.fixture
def register(app: Flask) -> dict[int, Pairing]:
    populate(engine_for(app), SIZES, today=TODAY)
    with app.app_context():
        country = dict(session.execute(select(Locality.id, Locality.country_code)).all())
        sectors: dict[int, set[str]] = {}
        for pairing_id, slug in session.execute(
            select(partnership_sectors.c.partnership_id, Sector.slug).join(
                Sector, Sector.id == partnership_sectors.c.sector_id
            )
        ):
            sectors.setdefault(pairing_id, set()).add(slug)
        history: dict[int, list[tuple[datetime, int, int, str]]] = {}
        for row in session.execute(
            select(
                StageChange.partnership_id,
                StageChange.changed_at,
                StageChange.id,
                StageChange.to_stage_id,
                StageChange.to_status,
            )
        ):
            history.setdefault(row[0], []).append(tuple(row[1:]))  # type: ignore[arg-type]
        tasks: dict[int, list[tuple[date | None, datetime, datetime | None, str]]] = {}
        for pairing_id, *task in session.execute(
            select(
                Task.partnership_id, Task.due_on, Task.created_at, Task.completed_at, User.name
            ).outerjoin(User, User.id == Task.assignee_id)
        ):
            tasks.setdefault(pairing_id, []).append(tuple(task))  # type: ignore[arg-type]
        contacts: dict[int, list[datetime]] = {}
        for pairing_id, occurred_at in session.execute(
            select(Activity.partnership_id, Activity.occurred_at).where(
                Activity.kind.in_([kind.value for kind in CONTACT_KINDS])
            )
        ):
            contacts.setdefault(pairing_id, []).append(occurred_at)
        return {
            p.id: Pairing(
                archived=p.archived_at is not None,
                owner_id=p.owner_id,
                countries="–".join(sorted((country[p.locality_a_id], country[p.locality_b_id]))),
                sectors=frozenset(sectors.get(p.id, ())),
                history=history[p.id],
                tasks=tasks.get(p.id, []),
                contacts=contacts.get(p.id, []),
            )
            for p in session.scalars(select(Partnership))
        }


def report(
    app: Flask, week: IsoWeek, viewer: User, filters: ReportFilters, recent: timedelta
) -> WeeklyReport:
    with app.app_context(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(moments, "RECENT", recent)
        viewer = session.merge(viewer, load=False)
        return compute_weekly_report(
            week, viewer=viewer, zone=ZONE, filters=filters, now=datetime(2026, 2, 25, tzinfo=UTC)
        )


def scope_of(
    app: Flask, register: dict[int, Pairing], case: str
) -> tuple[User, ReportFilters, Callable[[int, Pairing], bool]]:
    """Who reads the report, with which filters, and which pairings that leaves them."""
    with app.app_context():
        officer = session.scalars(select(User).where(User.role == "officer")).first()
        assert officer is not None
        if case == "partner":
            # A chamber of commerce with every third pairing shared, archived ones among them.
            partner = make_user(name="Chamber", role=Role.PARTNER.value)
            shared = {pairing_id for pairing_id in register if pairing_id % 3 == 0}
            session.add_all(
                PartnershipShare(
                    partnership_id=pairing_id, user_id=partner.id, shared_by_id=officer.id
                )
                for pairing_id in shared
            )
            session.commit()
            session.expunge(partner)
            return partner, ReportFilters(), lambda pairing_id, p: pairing_id in shared
        session.expunge(officer)
    if case == "sector":
        return officer, ReportFilters(sector="education"), lambda _, p: "education" in p.sectors
    if case == "owner":
        owner = Counter(p.owner_id for p in register.values()).most_common()[1][0]
        return officer, ReportFilters(owner_id=owner), lambda _, p: p.owner_id == owner
    if case == "country":
        country = Counter(
            code for p in register.values() for code in p.countries.split("–")
        ).most_common()[2][0]
        return (
            officer,
            ReportFilters(country=country),
            lambda _, p: country in p.countries.split("–"),
        )
    return officer, ReportFilters(), lambda _, p: True


@pytest.mark.parametrize("case", ["all", "sector", "owner", "country", "partner"])
@pytest.mark.parametrize("week", WEEKS, ids=str)
def test_the_report_stands_where_the_history_says(
    app: Flask, register: dict[int, Pairing], week: IsoWeek, case: str
) -> None:
    start, end = week.bounds(ZONE)
    viewer, filters, chosen = scope_of(app, register, case)
    in_scope_ids = {
        pairing_id for pairing_id, p in register.items() if not p.archived and chosen(pairing_id, p)
    }
    in_scope = [register[pairing_id] for pairing_id in sorted(in_scope_ids)]
    # The register has what makes the replay matter: pairings that moved on after the week,
    # some created after it, some on hold or dropped at its end, and some archived.
    assert sum(1 for p in in_scope if max(p.history)[0] >= end) > 10
    # Pairings changed more than once in the week: where they stood at its start is where the
    # first of those changes found them, not the last.
    assert sum(1 for p in in_scope if sum(start <= row[0] < end for row in p.history) > 1) > 3
    assert case != "all" or any(min(p.history)[0] >= end for p in in_scope)
    assert {state[1] for p in in_scope if (state := p.at(end))} >= {"open", "on_hold", "dropped"}
    assert any(p.archived for p in register.values())
    assert 0 < len(in_scope) < sum(1 for p in register.values() if not p.archived) or case == "all"

    with app.app_context():
        stage_keys = {stage.id: stage.key for stage in ordered_stages()}
    # Open at the end of the week short of *signed*, at their stage since 30 days before its end
    # or longer, with no meeting, visit, call or letter in those 30 days: longest first.
    threshold = end - timedelta(days=30)
    stalled = sorted(
        (since, pairing_id)
        for pairing_id in in_scope_ids
        if (state := register[pairing_id].at(end))
        and state[1] == Status.OPEN
        and stage_keys[state[0]] != SIGNED_STAGE_KEY
        and (since := register[pairing_id].stage_entered(end)) <= threshold
        and not any(threshold < at < end for at in register[pairing_id].contacts)
    )
    assert len(stalled) > 10

    for way, recent in WAYS.items():
        result = report(app, week, viewer, filters, recent)
        assert result.stalled_total == len(stalled), way
        assert [(row.since, row.pairing.id) for row in result.stalled] == stalled[:200], way

        at_end = Counter(
            (stage_keys[state[0]], state[1]) for p in in_scope if (state := p.at(end)) is not None
        )
        at_start = Counter(
            (stage_keys[state[0]], state[1]) for p in in_scope if (state := p.at(start)) is not None
        )
        funnel = {
            row.stage_key: (row.open, row.previous_open, row.on_hold) for row in result.funnel
        }
        assert funnel == {
            key: (at_end[(key, "open")], at_start[(key, "open")], at_end[(key, "on_hold")])
            for key in stage_keys.values()
        }

        open_at_end = [p for p in in_scope if (state := p.at(end)) and state[1] == Status.OPEN]
        by_pair = Counter(p.countries for p in open_at_end)
        assert {row.label: row.open for row in result.by_country_pair if row.open} == by_pair
        with app.app_context():
            sector_names = dict(session.execute(select(Sector.slug, Sector.given_name)).all())
        by_sector = Counter(sector_names[slug] for p in open_at_end for slug in p.sectors)
        assert {row.label: row.open for row in result.by_sector if row.open} == by_sector
        # Every row has something to say: a sector of archived or unseen pairings alone is left out.
        assert all(row.open or row.moved or row.signed for row in result.by_sector)
        assert all(row.open or row.moved or row.signed for row in result.by_country_pair)

        overdue = Counter(
            assignee or "Unassigned"
            for p in in_scope
            for due_on, created_at, completed_at, assignee in p.tasks
            if due_on is not None
            and due_on <= week.sunday
            and created_at < end
            and (completed_at is None or completed_at >= end)
        )
        assert {group.assignee: group.total for group in result.overdue_by_assignee} == overdue
        # Tasks done after the week were still open at its end, and count.
        assert any(
            completed_at is not None and completed_at >= end and due_on and due_on <= week.sunday
            for p in in_scope
            for due_on, _, completed_at, _ in p.tasks
        )

        # Every history row of the week is one move of some kind (a signing is also counted apart).
        in_week = sum(1 for p in in_scope for row in p.history if start <= row[0] < end)
        assert result.moves_total == in_week


def test_a_moment_far_back_is_looked_up_pairing_by_pairing() -> None:
    # The range of changes since grows with every week back; beyond `RECENT` each pairing's
    # history is looked up instead (both ways are held to the replay above).
    now = datetime(2026, 2, 25, 12, tzinfo=UTC)
    last_week = moments.moment_at(now - timedelta(days=9), now=now, lateral=False)
    months_back = moments.moment_at(now - timedelta(days=90), now=now, lateral=True)
    assert isinstance(last_week, moments.RecentMoment)
    assert isinstance(months_back, moments.DistantMoment) and months_back.lateral
