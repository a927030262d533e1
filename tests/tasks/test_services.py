"""Tasks: the rules, the time-zone arithmetic of "overdue" and "this week", the calendar feed."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from icalendar import Calendar

from crm.db import session
from crm.errors import DomainError, StaleVersion, UnknownVersion
from crm.tasks import calendar, services
from crm.tasks.dates import horizon_for, today_for
from crm.tasks.queries import my_open_tasks, overdue_counts
from tests.factories import make_partnership, make_task, make_user


def test_complete_and_reopen_record_who_and_when(ctx: None) -> None:
    partnership = make_partnership()
    doer = make_user()
    task = make_task(partnership, assignee=doer)
    at = datetime(2026, 3, 1, 9, tzinfo=UTC)
    services.complete_task(task, by=doer, at=at)
    assert task.is_done and task.completed_by == doer and task.completed_at == at
    with pytest.raises(DomainError, match="already completed"):
        services.complete_task(task, by=doer)
    services.reopen_task(task)
    assert not task.is_done and task.completed_by is None and task.completed_at is None
    with pytest.raises(DomainError, match="already open"):
        services.reopen_task(task)


def test_a_task_needs_a_title_and_a_real_active_assignee(ctx: None) -> None:
    partnership = make_partnership()
    with pytest.raises(DomainError) as empty:
        services.create_task(partnership, services.TaskData(title="   "), by=partnership.owner)
    assert empty.value.field == "title"
    with pytest.raises(DomainError) as unknown:
        services.create_task(
            partnership, services.TaskData(title="x", assignee_id=987654), by=partnership.owner
        )
    assert unknown.value.field == "assignee_id"
    retired = make_user(is_active=False)
    with pytest.raises(DomainError):
        services.create_task(
            partnership, services.TaskData(title="x", assignee_id=retired.id), by=partnership.owner
        )


@pytest.mark.parametrize(
    "due_on", [date(1, 1, 1), date(1899, 12, 31), date(2201, 1, 1), date(9999, 12, 31)]
)
def test_a_due_date_outside_the_span_is_refused(ctx: None, due_on: date) -> None:
    partnership = make_partnership()
    with pytest.raises(DomainError, match="Give a date between") as refused:
        services.create_task(
            partnership, services.TaskData(title="x", due_on=due_on), by=partnership.owner
        )
    assert refused.value.field == "due_on"


def test_a_task_due_on_the_last_day_of_the_span_is_in_the_calendar_feed(ctx: None) -> None:
    # The feed ends an all-day event the day after: on 9999-12-31 that overflowed.
    user = make_user()
    last = make_task(make_partnership(), assignee=user, due_on=date(2200, 12, 31))
    body = calendar.build_feed(user, calendar.feed_tasks(user), task_url={}, host="x")
    events = Calendar.from_ical(body).walk("VEVENT")
    assert [(e.decoded("dtstart"), e.decoded("dtend")) for e in events] == [
        (last.due_on, date(2201, 1, 1))
    ]


def test_a_stale_edit_is_refused(ctx: None) -> None:
    task = make_task(make_partnership(), title="Draft")
    drawn = task.version
    services.update_task(task, services.TaskData(title="Draft 2"), expected_version=drawn)
    with pytest.raises(StaleVersion):
        services.update_task(task, services.TaskData(title="Other"), expected_version=drawn)
    # One ahead of the task's own was never its version: a broken request, not a stale one.
    with pytest.raises(UnknownVersion):
        services.update_task(
            task, services.TaskData(title="Other"), expected_version=task.version + 1
        )
    assert task.title == "Draft 2"


# Ljubljana: clocks go forward at 01:00 UTC on 29 March 2026 and back at 01:00 UTC on 25 October.
@pytest.mark.parametrize(
    ("now", "zone", "today"),
    [
        (datetime(2026, 3, 28, 22, 59, tzinfo=UTC), "Europe/Ljubljana", date(2026, 3, 28)),
        (datetime(2026, 3, 28, 23, 0, tzinfo=UTC), "Europe/Ljubljana", date(2026, 3, 29)),
        # After the spring change the day starts at 22:00 UTC, not 23:00.
        (datetime(2026, 3, 29, 21, 59, tzinfo=UTC), "Europe/Ljubljana", date(2026, 3, 29)),
        (datetime(2026, 3, 29, 22, 0, tzinfo=UTC), "Europe/Ljubljana", date(2026, 3, 30)),
        (datetime(2026, 10, 24, 21, 59, tzinfo=UTC), "Europe/Ljubljana", date(2026, 10, 24)),
        (datetime(2026, 10, 24, 22, 0, tzinfo=UTC), "Europe/Ljubljana", date(2026, 10, 25)),
        # After the autumn change the day starts at 23:00 UTC again.
        (datetime(2026, 10, 25, 22, 30, tzinfo=UTC), "Europe/Ljubljana", date(2026, 10, 25)),
        (datetime(2026, 10, 25, 23, 0, tzinfo=UTC), "Europe/Ljubljana", date(2026, 10, 26)),
        (datetime(2026, 3, 29, 22, 0, tzinfo=UTC), "UTC", date(2026, 3, 29)),
        (datetime(2026, 3, 29, 22, 0, tzinfo=UTC), "Asia/Qyzylorda", date(2026, 3, 30)),
    ],
)
def test_today_follows_the_users_zone_across_daylight_saving_changes(
    ctx: None, now: datetime, zone: str, today: date
) -> None:
    user = make_user(time_zone=zone)
    assert today_for(user, now) == today


def test_an_empty_or_unknown_zone_falls_back_to_the_deployments(app: Flask, ctx: None) -> None:
    late_evening = datetime(2026, 3, 29, 22, 30, tzinfo=UTC)  # 00:30 on 30 March in Ljubljana
    assert app.config["TIME_ZONE"] == "Europe/Ljubljana"
    assert today_for(make_user(time_zone=""), late_evening) == date(2026, 3, 30)
    assert today_for(make_user(time_zone="Mars/Olympus"), late_evening) == date(2026, 3, 30)


def test_overdue_and_this_week_flip_at_local_midnight_on_the_night_clocks_change(
    ctx: None,
) -> None:
    user = make_user(time_zone="Europe/Ljubljana")
    partnership = make_partnership()
    sunday = make_task(partnership, title="Due Sunday", assignee=user, due_on=date(2026, 3, 29))
    monday = make_task(partnership, title="Due Monday", assignee=user, due_on=date(2026, 3, 30))
    next_week = make_task(partnership, title="Later", assignee=user, due_on=date(2026, 4, 6))
    undated = make_task(partnership, title="Some day", assignee=user)

    # 23:59 on Sunday 29 March in Ljubljana (summer time since 03:00): Sunday is today.
    before = my_open_tasks(user, horizon_for(user, datetime(2026, 3, 29, 21, 59, tzinfo=UTC)))
    assert before.overdue == []
    assert before.this_week == [sunday]
    assert before.later == [monday, next_week]
    assert before.no_date == [undated]

    # 00:00 on Monday 30 March in Ljubljana, still Sunday in UTC: a new week, Sunday's is late.
    after = my_open_tasks(user, horizon_for(user, datetime(2026, 3, 29, 22, 0, tzinfo=UTC)))
    assert after.overdue == [sunday]
    assert after.this_week == [monday]
    assert after.later == [next_week]
    assert overdue_counts(
        [partnership.id], horizon_for(user, datetime(2026, 3, 29, 22, 0, tzinfo=UTC)).today
    ) == {partnership.id: 1}

    # The same instant for someone on UTC: still Sunday, nothing overdue.
    utc_user = make_user(time_zone="UTC")
    for task in (sunday, monday, next_week, undated):
        task.assignee = utc_user
    session.flush()
    utc = my_open_tasks(utc_user, horizon_for(utc_user, datetime(2026, 3, 29, 22, 0, tzinfo=UTC)))
    assert utc.overdue == [] and utc.this_week == [sunday]


def test_the_calendar_feed_lists_open_dated_tasks_as_all_day_events(ctx: None) -> None:
    user = make_user(name="Dana Sarsenbayeva")
    partnership = make_partnership()
    memo = make_task(
        partnership,
        title="Draft the memorandum",
        assignee=user,
        due_on=date(2026, 3, 29),
        description="First draft; Saša's office reviews.",
        priority="high",
    )
    make_task(partnership, title="Undated", assignee=user)
    done = make_task(partnership, title="Done already", assignee=user, due_on=date(2026, 3, 1))
    services.complete_task(done, by=user)
    make_task(partnership, title="Someone else's", assignee=make_user(), due_on=date(2026, 3, 2))

    tasks = calendar.feed_tasks(user)
    body = calendar.build_feed(user, tasks, task_url={memo.id: "http://x/p#tasks"}, host="x")
    parsed = Calendar.from_ical(body)
    events = list(parsed.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert str(event["uid"]) == f"task-{memo.id}@x"
    assert event.decoded("dtstart") == date(2026, 3, 29)
    assert event.decoded("dtend") == date(2026, 3, 30)
    assert str(event["summary"]).startswith("Draft the memorandum")
    assert "Saša" in str(event["description"])
    assert int(event["priority"]) == 1
    assert str(parsed["version"]) == "2.0"


def test_calendar_tokens_are_revocable(ctx: None) -> None:
    user = make_user()
    first = calendar.issue_token(user)
    assert calendar.user_for_token(first) == user
    second = calendar.issue_token(user)
    assert second != first
    assert calendar.user_for_token(first) is None
    calendar.revoke_token(user)
    assert calendar.user_for_token(second) is None
    assert calendar.user_for_token("") is None


def test_only_the_calendar_secrets_hash_is_kept(ctx: None) -> None:
    user = make_user()
    secret = calendar.issue_token(user)
    assert user.calendar_token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in user.calendar_token_hash
    # The hash itself is no key to the feed.
    assert calendar.user_for_token(user.calendar_token_hash) is None


def test_a_task_goes_only_to_someone_who_will_see_and_may_complete_it(ctx: None) -> None:
    """Regression: a viewer, or a partner the pairing is not shared with, could be given a task
    they would never see or could not complete."""
    from crm.sharing.services import share, unshare
    from crm.tasks.queries import assignees_for

    partnership = make_partnership()
    colleague, viewer = make_user(), make_user("viewer")
    shared, stranger = make_user("partner"), make_user("partner")
    share(partnership, shared, by=partnership.owner)
    session.flush()
    session.expire(partnership, ["shares"])

    for refused in (viewer, stranger):
        with pytest.raises(DomainError) as caught:
            make_task(partnership, assignee=refused)
        assert caught.value.field == "assignee_id"
        assert "could not see or complete this task" in caught.value.message
    task = make_task(partnership, title="Send the member list", assignee=shared)
    make_task(partnership, assignee=colleague)
    offered = assignees_for(partnership)
    assert {colleague, shared, partnership.owner} <= set(offered)
    assert viewer not in offered and stranger not in offered

    # Unshared since: the task stays theirs and can still be edited, but goes to no one new.
    unshare(partnership, shared)
    session.flush()
    session.expire(partnership, ["shares"])
    services.update_task(
        task,
        services.TaskData(title="Send the full member list", assignee_id=shared.id),
        expected_version=task.version,
    )
    assert shared in assignees_for(partnership, keeping=shared)
    assert shared not in assignees_for(partnership)
