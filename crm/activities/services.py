"""Recording meetings, visits, calls and letters, with their follow-up tasks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from flask_babel import format_decimal, gettext, ngettext
from sqlalchemy import func, select, update

from crm.activities.models import ACTIVE_KINDS, Activity, ActivityKind
from crm.auth.models import User
from crm.contacts.models import Person
from crm.date_span import require_within_span
from crm.db import session
from crm.errors import DomainError, check_version
from crm.partnerships.models import Partnership, StageChange
from crm.tasks import services as task_services
from crm.tasks.dates import today_for, zone_of

PLACE_MAX_LENGTH = 200
SUMMARY_MAX_LENGTH = 20_000


@dataclass(frozen=True)
class ActivityData:
    kind: str
    occurred_at: datetime  # aware
    place: str = ""
    summary: str = ""
    participant_ids: list[int] = field(default_factory=list)


def local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time typed in `zone`.

    A time that does not exist (02:30 on the last Sunday of March in Ljubljana, when clocks
    jump from 02:00 to 03:00) is refused rather than moved silently. A time that happens twice
    (02:30 on the last Sunday of October) is taken as the first, still in summer time.
    A day outside the span the CRM keeps is refused first: at the ends of the calendar
    (0001-01-01 east of UTC, 9999-12-31 west of it) the conversion itself would overflow.
    """
    require_within_span(day, field="occurred_on")
    local = datetime.combine(day, at, tzinfo=zone)
    round_trip = local.astimezone(UTC).astimezone(zone)
    if round_trip.replace(tzinfo=None) != local.replace(tzinfo=None):
        raise DomainError(
            gettext(
                "%(time)s does not exist on %(date)s in %(zone)s: the clocks changed that night. "
                "Give a time before or after the change.",
                # As the form takes them (HH:MM, YYYY-MM-DD), so that the reader finds what
                # they typed.
                time=at.strftime("%H:%M"),
                date=day.isoformat(),
                zone=zone.key,
            ),
            field="occurred_time",
        )
    return local.astimezone(UTC)


def create_activity(
    partnership: Partnership,
    data: ActivityData,
    *,
    by: User,
    follow_ups: Mapping[int, task_services.TaskData] | None = None,
) -> Activity:
    """Record an activity and, in the same transaction, the follow-up tasks it gave rise to:
    `follow_ups` by the number the caller shows them under (the form's row, from 1), so that a
    refusal names the row the user sees, blank rows skipped or not."""
    activity = Activity(partnership=partnership, created_by=by)
    _apply(activity, data, by=by)
    session.add(activity)
    session.flush()
    if activity.kind in ACTIVE_KINDS:
        _mark_active(partnership, activity.occurred_at)
    for number, task_data in (follow_ups or {}).items():
        try:
            task_services.create_task(partnership, task_data, by=by, activity_id=activity.id)
        except DomainError as error:
            # The field counts from 0, as the API's validation of a list does.
            place = f"follow_ups.{number - 1}"
            raise DomainError(
                gettext(
                    "Follow-up task %(number)d: %(message)s", number=number, message=error.message
                ),
                field=f"{place}.{error.field}" if error.field else place,
            ) from error
    return activity


def _mark_active(partnership: Partnership, occurred_at: datetime) -> None:
    """An activity of `ACTIVE_KINDS` makes its pairing come up among the recently active (the
    board's cards, the list's default order), and not quiet on the dashboard.

    Set in one UPDATE, not through the ORM, so that the version stays: the pairing's own fields
    did not change, and a form open on it is still good. `updated_at` moves, so that an API
    client syncing by it sees the change."""
    if occurred_at <= partnership.last_activity_at:
        return  # an entry for an older meeting, written up late
    session.execute(
        update(Partnership)
        .where(Partnership.id == partnership.id, Partnership.last_activity_at < occurred_at)
        .values(last_activity_at=occurred_at)
    )


def update_activity(
    activity: Activity, data: ActivityData, *, by: User, expected_version: int
) -> None:
    check_version(activity.version, expected_version)
    was_active = activity.kind in ACTIVE_KINDS
    was_at = activity.occurred_at
    _apply(activity, data, by=by)
    session.flush()
    partnership = activity.partnership
    is_active = activity.kind in ACTIVE_KINDS
    if is_active and (not was_active or activity.occurred_at > was_at):
        _mark_active(partnership, activity.occurred_at)
    elif was_active and (not is_active or activity.occurred_at < was_at):
        # Corrected to an earlier day, or to a note: what it made active may be gone.
        _recount_activity(partnership, was_at)


def delete_activity(activity: Activity, *, expected_version: int) -> None:
    """Delete an entry as the deleter saw it: one corrected since is not deleted unseen."""
    check_version(activity.version, expected_version)
    partnership = activity.partnership
    was_active = activity.kind in ACTIVE_KINDS
    was_at = activity.occurred_at
    session.delete(activity)
    session.flush()
    if was_active:
        _recount_activity(partnership, was_at)


def _recount_activity(partnership: Partnership, removed_at: datetime) -> None:
    """The pairing's last activity once an entry that counted at `removed_at` no longer does
    (deleted, moved to an earlier time, or made a note).

    Only when the pairing's last activity is that entry's time: anything later (an edit, a
    move, another meeting) made it active since, and stays. It falls back to the latest of what
    is left that counts: its creation, its moves and status changes, its other activities. As in
    `_mark_active`, one UPDATE that leaves the version alone."""
    if partnership.last_activity_at > removed_at:
        return
    latest_activity = session.scalar(
        select(func.max(Activity.occurred_at)).where(
            Activity.partnership_id == partnership.id,
            Activity.kind.in_([kind.value for kind in ACTIVE_KINDS]),
        )
    )
    latest_move = session.scalar(
        select(func.max(StageChange.changed_at)).where(StageChange.partnership_id == partnership.id)
    )
    candidates = [partnership.created_at, latest_activity, latest_move]
    latest = max(moment for moment in candidates if moment is not None)
    if latest >= partnership.last_activity_at:
        return
    session.execute(
        update(Partnership)
        .where(
            Partnership.id == partnership.id,
            Partnership.last_activity_at == partnership.last_activity_at,
        )
        .values(last_activity_at=latest)
    )


def _apply(activity: Activity, data: ActivityData, *, by: User) -> None:
    if data.kind not in {kind.value for kind in ActivityKind}:
        raise DomainError(gettext("Choose a kind from the list."), field="kind")
    if data.occurred_at.tzinfo is None:
        # Only a program can send a time without its zone; the form always knows the reader's.
        raise DomainError(
            gettext("Give the time with its offset from UTC, e.g. 2026-02-13T10:00:00+01:00."),
            field="occurred_on",
        )
    # Whoever records it, a time at the calendar's ends would overflow when stored in UTC or
    # shown in a reader's zone.
    require_within_span(data.occurred_at, field="occurred_on")
    # The timeline and "last contact" are what happened; what is still to come is a task. Today
    # is the recorder's, so a meeting this afternoon can be written up this morning.
    if data.occurred_at.astimezone(zone_of(by)).date() > today_for(by):
        raise DomainError(
            gettext(
                "That day is still to come: record a meeting once it has happened, and plan it "
                "with a task due that day."
            ),
            field="occurred_on",
        )
    place = " ".join(data.place.split())
    if len(place) > PLACE_MAX_LENGTH:
        raise DomainError(
            ngettext(
                "A place can be at most %(num)d character.",
                "A place can be at most %(num)d characters.",
                PLACE_MAX_LENGTH,
            ),
            field="place",
        )
    if len(data.summary) > SUMMARY_MAX_LENGTH:
        raise DomainError(
            ngettext(
                "A summary can be at most %(num)s character.",
                "A summary can be at most %(num)s characters.",
                SUMMARY_MAX_LENGTH,
                num=format_decimal(SUMMARY_MAX_LENGTH),
            ),
            field="summary",
        )
    # A contact deleted since stays on the entries it was on (shown as deleted); no form offers
    # it, so an edit that did not mention it must not take it off.
    kept = [person for person in activity.participants if person.is_deleted]
    wanted = set(data.participant_ids) - {person.id for person in kept}
    people: list[Person] = []
    if wanted:
        people = list(
            session.scalars(
                select(Person).where(Person.id.in_(wanted), Person.deleted_at.is_(None))
            )
        )
        if len(people) != len(wanted):
            raise DomainError(
                gettext("One of the participants does not exist; choose people from the list."),
                field="participant_ids",
            )
    activity.kind = data.kind
    activity.occurred_at = data.occurred_at
    activity.place = place
    activity.summary = data.summary.strip()
    activity.participants = people + kept
