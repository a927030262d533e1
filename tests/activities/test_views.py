"""Recording a meeting from its form, with follow-up tasks; bad input writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import func, select

from crm.activities.forms import UNKNOWN_PARTICIPANT
from crm.activities.models import Activity
from crm.auth.models import User
from crm.db import session
from crm.tasks.models import Task
from tests.factories import make_partnership, make_person


@pytest.fixture
def pairing(app: Flask, login_as: Callable[..., int]) -> dict[str, int]:
    user_id = login_as()
    with app.app_context():
        partnership = make_partnership()
        ambassador = make_person("Altay Abibullayev")
        mayor = make_person("Aleksander Saša Arsenovič")
        session.commit()
        return {
            "p": partnership.id,
            "ambassador": ambassador.id,
            "mayor": mayor.id,
            "user": user_id,
        }


def form(pairing: dict[str, int], **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": "meeting",
        "occurred_on": "2026-02-13",
        "occurred_time": "10:00",
        "place": "Maribor City Hall",
        "participant_ids": [pairing["ambassador"], pairing["mayor"]],
        "summary": "Agreement in principle.",
        "follow_ups-0-title": "Draft the memorandum",
        "follow_ups-0-assignee_id": pairing["user"],
        "follow_ups-0-due_on": "2026-03-01",
        "follow_ups-1-title": "",
        "follow_ups-2-title": "",
    }
    data.update(overrides)
    return data


def written(app: Flask) -> tuple[int, int]:
    with app.app_context():
        return (
            session.scalar(select(func.count()).select_from(Activity)) or 0,
            session.scalar(select(func.count()).select_from(Task)) or 0,
        )


def test_a_meeting_with_a_follow_up_task(
    app: Flask, client: FlaskClient, pairing: dict[str, int]
) -> None:
    response = client.post(f"/partnerships/{pairing['p']}/activities/new", data=form(pairing))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#timeline")
    with app.app_context():
        activity = session.scalars(select(Activity)).one()
        # 10:00 in Ljubljana in February is 09:00 UTC.
        assert activity.occurred_at == datetime(2026, 2, 13, 9, 0, tzinfo=UTC)
        assert {p.full_name for p in activity.participants} == {
            "Altay Abibullayev",
            "Aleksander Saša Arsenovič",
        }
        task = session.scalars(select(Task)).one()
        assert (task.title, task.activity_id, task.assignee_id) == (
            "Draft the memorandum",
            activity.id,
            pairing["user"],
        )
    page = client.get(f"/partnerships/{pairing['p']}").get_data(as_text=True)
    assert "Meeting</span> in Maribor City Hall" in page
    assert "Last contact</dt><dd>Meeting, 13 Feb 2026, 10:00" in page


def test_an_entry_is_deleted_only_as_the_deleter_saw_it(
    app: Flask, client: FlaskClient, entry: dict[str, int]
) -> None:
    page = client.get(f"/activities/{entry['a']}/edit").get_data(as_text=True)
    assert f'name="version" value="{entry["version"]}"' in page.split("/delete")[1]
    # Someone corrects the entry after the page was loaded: the delete is refused, and the
    # form shows what they saved.
    assert client.post(f"/activities/{entry['a']}/edit", data=edited(entry)).status_code == 302
    stale = client.post(f"/activities/{entry['a']}/delete", data={"version": entry["version"]})
    assert stale.status_code == 409
    assert 'value="Kyzylorda"' in stale.get_data(as_text=True)
    incomplete = client.post(f"/activities/{entry['a']}/delete", data={})
    assert incomplete.status_code == 400
    assert "This form arrived incomplete" in incomplete.get_data(as_text=True)
    assert saved(app, entry["a"])[2] == "Kyzylorda"
    current = entry["version"] + 1
    deleted = client.post(f"/activities/{entry['a']}/delete", data={"version": current})
    assert deleted.status_code == 302
    with app.app_context():
        assert session.get(Activity, entry["a"]) is None
        assert session.scalars(select(Task.activity_id)).one() is None  # the follow-up stays


def test_a_stale_form_is_a_409_even_when_its_choices_are_gone(
    app: Flask, client: FlaskClient, entry: dict[str, int]
) -> None:
    """Regression: a form loaded before a merge of people posts a participant who is no more;
    its 422 ("does not exist") hid that the entry had changed meanwhile."""
    assert client.post(f"/activities/{entry['a']}/edit", data=edited(entry)).status_code == 302
    after_first = saved(app, entry["a"])
    stale = client.post(
        f"/activities/{entry['a']}/edit", data=edited(entry, participant_ids=[987654])
    )
    assert stale.status_code == 409
    assert "changed" in stale.get_data(as_text=True).lower()
    assert saved(app, entry["a"]) == after_first


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"participant_ids": [987654]}, "One of the participants does not exist"),
        ({"participant_ids": [987654, "abc"]}, "One of the participants does not exist"),
        ({"occurred_on": "2026-02-30"}, "Give a real date"),
        ({"occurred_on": "13/02/2026"}, "Give a real date"),
        ({"occurred_time": "25:61"}, "Give the time as HH:MM"),
        ({"occurred_on": "2026-03-29", "occurred_time": "02:30"}, "does not exist on 2026-03-29"),
        ({"kind": "party"}, "Choose a kind"),
        ({"follow_ups-0-assignee_id": 987654}, "Choose an assignee"),
        ({"follow_ups-0-due_on": "2026-13-01"}, "Give a real date"),
        ({"follow_ups-0-due_on": "9999-12-31"}, "Give a date between"),
        ({"follow_ups-0-title": ""}, "Follow-up task 1 needs a title"),
    ],
)
def test_bad_meeting_input_gets_a_message_a_4xx_and_writes_nothing(
    app: Flask, client: FlaskClient, pairing: dict[str, int], overrides: dict, message: str
) -> None:
    response = client.post(
        f"/partnerships/{pairing['p']}/activities/new", data=form(pairing, **overrides)
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert written(app) == (0, 0)


@pytest.mark.parametrize("language", ["sl", "ru", "kk"])
def test_a_participant_that_is_no_number_is_refused_in_the_readers_words(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., int],
    pairing: dict[str, int],
    language: str,
) -> None:
    """Regression: a participant id that is not a number got WTForms' "Invalid choice(s): one or
    more data inputs could not be coerced." (in the reader's language, through our catalogue),
    which names neither the participants nor what to do. It is what an id nobody has gets."""
    login_as(language=language)
    with app.test_request_context(), force_locale(language):
        expected = str(UNKNOWN_PARTICIPANT)
    response = client.post(
        f"/partnerships/{pairing['p']}/activities/new",
        data=form(pairing, participant_ids=[pairing["mayor"], "abc"]),
    )
    assert response.status_code == 422
    assert expected in response.get_data(as_text=True)
    assert written(app) == (0, 0)


@pytest.fixture
def entry(app: Flask, client: FlaskClient, pairing: dict[str, int]) -> dict[str, int]:
    """A meeting recorded through its form, with the ambassador and the mayor."""
    client.post(f"/partnerships/{pairing['p']}/activities/new", data=form(pairing))
    with app.app_context():
        activity = session.scalars(select(Activity)).one()
        return {**pairing, "a": activity.id, "version": activity.version}


def edited(entry: dict[str, int], **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": "visit",
        "occurred_on": "2026-02-14",
        "occurred_time": "15:30",
        "place": "Kyzylorda",
        "participant_ids": [entry["ambassador"]],
        "summary": "The akim's delegation came to Maribor instead.",
        "version": entry["version"],
    }
    data.update(overrides)
    return data


def saved(app: Flask, activity_id: int) -> tuple[object, ...]:
    with app.app_context():
        activity = session.get(Activity, activity_id)
        assert activity is not None
        return (
            activity.kind,
            activity.occurred_at,
            activity.place,
            activity.summary,
            sorted(person.full_name for person in activity.participants),
        )


def test_an_entry_opens_as_saved_in_the_readers_zone(
    client: FlaskClient, entry: dict[str, int]
) -> None:
    page = client.get(f"/activities/{entry['a']}/edit").get_data(as_text=True)
    assert '<option selected value="meeting">' in page
    assert 'value="2026-02-13"' in page
    assert 'value="10:00"' in page  # 09:00 UTC, shown in Ljubljana's winter time
    assert 'value="Maribor City Hall"' in page
    assert "Agreement in principle." in page
    assert f'name="version" type="hidden" value="{entry["version"]}"' in page
    # Follow-up tasks are tasks of their own by now: not on this form.
    assert "follow_ups-0-title" not in page
    assert f'action="/activities/{entry["a"]}/delete"' in page
    timeline = client.get(f"/partnerships/{entry['p']}").get_data(as_text=True)
    assert f'href="/activities/{entry["a"]}/edit"' in timeline


def test_an_entry_is_corrected_and_keeps_its_follow_ups(
    app: Flask, client: FlaskClient, entry: dict[str, int]
) -> None:
    response = client.post(f"/activities/{entry['a']}/edit", data=edited(entry))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/partnerships/{entry['p']}#timeline")
    assert saved(app, entry["a"]) == (
        "visit",
        datetime(2026, 2, 14, 14, 30, tzinfo=UTC),
        "Kyzylorda",
        "The akim's delegation came to Maribor instead.",
        ["Altay Abibullayev"],
    )
    with app.app_context():
        assert session.scalars(select(Task.activity_id)).one() == entry["a"]
    assert "Saved the entry." in client.get(f"/partnerships/{entry['p']}").get_data(as_text=True)


def test_an_edit_from_a_stale_form_is_a_409_and_writes_nothing(
    app: Flask, client: FlaskClient, entry: dict[str, int]
) -> None:
    assert client.post(f"/activities/{entry['a']}/edit", data=edited(entry)).status_code == 302
    after_first = saved(app, entry["a"])
    stale = client.post(
        f"/activities/{entry['a']}/edit", data=edited(entry, place="Astana", summary="Lost?")
    )
    assert stale.status_code == 409
    page = stale.get_data(as_text=True)
    assert "changed" in page.lower()
    assert 'value="Kyzylorda"' in page  # the form starts again from what was saved
    assert saved(app, entry["a"]) == after_first


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"participant_ids": [987654]}, "One of the participants does not exist"),
        ({"participant_ids": [987654, "abc"]}, "One of the participants does not exist"),
        ({"occurred_on": "2026-02-30"}, "Give a real date"),
        ({"occurred_time": "7pm"}, "Give the time as HH:MM"),
        ({"occurred_on": "2026-03-29", "occurred_time": "02:30"}, "does not exist on 2026-03-29"),
        ({"kind": "party"}, "Choose a kind"),
        ({"place": "x" * 201}, "200"),
        ({"version": ""}, ""),
    ],
)
def test_bad_edits_get_a_message_a_4xx_and_write_nothing(
    app: Flask, client: FlaskClient, entry: dict[str, int], overrides: dict, message: str
) -> None:
    before = saved(app, entry["a"])
    response = client.post(f"/activities/{entry['a']}/edit", data=edited(entry, **overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert saved(app, entry["a"]) == before


@pytest.mark.parametrize(
    ("day", "at"),
    [
        # The ends of Python's calendar: converting them to UTC overflowed (a 500).
        ("0001-01-01", "00:00"),
        ("9999-12-31", "23:59"),
        # Just outside the span the CRM keeps.
        ("1899-12-31", "23:59"),
        ("2201-01-01", "00:00"),
    ],
)
@pytest.mark.parametrize("zone", ["Asia/Almaty", "America/New_York"])
def test_a_day_outside_the_span_is_refused_in_any_zone_and_writes_nothing(
    app: Flask, client: FlaskClient, entry: dict[str, int], zone: str, day: str, at: str
) -> None:
    with app.app_context():
        session.get_one(User, entry["user"]).time_zone = zone
        session.commit()
    before = (written(app), saved(app, entry["a"]))
    new = client.post(
        f"/partnerships/{entry['p']}/activities/new",
        data=form(entry, occurred_on=day, occurred_time=at),
    )
    edit = client.post(
        f"/activities/{entry['a']}/edit", data=edited(entry, occurred_on=day, occurred_time=at)
    )
    for response in (new, edit):
        assert response.status_code == 422
        assert "Give a date between 1900-01-01 and 2200-12-31." in response.get_data(as_text=True)
    assert (written(app), saved(app, entry["a"])) == before


@pytest.mark.parametrize(("day", "at"), [("1900-01-01", "00:00")])
@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT+12"])
def test_the_first_day_of_the_span_is_kept_in_any_zone(
    app: Flask, client: FlaskClient, entry: dict[str, int], zone: str, day: str, at: str
) -> None:
    # The zones furthest east (UTC+14) and west (UTC-12): the day is still in the span in UTC.
    with app.app_context():
        session.get_one(User, entry["user"]).time_zone = zone
        session.commit()
    response = client.post(
        f"/activities/{entry['a']}/edit", data=edited(entry, occurred_on=day, occurred_time=at)
    )
    assert response.status_code == 302
    page = client.get(f"/activities/{entry['a']}/edit").get_data(as_text=True)
    assert f'value="{day}"' in page and f'value="{at}"' in page


def test_a_deleted_contact_stays_on_the_entries_it_was_on(
    app: Flask, client: FlaskClient, entry: dict[str, int]
) -> None:
    from crm.contacts.models import Person
    from crm.db import utcnow

    with app.app_context():
        mayor = session.get(Person, entry["mayor"])
        assert mayor is not None
        mayor.deleted_at = utcnow()
        session.commit()
    page = client.get(f"/activities/{entry['a']}/edit").get_data(as_text=True)
    assert "Aleksander Saša Arsenovič" not in page  # no longer offered
    response = client.post(
        f"/activities/{entry['a']}/edit",
        data=edited(entry, participant_ids=[entry["ambassador"]]),
    )
    assert response.status_code == 302
    assert saved(app, entry["a"])[-1] == ["Aleksander Saša Arsenovič", "Altay Abibullayev"]


def test_what_an_entry_says_is_escaped_on_its_form_and_the_timeline(
    client: FlaskClient, entry: dict[str, int]
) -> None:
    payload = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'
    response = client.post(
        f"/activities/{entry['a']}/edit", data=edited(entry, place=payload, summary=payload)
    )
    assert response.status_code == 302
    for page in (
        client.get(f"/activities/{entry['a']}/edit").get_data(as_text=True),
        client.get(f"/partnerships/{entry['p']}").get_data(as_text=True),
    ):
        assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT+12"])
def test_an_entry_may_be_today_in_the_recorders_zone_but_not_later(
    app: Flask, client: FlaskClient, entry: dict[str, int], zone: str
) -> None:
    """Regression: a visit dated next week was taken, shown as "(today)" and as last contact."""
    from crm.tasks.dates import today_for

    with app.app_context():
        user = session.get_one(User, entry["user"])
        user.time_zone = zone
        session.commit()
        today = today_for(user)
    before = (written(app), saved(app, entry["a"]))
    tomorrow = (today + timedelta(days=1)).isoformat()
    new = client.post(
        f"/partnerships/{entry['p']}/activities/new",
        data={"kind": "visit", "occurred_on": tomorrow, "occurred_time": "00:00"},
    )
    edit = client.post(f"/activities/{entry['a']}/edit", data=edited(entry, occurred_on=tomorrow))
    for response in (new, edit):
        assert response.status_code == 422
        assert "That day is still to come" in response.get_data(as_text=True)
    assert (written(app), saved(app, entry["a"])) == before
    later_today = client.post(
        f"/activities/{entry['a']}/edit",
        data=edited(entry, occurred_on=today.isoformat(), occurred_time="23:59"),
    )
    assert later_today.status_code == 302


def test_an_entry_corrected_without_touching_its_time_keeps_its_time(
    app: Flask, client: FlaskClient, pairing: dict[str, int]
) -> None:
    """Regression: the form shows the time to the minute in the reader's zone, and read it back
    as typed. A summary corrected moved a call logged at 02:30:45 in the second, winter-time
    02:30 of the autumn change night to 02:30:00 summer time, an hour and 45 seconds earlier."""
    second_half_hour = datetime(2026, 10, 25, 1, 30, 45, tzinfo=UTC)  # 02:30:45 CET
    with app.app_context():
        from crm.partnerships.models import Partnership
        from tests.factories import make_activity

        partnership = session.get_one(Partnership, pairing["p"])
        activity = make_activity(partnership, kind="call", at=second_half_hour)
        session.commit()
        entry = {**pairing, "a": activity.id, "version": activity.version}
    page = client.get(f"/activities/{entry['a']}/edit").get_data(as_text=True)
    assert 'value="2026-10-25"' in page and 'value="02:30"' in page
    posted = edited(
        entry,
        kind="call",
        occurred_on="2026-10-25",
        occurred_time="02:30",
        summary="Corrected summary.",
    )
    assert client.post(f"/activities/{entry['a']}/edit", data=posted).status_code == 302
    kind, occurred_at, *_, summary, _ = saved(app, entry["a"])
    assert (kind, occurred_at, summary) == ("call", second_half_hour, "Corrected summary.")

    # A time typed anew is read as typed, the first 02:30 of that night included.
    with app.app_context():
        version = session.get_one(Activity, entry["a"]).version
    posted = edited({**entry, "version": version}, kind="call", occurred_on="2026-10-25")
    posted["occurred_time"] = "02:31"
    assert client.post(f"/activities/{entry['a']}/edit", data=posted).status_code == 302
    assert saved(app, entry["a"])[1] == datetime(2026, 10, 25, 0, 31, tzinfo=UTC)
