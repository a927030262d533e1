"""Activities: wall-clock times around daylight saving changes, follow-ups, the timeline."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, available_timezones

import pytest
from sqlalchemy import func, select

from crm.activities import services
from crm.activities.models import Activity
from crm.activities.timeline import last_contact, timeline_of
from crm.db import session
from crm.errors import DomainError, StaleVersion
from crm.partnerships.services import change_stage
from crm.partnerships.stages import stage_by_key
from crm.tasks.models import Task
from crm.tasks.services import TaskData, complete_task
from tests.factories import make_activity, make_partnership, make_person, make_task

LJUBLJANA = ZoneInfo("Europe/Ljubljana")


def test_local_times_become_utc_with_the_offset_of_that_day() -> None:
    winter = services.local_to_utc(date(2026, 2, 13), time(10, 0), LJUBLJANA)
    summer = services.local_to_utc(date(2026, 3, 29), time(10, 0), LJUBLJANA)
    assert winter == datetime(2026, 2, 13, 9, 0, tzinfo=UTC)
    assert summer == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)


def test_a_time_skipped_by_the_spring_change_is_refused() -> None:
    with pytest.raises(DomainError, match="does not exist") as refused:
        services.local_to_utc(date(2026, 3, 29), time(2, 30), LJUBLJANA)
    assert refused.value.field == "occurred_time"
    assert services.local_to_utc(date(2026, 3, 29), time(3, 0), LJUBLJANA) == datetime(
        2026, 3, 29, 1, 0, tzinfo=UTC
    )


def test_a_time_repeated_by_the_autumn_change_is_the_first_one() -> None:
    assert services.local_to_utc(date(2026, 10, 25), time(2, 30), LJUBLJANA) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("day", "at", "zone"),
    [
        # Converting these to UTC overflowed: the ends of Python's calendar, east and west.
        (date(1, 1, 1), time(0, 0), ZoneInfo("Asia/Almaty")),
        (date(9999, 12, 31), time(23, 59), ZoneInfo("America/New_York")),
        (date(1899, 12, 31), time(12, 0), LJUBLJANA),
        (date(2201, 1, 1), time(12, 0), LJUBLJANA),
    ],
)
def test_a_day_outside_the_span_is_refused_before_it_meets_utc(
    day: date, at: time, zone: ZoneInfo
) -> None:
    with pytest.raises(DomainError, match="Give a date between 1900-01-01 and 2200-12-31") as no:
        services.local_to_utc(day, at, zone)
    assert no.value.field == "occurred_on"


def test_every_day_of_the_span_typed_in_any_zone_is_kept(ctx: None) -> None:
    """The service judges the UTC time it is given; the span's first and last days, typed in
    any zone on Earth, must still pass once converted."""
    partnership = make_partnership()
    for name in sorted(available_timezones()):
        for day, at in ((date(1900, 1, 1), time(0, 0)), (date(2200, 12, 31), time(23, 59))):
            try:
                moment = services.local_to_utc(day, at, ZoneInfo(name))
            except DomainError as gap:
                # A few zones left local mean time at midnight on 1 January 1900 (Indian/Cocos):
                # that midnight never happened there, which is the other refusal.
                assert gap.field == "occurred_time", name
                continue
            if day.year == 2200:
                continue  # converted without overflowing; but an activity is never in the future
            services.create_activity(
                partnership,
                services.ActivityData(kind="note", occurred_at=moment),
                by=partnership.owner,
            )
    session.rollback()


@pytest.mark.parametrize(
    "moment",
    [
        # The API hands these on as given: storing them in UTC overflowed.
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))),
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-5))),
        datetime(1899, 6, 30, 12, 0, tzinfo=UTC),
        datetime(2201, 6, 30, 12, 0, tzinfo=UTC),
    ],
)
def test_a_time_outside_the_span_writes_nothing(ctx: None, moment: datetime) -> None:
    partnership = make_partnership()
    with pytest.raises(DomainError, match="Give a date between") as refused:
        services.create_activity(
            partnership,
            services.ActivityData(kind="meeting", occurred_at=moment),
            by=partnership.owner,
        )
    assert refused.value.field == "occurred_on"
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Activity)) == 0


def test_follow_up_tasks_are_created_with_the_activity(ctx: None) -> None:
    partnership = make_partnership()
    mayor = make_person("Aleksander Saša Arsenovič")
    activity = services.create_activity(
        partnership,
        services.ActivityData(
            kind="meeting",
            occurred_at=datetime(2026, 2, 13, 9, tzinfo=UTC),
            place="Maribor",
            participant_ids=[mayor.id],
        ),
        by=partnership.owner,
        follow_ups={1: TaskData(title="Draft the memorandum", due_on=date(2026, 3, 1))},
    )
    assert [t.title for t in activity.follow_ups] == ["Draft the memorandum"]
    assert activity.participants == [mayor]


def test_an_activity_makes_its_pairing_recently_active_without_a_new_version(ctx: None) -> None:
    """Regression: a meeting recorded left the pairing where it was among the recently active
    (the board's cards, the list's default order)."""
    from crm.partnerships.models import Partnership

    quiet = make_partnership()
    quiet.last_activity_at = datetime(2026, 1, 5, 9, tzinfo=UTC)
    session.commit()
    version, updated_at = quiet.version, quiet.updated_at

    def record(kind: str, at: datetime) -> None:
        services.create_activity(
            quiet, services.ActivityData(kind=kind, occurred_at=at), by=quiet.owner
        )
        session.commit()
        session.expire_all()

    record("call", datetime(2026, 2, 13, 9, tzinfo=UTC))
    stored = session.get_one(Partnership, quiet.id)
    assert stored.last_activity_at == datetime(2026, 2, 13, 9, tzinfo=UTC)
    assert stored.version == version  # a form open on the pairing is still good
    assert stored.updated_at > updated_at  # an API client syncing by it sees the change
    record("meeting", datetime(2026, 1, 20, 9, tzinfo=UTC))  # written up late
    record("note", datetime(2026, 2, 20, 9, tzinfo=UTC))  # internal: nothing happened
    assert session.get_one(Partnership, quiet.id).last_activity_at == datetime(
        2026, 2, 13, 9, tzinfo=UTC
    )


def test_a_refused_follow_up_is_named_by_the_row_the_caller_shows(ctx: None) -> None:
    """The form skips its blank rows: the second row, refused, is "task 2" even when it is the
    first task handed on."""
    from tests.factories import make_user

    partnership = make_partnership()
    partner = make_user("partner")  # may not be given tasks
    with pytest.raises(DomainError) as refused:
        services.create_activity(
            partnership,
            services.ActivityData(kind="call", occurred_at=datetime(2026, 2, 13, 9, tzinfo=UTC)),
            by=partnership.owner,
            follow_ups={2: TaskData(title="Call the chamber", assignee_id=partner.id)},
        )
    assert refused.value.message.startswith("Follow-up task 2: ")
    assert refused.value.field == "follow_ups.1.assignee_id"


def test_an_unknown_participant_or_kind_writes_nothing(ctx: None) -> None:
    partnership = make_partnership()
    for data in (
        services.ActivityData(
            kind="meeting", occurred_at=datetime(2026, 2, 13, tzinfo=UTC), participant_ids=[987654]
        ),
        services.ActivityData(kind="party", occurred_at=datetime(2026, 2, 13, tzinfo=UTC)),
    ):
        with pytest.raises(DomainError):
            services.create_activity(partnership, data, by=partnership.owner)
        session.rollback()
    assert session.scalar(select(func.count()).select_from(Activity)) == 0
    assert session.scalar(select(func.count()).select_from(Task)) == 0


def test_the_timeline_merges_everything_newest_first(ctx: None) -> None:
    at = lambda day, hour=9: datetime(2026, 2, day, hour, tzinfo=UTC)  # noqa: E731
    partnership = make_partnership(at=at(1))
    owner = partnership.owner
    letter = make_activity(partnership, kind="letter", at=at(5))
    stage = stage_by_key("exploratory_talks")
    assert stage is not None
    move = change_stage(
        partnership, stage, by=owner, expected_version=partnership.version, at=at(13, 10)
    )
    meeting = make_activity(partnership, kind="meeting", at=at(13, 10))
    task = make_task(partnership, title="Draft")
    complete_task(task, by=owner, at=at(20))
    make_task(partnership, title="Still open")
    note = make_activity(partnership, kind="note", at=at(25))

    entries = [(entry.kind, entry.record.id) for entry in timeline_of(partnership)]
    creation = next(change for change in partnership.stage_changes if change.is_creation)
    assert entries == [
        ("activity", note.id),
        ("task_done", task.id),
        ("activity", meeting.id),  # the meeting sits above the move it led to
        ("stage_change", move.id),
        ("activity", letter.id),
        ("stage_change", creation.id),
    ]
    # A note is not contact; the meeting is the last contact.
    assert last_contact(partnership) == meeting


def test_an_edit_of_the_participants_alone_moves_the_version_so_a_stale_edit_is_refused(
    ctx: None,
) -> None:
    # The link table changes without the activity's row: the version stood still, and a
    # concurrent edit from the same version put the old participants back.
    partnership = make_partnership()
    ana = make_person("Ana Novak")
    activity = make_activity(partnership, participants=(ana,), summary="Talks")
    session.flush()
    loaded_version = activity.version
    boris = make_person("Boris Kim")
    data = services.ActivityData(
        kind=activity.kind,
        occurred_at=activity.occurred_at,
        summary="Talks",
        participant_ids=[ana.id, boris.id],
    )
    services.update_activity(activity, data, by=partnership.owner, expected_version=loaded_version)
    assert activity.version == loaded_version + 1
    with pytest.raises(StaleVersion):
        services.update_activity(
            activity,
            services.ActivityData(
                **{**data.__dict__, "summary": "Talks, signed", "participant_ids": [ana.id]}
            ),
            by=partnership.owner,
            expected_version=loaded_version,
        )
    assert {person.full_name for person in activity.participants} == {"Ana Novak", "Boris Kim"}
    # Saving the same again writes nothing, so the version stays.
    services.update_activity(
        activity, data, by=partnership.owner, expected_version=activity.version
    )
    assert activity.version == loaded_version + 1


class TestLastActivityFollowsTheTimeline:
    """Regression: a meeting deleted, or corrected to an earlier day, left its pairing among the
    recently active as of that meeting (the board's order, the dashboard's quiet pairings)."""

    CREATED = datetime(2026, 1, 5, 9, tzinfo=UTC)
    CALL = datetime(2026, 1, 20, 9, tzinfo=UTC)
    MEETING = datetime(2026, 2, 13, 9, tzinfo=UTC)

    def last_activity(self, partnership_id: int) -> datetime:
        from crm.partnerships.models import Partnership

        session.commit()
        session.expire_all()
        return session.get_one(Partnership, partnership_id).last_activity_at

    def test_deleting_the_latest_falls_back_to_the_one_before(self, ctx: None) -> None:
        from crm.partnerships.models import Partnership

        pairing = make_partnership(at=self.CREATED)
        make_activity(pairing, kind="call", at=self.CALL)
        meeting = make_activity(pairing, kind="meeting", at=self.MEETING)
        make_activity(pairing, kind="note", at=self.MEETING + timedelta(days=1))
        assert self.last_activity(pairing.id) == self.MEETING
        version = session.get_one(Partnership, pairing.id).version

        services.delete_activity(meeting, expected_version=meeting.version)
        assert self.last_activity(pairing.id) == self.CALL  # a note is not activity
        assert session.get_one(Partnership, pairing.id).version == version

    def test_deleting_the_only_one_falls_back_to_the_last_move(self, ctx: None) -> None:
        pairing = make_partnership(at=self.CREATED)
        moved_at = datetime(2026, 1, 10, 9, tzinfo=UTC)
        change_stage(
            pairing,
            stage_by_key("exploratory_talks"),
            by=pairing.owner,
            expected_version=pairing.version,
            at=moved_at,
        )
        meeting = make_activity(pairing, at=self.MEETING)
        assert self.last_activity(pairing.id) == self.MEETING
        services.delete_activity(meeting, expected_version=meeting.version)
        assert self.last_activity(pairing.id) == moved_at

    def test_deleting_an_older_one_changes_nothing(self, ctx: None) -> None:
        pairing = make_partnership(at=self.CREATED)
        call = make_activity(pairing, kind="call", at=self.CALL)
        make_activity(pairing, kind="meeting", at=self.MEETING)
        services.delete_activity(call, expected_version=call.version)
        assert self.last_activity(pairing.id) == self.MEETING

    def test_an_edit_since_the_meeting_stays_activity(self, ctx: None) -> None:
        from crm.partnerships.models import Partnership

        pairing = make_partnership(at=self.CREATED)
        meeting = make_activity(pairing, at=self.MEETING)
        edited_at = self.MEETING + timedelta(days=2)
        session.get_one(Partnership, pairing.id).last_activity_at = edited_at
        session.commit()
        services.delete_activity(meeting, expected_version=meeting.version)
        assert self.last_activity(pairing.id) == edited_at

    def test_a_meeting_corrected_to_an_earlier_day_or_to_a_note(self, ctx: None) -> None:
        pairing = make_partnership(at=self.CREATED)
        make_activity(pairing, kind="call", at=self.CALL)
        meeting = make_activity(pairing, at=self.MEETING)
        earlier = datetime(2026, 2, 1, 9, tzinfo=UTC)

        def correct(kind: str, at: datetime) -> None:
            services.update_activity(
                meeting,
                services.ActivityData(kind=kind, occurred_at=at),
                by=pairing.owner,
                expected_version=meeting.version,
            )

        correct("meeting", earlier)
        assert self.last_activity(pairing.id) == earlier
        correct("note", earlier)
        assert self.last_activity(pairing.id) == self.CALL
        correct("visit", self.MEETING)  # back to a contact, and later again
        assert self.last_activity(pairing.id) == self.MEETING
