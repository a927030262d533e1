"""Tasks in the browser's terms: my tasks, inline changes (htmx and plain), the feed URL."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import func, select

from crm.auth.models import User
from crm.db import session
from crm.tasks.dates import today_for
from crm.tasks.models import Task
from tests.factories import make_partnership, make_task, make_user

HTMX = {"HX-Request": "true"}


def seed(app: Flask, user_id: int) -> dict[str, int]:
    with app.app_context():
        user = session.get(User, user_id)
        partnership = make_partnership(owner=user)
        today = today_for(user)
        late = make_task(
            partnership,
            title="Draft the memorandum",
            assignee=user,
            due_on=today - timedelta(days=2),
        )
        soon = make_task(partnership, title="Call the akimat", assignee=user, due_on=today)
        make_task(partnership, title="Someone else's", assignee=make_user(), due_on=today)
        session.commit()
        return {
            "partnership": partnership.id,
            "late": late.id,
            "soon": soon.id,
            "version": late.version,
        }


def count_tasks(app: Flask) -> int:
    with app.app_context():
        return session.scalar(select(func.count()).select_from(Task)) or 0


def test_my_tasks_groups_and_flags_overdue_with_text(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    ids = seed(app, login_as())
    page = client.get("/tasks/mine").get_data(as_text=True)
    overdue = page[page.index('id="group-overdue"') : page.index('id="group-this-week"')]
    assert "Draft the memorandum" in overdue and "Overdue: due" in overdue
    assert "Call the akimat" in page[page.index('id="group-this-week"') :]
    assert "Someone else&#39;s" not in page
    assert f'id="task-{ids["late"]}"' in page


def test_complete_with_htmx_returns_the_row_and_reopen_brings_it_back(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    user_id = login_as()
    ids = seed(app, user_id)
    response = client.post(f"/tasks/{ids['late']}/complete", data={"context": "mine"}, headers=HTMX)
    assert response.status_code == 200
    row = response.get_data(as_text=True)
    assert 'class="task task-done"' in row
    assert "Reopen" in row and "<html" not in row
    with app.app_context():
        task = session.get(Task, ids["late"])
        assert task.is_done and task.completed_by_id == user_id
    again = client.post(f"/tasks/{ids['late']}/complete", headers=HTMX)
    assert again.status_code == 409
    assert "already completed" in again.get_data(as_text=True)
    reopened = client.post(f"/tasks/{ids['late']}/reopen", headers=HTMX)
    assert reopened.status_code == 200 and "Complete" in reopened.get_data(as_text=True)


def test_plain_form_complete_redirects_back(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    ids = seed(app, login_as())
    response = client.post(f"/tasks/{ids['soon']}/complete", data={"next": "/tasks/mine"})
    assert response.status_code == 302 and response.headers["Location"] == "/tasks/mine"
    evil = client.post(f"/tasks/{ids['soon']}/reopen", data={"next": "//evil.example"})
    assert evil.headers["Location"].endswith(f"/partnerships/{ids['partnership']}#tasks")


def test_links_back_never_carry_a_next_that_leaves_the_site(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    ids = seed(app, login_as())
    evil = "https://evil.example/login"
    form = client.get(f"/tasks/{ids['late']}/edit", query_string={"next": evil})
    page = form.get_data(as_text=True)
    # (The language switcher keeps the whole address, as a path of this site: that is fine.)
    assert f'href="{evil}"' not in page and f'value="{evil}"' not in page
    assert f'href="/partnerships/{ids["partnership"]}">Cancel</a>' in page
    kept = client.get(f"/tasks/{ids['late']}/edit", query_string={"next": "/tasks/mine"})
    assert 'href="/tasks/mine">Cancel</a>' in kept.get_data(as_text=True)
    row = client.post(f"/tasks/{ids['soon']}/complete", data={"next": evil}, headers=HTMX)
    assert row.status_code == 200
    assert "evil.example" not in row.get_data(as_text=True)


def test_create_on_the_pairing_page_with_htmx_and_without(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    user_id = login_as()
    ids = seed(app, user_id)
    url = f"/partnerships/{ids['partnership']}/tasks"
    panel = client.post(
        url,
        data={
            "title": "Book the hall",
            "assignee_id": user_id,
            "due_on": "2026-05-04",
            "priority": "high",
        },
        headers=HTMX,
    )
    assert panel.status_code == 200
    assert 'id="tasks"' in panel.get_data(as_text=True) and "Book the hall" in panel.get_data(
        as_text=True
    )
    plain = client.post(
        url, data={"title": "Send the agenda", "assignee_id": 0, "priority": "normal"}
    )
    assert plain.status_code == 302 and plain.headers["Location"].endswith("#tasks")
    assert count_tasks(app) == 5


def test_bad_task_input_gets_a_message_a_4xx_and_writes_nothing(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    ids = seed(app, login_as())
    url = f"/partnerships/{ids['partnership']}/tasks"
    cases = [
        ({"title": "x", "due_on": "2026-02-30", "priority": "normal"}, "Give a real date"),
        ({"title": "x", "due_on": "next Tuesday", "priority": "normal"}, "Give a real date"),
        # The calendar feed's day after 9999-12-31 overflowed.
        ({"title": "x", "due_on": "9999-12-31", "priority": "normal"}, "Give a date between"),
        ({"title": "x", "due_on": "0001-01-01", "priority": "normal"}, "Give a date between"),
        ({"title": "x", "assignee_id": 987654, "priority": "normal"}, "Choose an assignee"),
        ({"title": "x", "assignee_id": "bob", "priority": "normal"}, "Choose an assignee"),
        ({"title": "", "priority": "normal"}, "Give the task a title"),
        ({"title": "x", "priority": "urgent!!"}, "Choose a priority"),
    ]
    before = count_tasks(app)
    for data, message in cases:
        for headers in (HTMX, {}):
            response = client.post(url, data=data, headers=headers)
            assert response.status_code == 422, (data, headers)
            assert message in response.get_data(as_text=True)
    assert count_tasks(app) == before


def test_edit_refuses_a_stale_version_with_409(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    ids = seed(app, login_as())
    url = f"/tasks/{ids['late']}/edit"
    data = {"title": "New title", "priority": "normal", "assignee_id": 0, "version": ids["version"]}
    assert client.post(url, data=data).status_code == 302
    stale = client.post(url, data={**data, "title": "Other"}, headers=HTMX)
    assert stale.status_code == 409
    assert "Someone changed this record" in stale.get_data(as_text=True)
    with app.app_context():
        assert session.get(Task, ids["late"]).title == "New title"


def test_the_feed_url_serves_icalendar_and_dies_when_revoked(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    user_id = login_as()
    ids = seed(app, user_id)
    made = client.post("/calendar/token")
    assert made.status_code == 200
    page = made.get_data(as_text=True)
    assert "Your calendar link is ready" in page
    found = re.search(r'id="calendar-url"[^>]*value="http://localhost/calendar/([^"]+)\.ics"', page)
    assert found
    token = found[1]
    # Shown once: the settings page no longer has it, and the database keeps only its hash.
    again = client.get("/profile").get_data(as_text=True)
    assert token not in again and "Your calendar link is on." in again
    with app.app_context():
        kept = session.get(User, user_id).calendar_token_hash
    assert kept and token not in kept
    anonymous = app.test_client()
    response = anonymous.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    events = list(Calendar.from_ical(response.data).walk("VEVENT"))
    assert sorted(str(e["uid"]).split("@")[0] for e in events) == sorted(
        [f"task-{ids['late']}", f"task-{ids['soon']}"]
    )
    assert f"/partnerships/{ids['partnership']}#tasks" in str(events[0]["url"])
    client.post("/calendar/token/revoke")
    assert anonymous.get(f"/calendar/{token}.ics").status_code == 404
    assert anonymous.get("/calendar/not-a-token.ics").status_code == 404


def test_the_profile_sets_a_time_zone_and_refuses_an_unknown_one(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    user_id = login_as()
    assert client.post("/profile", data={"time_zone": "Asia/Qyzylorda"}).status_code == 302
    refused = client.post("/profile", data={"time_zone": "Mars/Olympus"})
    assert refused.status_code == 422
    assert "Choose a time zone" in refused.get_data(as_text=True)
    with app.app_context():
        assert session.get(User, user_id).time_zone == "Asia/Qyzylorda"
    # UTC is offered too (it was refused as not on the list).
    assert 'value="UTC">Coordinated Universal Time (UTC)<' in client.get("/profile").get_data(
        as_text=True
    )
    assert client.post("/profile", data={"time_zone": "UTC"}).status_code == 302
    with app.app_context():
        assert session.get(User, user_id).time_zone == "UTC"


def test_edit_in_place_with_htmx_and_as_a_page(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    ids = seed(app, login_as())
    partial = client.get(f"/tasks/{ids['late']}/edit", headers=HTMX).get_data(as_text=True)
    assert "<html" not in partial and 'hx-post="/tasks/' in partial
    assert "<html" in client.get(f"/tasks/{ids['late']}/edit").get_data(as_text=True)
    row = client.post(
        f"/tasks/{ids['late']}/edit",
        data={"title": "Draft v2", "priority": "high", "assignee_id": 0, "version": ids["version"]},
        headers=HTMX,
    )
    assert row.status_code == 200
    assert "Draft v2" in row.get_data(as_text=True) and "High priority" in row.get_data(
        as_text=True
    )
    # The form swaps itself (an answer with errors stays in the row); the saved row takes the
    # row's place. Regression: an error answer replaced the row, and the next save had no target.
    assert 'hx-target="this"' in partial
    assert row.headers["HX-Retarget"] == f"#task-{ids['late']}"
    # On its own page the form is a plain post (regression: its htmx target was not there).
    page = client.get(f"/tasks/{ids['late']}/edit").get_data(as_text=True)
    assert "hx-post" not in page.split('class="task-edit-form"')[1].split(">")[0]
    bad = client.post(
        f"/tasks/{ids['late']}/edit",
        data={
            "title": "x",
            "priority": "high",
            "due_on": "2026-02-30",
            "version": ids["version"] + 1,
        },
        headers=HTMX,
    )
    assert bad.status_code == 422 and "Give a real date" in bad.get_data(as_text=True)


def test_the_page_with_a_new_calendar_link_saves_a_time_zone_without_a_new_link(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    """The page that shows a new link is the answer to POST /calendar/token: its time-zone
    form must still go to the settings, not make another link (which would kill this one)."""
    user_id = login_as()
    page = client.post("/calendar/token").get_data(as_text=True)
    found = re.search(r'value="http://localhost/calendar/([^"]+)\.ics"', page)
    assert found and 'action="/profile"' in page
    with app.app_context():
        kept = session.get(User, user_id).calendar_token_hash
    response = client.post("/profile", data={"time_zone": "Asia/Qyzylorda"})
    assert response.status_code == 302
    with app.app_context():
        user = session.get(User, user_id)
        assert (user.time_zone, user.calendar_token_hash) == ("Asia/Qyzylorda", kept)
    assert app.test_client().get(f"/calendar/{found[1]}.ics").status_code == 200
    # Coming back to the page's address (history, a bookmark) shows the settings, no new link.
    again = client.get("/calendar/token")
    assert again.status_code == 302 and again.headers["Location"].endswith("/profile#calendar")
    with app.app_context():
        assert session.get(User, user_id).calendar_token_hash == kept


def test_a_stale_edit_posting_an_assignee_no_longer_offered_is_a_409_not_a_bad_choice(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    """Regression: the fields were checked before the version, so a form loaded before a
    colleague reassigned the task (and its old assignee left) said "Not a valid choice"."""
    login_as()
    with app.app_context():
        leaving, successor = make_user(name="Leaving Officer"), make_user(name="Successor")
        task = make_task(make_partnership(), title="Draft the memorandum", assignee=leaving)
        session.commit()
        task_id, version, leaving_id = task.id, task.version, leaving.id
        task.assignee = successor  # a colleague's save: a new version
        leaving.is_active = False
        session.commit()
    data = {
        "title": "Mine now",
        "priority": "normal",
        "assignee_id": leaving_id,
        "version": version,
    }
    for headers in ({}, HTMX):
        stale = client.post(f"/tasks/{task_id}/edit", data=data, headers=headers)
        assert stale.status_code == 409
        page = stale.get_data(as_text=True)
        assert "Someone changed this record" in page
        assert "Not a valid choice" not in page
    with app.app_context():
        saved = session.get(Task, task_id)
        assert (saved.title, saved.assignee.name) == ("Draft the memorandum", "Successor")
