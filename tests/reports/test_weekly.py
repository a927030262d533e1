"""The weekly report's figures, checked against a history built by hand.

Week 2026-W07 runs from Monday 9 to Sunday 15 February 2026 in Europe/Ljubljana (UTC+1).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text

from crm.auth.models import User
from crm.db import session
from crm.partnerships import services as partnership_services
from crm.partnerships.models import Partnership, Status
from crm.partnerships.services import change_stage, change_status
from crm.partnerships.stages import stage_by_key
from crm.reports import moments
from crm.reports.weekly import ReportFilters, WeeklyReport, compute_weekly_report
from crm.reports.weeks import InvalidWeek, IsoWeek
from crm.sectors.services import DEFAULT_SECTORS
from tests.factories import make_locality, make_partnership, make_user

pytestmark = pytest.mark.usefixtures("ctx")

LJUBLJANA = ZoneInfo("Europe/Ljubljana")
W07 = IsoWeek(2026, 7)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LJUBLJANA).astimezone(UTC)


def move(partnership: Partnership, stage_key: str, at: datetime, note: str = "") -> None:
    change_stage(
        partnership,
        stage_by_key(stage_key),
        by=partnership.owner,
        expected_version=partnership.version,
        at=at,
        note=note,
    )


def status(partnership: Partnership, to: Status, at: datetime) -> None:
    change_status(
        partnership, to, by=partnership.owner, expected_version=partnership.version, at=at
    )


@pytest.fixture
def history() -> dict[str, Partnership]:
    """A small pipeline with the awkward cases the report must get right."""
    owner = make_user(name="Dana")
    maribor = make_locality("Maribor")
    kz = make_locality("Kyzylorda", country_code="KZ", kind="region")

    def pairing(name: str, country: str = "KZ", **kwargs: object) -> Partnership:
        return make_partnership(
            make_locality(name, country_code=country),
            kz if country != "KZ" else maribor,
            owner=owner,
            **kwargs,
        )

    p = {
        # Created long before, moved forward then back inside the week.
        "back_and_forth": pairing(
            "Graz", "AT", sectors=("culture",), at=utc("2025-12-01T09:00:00")
        ),
        # Created and signed within the week.
        "quick": pairing("Almaty", sectors=("education",), at=utc("2026-02-10T09:00:00")),
        # Moved at 23:30 on Sunday local time: in W07.
        "sunday_night": pairing("Brno", "CZ", at=utc("2026-01-05T09:00:00")),
        # Moved at 00:30 on Monday local time (23:30 UTC on Sunday): in W08, not W07.
        "monday_early": pairing("Pécs", "HU", at=utc("2026-01-05T09:00:00")),
        # Quiet since December: stalled at the end of W07.
        "stalled": pairing(
            "Trieste", "IT", stage_key="exploratory_talks", at=utc("2025-12-20T09:00:00")
        ),
        # Put on hold in the week.
        "held": pairing("Zagreb", "HR", at=utc("2026-02-02T09:00:00")),
    }
    move(p["back_and_forth"], "exploratory_talks", local("2026-02-10T10:00:00"))
    move(p["back_and_forth"], "prospect", local("2026-02-12T10:00:00"), note="Not yet")
    move(p["quick"], "memorandum_signed", local("2026-02-13T10:00:00"))
    move(p["sunday_night"], "exploratory_talks", local("2026-02-15T23:30:00"))
    move(p["monday_early"], "exploratory_talks", local("2026-02-16T00:30:00"))
    status(p["held"], Status.ON_HOLD, local("2026-02-11T12:00:00"))
    session.flush()
    return p


def report(**kwargs: object) -> WeeklyReport:
    viewer = session.scalar(select(User))
    return compute_weekly_report(
        W07, viewer=viewer, zone=LJUBLJANA, now=utc("2026-02-16T06:00:00"), **kwargs
    )


def figures(result: WeeklyReport) -> dict[str, tuple[int, int]]:
    return {figure.key: (figure.value, figure.previous) for figure in result.headline}


def test_headline_figures_with_the_previous_week(history: dict[str, Partnership]) -> None:
    assert figures(report()) == {
        "open": (5, 5),  # six pairings at the end, one on hold; the quick one is new this week
        "new": (1, 1),  # the held one was started in W06
        "forward": (3, 0),  # back_and_forth, quick (to signed), sunday_night
        "back": (1, 0),
        "signed": (1, 0),
        "on_hold": (1, 0),
        "dropped": (0, 0),
    }


def test_a_signing_taken_back_within_its_week_signed_nothing() -> None:
    """Regression: a pairing moved to *signed* by a slip and back counted as a memorandum
    signed, and one signed, moved back and signed again counted twice."""
    owner = make_user(name="Dana")
    maribor = make_locality("Maribor")

    def pairing(name: str) -> Partnership:
        return make_partnership(
            make_locality(name, country_code="KZ"),
            maribor,
            owner=owner,
            stage_key="memorandum_review",
            sectors=("education",),
            at=utc("2026-01-05T09:00:00"),
        )

    slip, twice, later = pairing("Almaty"), pairing("Astana"), pairing("Shymkent")
    move(slip, "memorandum_signed", local("2026-02-10T10:00:00"))
    move(slip, "memorandum_review", local("2026-02-10T10:05:00"))
    move(twice, "memorandum_signed", local("2026-02-11T10:00:00"))
    move(twice, "memorandum_review", local("2026-02-11T10:05:00"))
    move(twice, "memorandum_signed", local("2026-02-12T10:00:00"))
    # Signed in W06 and taken back only in W07: W06 signed it, W07 did not.
    move(later, "memorandum_signed", local("2026-02-05T10:00:00"))
    move(later, "memorandum_review", local("2026-02-09T10:00:00"))
    session.flush()

    result = report()
    assert figures(result)["signed"] == (1, 1)
    assert [m.pairing.title for m in result.signed] == [twice.title]
    # What moved marks the one signing it counts, not each move to *signed* (regression).
    assert [(m.pairing.title, m.at) for m in result.moves if m.signed] == [
        (twice.title, local("2026-02-12T10:00:00"))
    ]
    assert result.signed_total == 1
    assert [m.pairing.id for m in result.rows.signed()] == [twice.id]
    assert {row.label: row.signed for row in result.by_sector} == {"Education": 1}
    assert sum(row.signed for row in result.by_country_pair) == 1
    # The moves themselves are all listed: the history is what happened.
    assert result.moves_total == 6


def test_a_pairing_entered_at_signed_counts_unless_signed_before_the_week_before() -> None:
    """Regression: a pairing entered or imported at *signed* with its memorandum of 2019 was
    counted as a memorandum signed in the week it was entered. A move to *signed* still counts
    in its week whatever date is typed, or a signing recorded late would count in none; and so
    does a pairing entered with its signing in the week before (regression: it counted in
    neither week, the week before's report being out before it was entered)."""
    owner = make_user(name="Dana")
    maribor = make_locality("Maribor")

    def pairing(name: str, stage_key: str, at: datetime, **kwargs: object) -> Partnership:
        return make_partnership(
            make_locality(name, country_code="KZ"),
            maribor,
            owner=owner,
            stage_key=stage_key,
            sectors=("education",),
            at=at,
            **kwargs,
        )

    signed, at = "memorandum_signed", local("2026-02-11T10:00:00")
    pairing("Almaty", signed, at, signed_on=date(2019, 5, 5))  # the register catching up
    pairing("Aral", signed, at, signed_on=date(2026, 2, 1))  # signed in W05: catching up
    aktau = pairing("Aktau", signed, at, signed_on=date(2026, 2, 2))  # signed in W06, entered now
    dated = pairing("Astana", signed, at, signed_on=date(2026, 2, 9))  # Monday of the week
    undated = pairing("Shymkent", signed, at)  # dated by the entry itself
    # Entered in W06: the week before's figure has the same cut-off, a week earlier.
    entered_before = local("2026-02-04T10:00:00")
    kokshetau = pairing("Kokshetau", signed, entered_before, signed_on=date(2026, 1, 26))
    pairing("Ekibastuz", signed, entered_before, signed_on=date(2026, 1, 25))  # W04
    # A move to *signed* is a signing of its week whatever the date typed: recorded on Monday
    # for the Friday before (the week before's report could not count it), or dated 2020 since.
    late = pairing("Taraz", "memorandum_review", utc("2026-01-05T09:00:00"))
    late.signed_on = date(2026, 2, 6)
    move(late, signed, local("2026-02-09T09:00:00"))
    moved = pairing("Turkestan", "memorandum_review", utc("2026-01-05T09:00:00"))
    move(moved, signed, local("2026-02-03T10:00:00"))
    moved.signed_on = date(2020, 1, 15)
    session.flush()

    result = report()
    assert figures(result)["signed"] == (4, 2)
    assert figures(result)["new"] == (5, 2)  # new to the register all the same
    this_week = {aktau.title, dated.title, undated.title, late.title}
    assert {m.pairing.title for m in result.signed} == this_week
    assert {m.pairing.title for m in result.moves if m.signed} == this_week
    assert {m.pairing.title for m in result.rows.signed()} == this_week
    assert {row.label: row.signed for row in result.by_sector} == {"Education": 4}
    assert sum(row.signed for row in result.by_country_pair) == 4
    # The week before's own report agrees with its column here.
    week_before = compute_weekly_report(
        W07.previous(),
        viewer=session.scalar(select(User)),
        zone=LJUBLJANA,
        now=utc("2026-02-16T06:00:00"),
    )
    assert {m.pairing.title for m in week_before.signed} == {moved.title, kokshetau.title}
    assert figures(week_before)["signed"][0] == 2


def test_what_moved_in_order_with_who_and_why(history: dict[str, Partnership]) -> None:
    moves = [
        (m.pairing.title.split(" –")[0], m.kind, m.from_stage, m.to_stage) for m in report().moves
    ]
    assert moves == [
        ("Almaty", "new", None, "Prospect"),
        ("Graz", "forward", "Prospect", "Exploratory talks"),
        ("Zagreb", "on_hold", "Prospect", "Prospect"),
        ("Graz", "back", "Exploratory talks", "Prospect"),
        ("Almaty", "forward", "Prospect", "Memorandum signed"),
        ("Brno", "forward", "Prospect", "Exploratory talks"),
    ]
    assert report().moves[3].note == "Not yet"
    assert report().moves[3].by == "Dana"
    assert [m.pairing.title for m in report().signed] == [history["quick"].title]


def test_week_boundaries_follow_local_midnight(history: dict[str, Partnership]) -> None:
    titles = {m.pairing.title for m in report().moves}
    assert history["sunday_night"].title in titles
    assert history["monday_early"].title not in titles


def test_funnel_is_the_state_at_the_end_of_the_week(history: dict[str, Partnership]) -> None:
    funnel = {row.stage_key: (row.open, row.previous_open, row.on_hold) for row in report().funnel}
    # Open at prospect at the end: Graz (back again) and Pécs (moves only on Monday); Zagreb is
    # on hold. At the start: Graz, Brno, Pécs and Zagreb.
    assert funnel["prospect"] == (2, 4, 1)
    assert funnel["exploratory_talks"] == (2, 1, 0)  # Brno joined Trieste on Sunday night
    assert funnel["memorandum_signed"] == (1, 0, 0)


def test_stalled_pairings_longest_first(history: dict[str, Partnership]) -> None:
    result = report(stalled_days=30)
    # Pécs moved only after the week ended: at its end it had waited 41 days.
    assert [s.pairing.id for s in result.stalled] == [
        history["stalled"].id,
        history["monday_early"].id,
    ]
    assert [s.days for s in result.stalled] == [57, 41]
    assert result.stalled[0].stage == "Exploratory talks"
    assert result.stalled_total == 2
    assert [s.pairing.id for s in report(stalled_days=50).stalled] == [history["stalled"].id]


def test_signed_pairings_are_never_stalled(history: dict[str, Partnership]) -> None:
    result = report(stalled_days=1)
    assert history["quick"].id not in {s.pairing.id for s in result.stalled}
    assert history["back_and_forth"].id in {s.pairing.id for s in result.stalled}


def test_a_past_week_does_not_change_when_the_pipeline_moves_on(
    history: dict[str, Partnership],
) -> None:
    before = report()
    later = utc("2026-03-02T09:00:00")
    move(history["stalled"], "agreement_in_principle", later)
    move(history["quick"], "memorandum_review", later)
    status(history["back_and_forth"], Status.DROPPED, later)
    status(history["held"], Status.OPEN, later)
    move(history["held"], "memorandum_drafting", utc("2026-03-03T09:00:00"))
    session.flush()
    after = report()
    assert after.headline == before.headline
    assert after.funnel == before.funnel
    assert after.moves == before.moves
    assert after.stalled == before.stalled
    assert after.by_sector == before.by_sector
    assert after.by_country_pair == before.by_country_pair


def test_a_pairing_created_after_the_week_is_not_counted_in_it(
    history: dict[str, Partnership],
) -> None:
    # The counts start from where every pairing stands now and take back those moved since the
    # moment: one created since has no row before it and must come out of every figure.
    before = report()
    later = make_partnership(
        make_locality("Lviv", country_code="UA"),
        make_locality("Celje"),
        owner=history["stalled"].owner,
        sectors=("culture",),
        at=utc("2026-03-02T09:00:00"),
    )
    status(later, Status.ON_HOLD, utc("2026-03-03T09:00:00"))
    session.flush()
    after = report()
    assert after.headline == before.headline
    assert after.funnel == before.funnel
    assert after.stalled == before.stalled
    assert after.by_sector == before.by_sector
    assert after.by_country_pair == before.by_country_pair


def test_breakdowns_by_sector_and_country_pair(history: dict[str, Partnership]) -> None:
    result = report()
    sectors = {row.label: (row.open, row.moved, row.signed) for row in result.by_sector}
    assert sectors == {"Culture": (1, 2, 0), "Education": (1, 1, 1)}
    pairs = {row.label: (row.open, row.moved, row.signed) for row in result.by_country_pair}
    assert pairs["AT–KZ"] == (1, 2, 0)
    assert pairs["KZ–SI"] == (1, 1, 1)
    assert "HR–KZ" not in pairs  # on hold and unmoved: nothing to say


def test_filters_narrow_every_section(history: dict[str, Partnership]) -> None:
    result = report(filters=ReportFilters(sector="culture"))
    assert figures(result)["open"] == (1, 1)
    assert {m.pairing.id for m in result.moves} == {history["back_and_forth"].id}
    by_country = report(filters=ReportFilters(country="cz"))
    assert [m.pairing.id for m in by_country.moves] == [history["sunday_night"].id]


@pytest.mark.parametrize("text", ["2026-W54", "2026-W00", "2025-W53", "last-tuesday", "2026W07"])
def test_weeks_that_do_not_exist_are_refused(text: str) -> None:
    with pytest.raises(InvalidWeek):
        IsoWeek.parse(text)


@pytest.mark.parametrize("text", ["0001-W01", "0001-W02", "1899-W52", "2201-W01", "9999-W52"])
def test_weeks_outside_the_span_are_refused(text: str) -> None:
    # At the calendar's ends the week's bounds in UTC, or the weeks around it, overflowed.
    with pytest.raises(InvalidWeek, match="Give a week between 1900-W01 and 2200-W52"):
        IsoWeek.parse(text)


@pytest.mark.parametrize("text", ["1900-W01", "2200-W52"])
def test_the_first_and_last_weeks_of_the_span_have_bounds_and_neighbours(text: str) -> None:
    week = IsoWeek.parse(text)
    start, end = week.bounds(ZoneInfo("Pacific/Kiritimati"))
    assert end > start
    assert week.previous() < week < week.next()


def test_week_arithmetic() -> None:
    assert IsoWeek.parse("2026-W07").monday.isoformat() == "2026-02-09"
    assert str(IsoWeek.parse("2026-W01").previous()) == "2025-W52"
    assert IsoWeek.parse("2026-W53").sunday.isoformat() == "2027-01-03"
    assert IsoWeek.parse("2020-W53").next() == IsoWeek(2021, 1)
    start, end = IsoWeek.parse("2026-W13").bounds(LJUBLJANA)  # clocks go forward on 29 March
    assert (end - start).total_seconds() == 167 * 3600
    assert IsoWeek.last_complete(utc("2026-02-16T06:00:00"), LJUBLJANA) == W07


@pytest.fixture
def work(history: dict[str, Partnership]) -> dict[str, object]:
    """Meetings and tasks around W07, on top of the pipeline history."""
    from crm.activities.services import ActivityData, create_activity
    from crm.tasks.services import TaskData, complete_task, create_task
    from tests.factories import make_person

    owner = history["quick"].owner
    helper = make_user(name="Erlan")
    ambassador = make_person("Altay Abibullayev")
    meeting = create_activity(
        history["quick"],
        ActivityData(
            kind="meeting",
            occurred_at=local("2026-02-13T10:00:00"),
            place="Maribor",
            participant_ids=[ambassador.id],
        ),
        by=owner,
    )
    create_activity(
        history["quick"],
        ActivityData(kind="note", occurred_at=local("2026-02-12T10:00:00")),
        by=owner,
    )
    # A call to the stalled pairing in the last 30 days takes it off the stalled list.
    create_activity(
        history["stalled"],
        ActivityData(kind="call", occurred_at=local("2026-02-01T10:00:00")),
        by=owner,
    )

    def task(title: str, due: str | None, assignee: User, created: str = "2026-01-20T09:00:00"):
        return create_task(
            history["quick"],
            TaskData(
                title=title,
                assignee_id=assignee.id,
                due_on=datetime.fromisoformat(due).date() if due else None,
            ),
            by=owner,
            at=utc(created),
        )

    done_in_week = task("Send the draft", "2026-02-12", owner)
    complete_task(done_in_week, by=owner, at=local("2026-02-12T16:00:00"))
    late_done_after = task("Book the hall", "2026-02-10", helper)
    complete_task(late_done_after, by=helper, at=local("2026-02-17T09:00:00"))
    task("Call the akimat", "2026-02-14", helper)
    task("Find water experts", "2026-02-03", owner)
    task("Prepare the visit", "2026-02-20", owner)
    task("Someday", None, owner)
    task("Not yet created", "2026-02-11", owner, created="2026-02-16T09:00:00")
    session.flush()
    return {"meeting": meeting}


def test_meetings_visits_and_signings_of_the_week(work: dict[str, object]) -> None:
    [event] = report().events
    assert (event.kind, event.kind_label, event.place, event.participants) == (
        "meeting",  # the key, as the JSON writes it (it wrote the reader's word for it)
        "Meeting",
        "Maribor",
        ("Altay Abibullayev",),
    )


def test_tasks_completed_overdue_by_assignee_and_due_next_week(work: dict[str, object]) -> None:
    result = report()
    assert [t.title for t in result.tasks_completed] == ["Send the draft"]
    assert {
        group.assignee: [t.title for t in group.tasks] for group in result.overdue_by_assignee
    } == {
        "Erlan": ["Book the hall", "Call the akimat"],  # done only after the week ended
        "Dana": ["Find water experts"],
    }
    assert result.overdue_total == 3
    # Whole numbers on both databases (PostgreSQL's SUM gave a Decimal: a 500 in the JSON).
    assert {type(result.overdue_total)} | {type(g.total) for g in result.overdue_by_assignee} == {
        int
    }
    assert [t.title for t in result.due_next_week] == ["Prepare the visit"]


def test_the_week_still_going_on_is_reported_as_it_stands(work: dict[str, object]) -> None:
    """Regression: on a Thursday, the week's report called a task due on Saturday overdue, and
    counted what happens later in the week (a meeting, a task done) as done already."""
    viewer = session.scalar(select(User))
    thursday = compute_weekly_report(
        W07, viewer=viewer, zone=LJUBLJANA, now=local("2026-02-12T12:00:00")
    )
    assert {
        group.assignee: [t.title for t in group.tasks] for group in thursday.overdue_by_assignee
    } == {"Erlan": ["Book the hall"], "Dana": ["Find water experts"]}
    assert thursday.tasks_completed == [] and thursday.events == []
    # Due on Thursday and Saturday: not late yet, so upcoming, with next week's.
    assert thursday.is_running and not report().is_running
    assert [t.title for t in thursday.due_next_week] == [
        "Send the draft",
        "Call the akimat",
        "Prepare the visit",
    ]


def test_task_lists_do_not_depend_on_the_database_servers_time_zone(
    work: dict[str, object],
) -> None:
    """Times are stored in UTC without a zone. A PostgreSQL server set to a zone west of UTC
    once read every open task as done before the week ended (a moment sent with a zone was
    compared in the server's), and the overdue and next-week lists came out empty. SQLite has
    no server zone; the lists are checked there all the same."""
    if session.get_bind().dialect.name == "postgresql":
        # The app's sessions run in UTC (crm.db); the server's zone must not matter anyway.
        assert session.scalar(text("SHOW TimeZone")) == "UTC"
        session.execute(text("SET LOCAL TIME ZONE 'America/New_York'"))
    result = report()
    assert {
        group.assignee: [t.title for t in group.tasks] for group in result.overdue_by_assignee
    } == {"Erlan": ["Book the hall", "Call the akimat"], "Dana": ["Find water experts"]}
    assert [t.title for t in result.due_next_week] == ["Prepare the visit"]
    assert [t.title for t in result.tasks_completed] == ["Send the draft"]


def test_tasks_of_pairings_out_of_scope_are_not_counted(
    work: dict[str, object], history: dict[str, Partnership]
) -> None:
    # The overdue tasks are checked against the pairings out of scope, not joined to those in
    # it: a filter, or an archived pairing, must still leave them out of every count.
    filtered = report(filters=ReportFilters(country="AT"))
    assert (filtered.overdue_total, filtered.overdue_by_assignee) == (0, [])
    assert (filtered.tasks_completed_total, filtered.due_next_week_total) == (0, 0)
    history["quick"].archived_at = utc("2026-02-20T09:00:00")
    session.flush()
    archived = report()
    assert (archived.overdue_total, archived.overdue_by_assignee) == (0, [])
    assert (archived.tasks_completed_total, archived.due_next_week_total) == (0, 0)


def test_a_recent_contact_keeps_a_pairing_off_the_stalled_list(
    work: dict[str, object], history: dict[str, Partnership]
) -> None:
    assert history["stalled"].id not in {s.pairing.id for s in report(stalled_days=30).stalled}
    assert history["stalled"].id in {s.pairing.id for s in report(stalled_days=10).stalled}


def test_lists_show_their_first_rows_and_the_figures_stay_exact(
    history: dict[str, Partnership],
) -> None:
    full, bounded = report(), report(list_limit=2)
    assert bounded.moves == full.moves[:2]
    assert (bounded.moves_total, full.moves_total) == (6, 6)
    assert (bounded.signed_total, len(bounded.signed)) == (1, 1)
    # The figures are counted by the database, not from the rows shown.
    assert bounded.headline == full.headline
    assert bounded.funnel == full.funnel
    assert bounded.by_sector == full.by_sector
    # The pairs of countries are a list too: the first ones, most open first, and how many.
    assert len(full.by_country_pair) > 2
    assert bounded.by_country_pair == full.by_country_pair[:2]
    assert bounded.by_country_pair_total == full.by_country_pair_total == len(full.by_country_pair)
    assert list(bounded.rows.country_pairs()) == full.by_country_pair
    one = report(list_limit=1, stalled_days=30)
    assert [s.pairing.id for s in one.stalled] == [history["stalled"].id]
    assert one.stalled_total == 2


def test_every_row_is_still_there_for_the_downloads(history: dict[str, Partnership]) -> None:
    bounded = report(list_limit=1)
    assert list(bounded.rows.moves()) == report().moves
    assert [m.pairing.id for m in bounded.rows.signed()] == [history["quick"].id]
    assert [s.pairing.id for s in bounded.rows.stalled()] == [
        s.pairing.id for s in report().stalled
    ]


def test_bounded_task_lists_keep_exact_totals_per_person(work: dict[str, object]) -> None:
    result = report(list_limit=1)
    assert result.overdue_total == 3
    assert {group.assignee: group.total for group in result.overdue_by_assignee} == {
        "Erlan": 2,
        "Dana": 1,
    }
    # The first overdue task by due date only: Dana's, due on 3 February.
    assert [t.title for group in result.overdue_by_assignee for t in group.tasks] == [
        "Find water experts"
    ]
    assert result.overdue_listed == 1
    assert [t.title for t in result.rows.tasks("overdue")] == [
        "Find water experts",
        "Book the hall",
        "Call the akimat",
    ]
    assert (result.tasks_completed_total, result.due_next_week_total) == (1, 1)
    assert result.events_total == 1


def test_a_partner_sees_moves_without_their_notes(history: dict[str, Partnership]) -> None:
    from crm.auth.models import Role
    from crm.sharing.models import PartnershipShare

    partner = make_user(name="Chamber", role=Role.PARTNER.value)
    pairing = history["back_and_forth"]
    session.add(
        PartnershipShare(
            partnership_id=pairing.id, user_id=partner.id, shared_by_id=pairing.owner_id
        )
    )
    session.flush()
    result = compute_weekly_report(
        W07, viewer=partner, zone=LJUBLJANA, now=utc("2026-02-16T06:00:00"), list_limit=1
    )
    assert {m.pairing.id for m in result.rows.moves()} == {history["back_and_forth"].id}
    assert result.moves_total == 2
    assert all(m.note == "" for m in result.rows.moves())
    assert figures(result)["open"] == (1, 1)


def test_a_sector_of_archived_or_unseen_pairings_alone_is_not_listed(
    history: dict[str, Partnership],
) -> None:
    slug, name = next(
        (slug, name) for slug, name in DEFAULT_SECTORS if slug not in {"culture", "education"}
    )
    archived = make_partnership(
        make_locality("Celje"), make_locality("Aktobe", country_code="KZ"), sectors=(slug,)
    )
    archived.archived_at = utc("2026-01-20T09:00:00")
    session.flush()
    assert name not in {row.label for row in report().by_sector}
    # A partner with nothing shared sees no sector at all, not the names of others' pairings.
    partner = make_user(role="partner")
    unseen = compute_weekly_report(W07, viewer=partner, zone=LJUBLJANA)
    assert (unseen.by_sector, unseen.by_country_pair) == ([], [])


def _both_ways(**kwargs: object) -> list[tuple[object, ...]]:
    """What the report says of where the pairings stood, worked out from the changes since
    and from each pairing's history before (`crm/reports/moments.py`)."""
    results = []
    for recent in (timedelta.max, timedelta(0)):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(moments, "RECENT", recent)
            result = report(**kwargs)
        results.append(
            (
                result.headline,
                result.funnel,
                result.stalled,
                result.stalled_total,
                result.by_sector,
                result.by_country_pair,
            )
        )
    return results


@pytest.mark.parametrize("stalled_days", [1, 30])
def test_both_ways_to_where_the_pairings_stood_agree(
    history: dict[str, Partnership], stalled_days: int
) -> None:
    # The hand-built awkward cases: moves at the week's edges, back and forth, created in the
    # week, on hold, dropped, archived.
    from_changes_since, from_history_before = _both_ways(stalled_days=stalled_days)
    assert from_changes_since == from_history_before
    assert from_changes_since[2]  # some pairings are stalled: the list is compared, not empty


def test_a_move_timed_by_a_clock_behind_keeps_the_history_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    owner = make_user(name="Dana")
    pairing = make_partnership(
        make_locality("Celje"), make_locality("Aktobe", country_code="KZ"), owner=owner,
        at=utc("2025-12-01T09:00:00"),
    )  # fmt: skip
    # Moved by one app server, then moved on by another whose clock is a day behind.
    for stage_key, clock in (
        ("exploratory_talks", local("2026-02-11T10:00:00")),
        ("agreement_in_principle", local("2026-02-10T10:00:00")),
    ):
        monkeypatch.setattr(partnership_services, "utcnow", lambda clock=clock: clock)
        change_stage(pairing, stage_by_key(stage_key), by=owner, expected_version=pairing.version)
    # Recorded at the last change's time: each history row starts where the one before it in
    # time ended, which both ways to where a pairing stood rely on.
    history = sorted(pairing.stage_changes, key=lambda change: (change.changed_at, change.id))
    assert [change.changed_at for change in history[1:]] == [local("2026-02-11T10:00:00")] * 2
    assert all(later.from_stage_id == earlier.to_stage_id for earlier, later in pairwise(history))
    from_changes_since, from_history_before = _both_ways()
    assert from_changes_since == from_history_before
