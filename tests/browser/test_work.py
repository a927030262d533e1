"""The work around a pairing in a real browser: a meeting with a follow-up, completing a task
from My tasks (htmx), and the header search."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from crm.auth.models import User
from crm.db import session
from crm.tasks.dates import today_for
from crm.tasks.models import Task
from tests.factories import (
    make_locality,
    make_organisation,
    make_partnership,
    make_person,
    make_task,
)


def seed(app: Flask, user_id: int) -> dict[str, int]:
    with app.app_context():
        me = session.get(User, user_id)
        maribor = make_locality("Maribor", subdivision_code="SI-070")
        kyzylorda = make_locality(
            "Қызылорда облысы", name_en="Kyzylorda Region", country_code="KZ", kind="region"
        )
        partnership = make_partnership(maribor, kyzylorda, owner=me)
        make_person("Altay Abibullayev")
        make_organisation("Štajerska Chamber of Commerce and Industry", kind="chamber_of_commerce")
        late = make_task(
            partnership,
            title="Identify water-management contacts",
            assignee=me,
            due_on=today_for(me) - timedelta(days=2),
        )
        session.commit()
        return {"p": partnership.id, "late": late.id}


def test_add_a_meeting_with_a_follow_up_task(
    app: Flask, page: Page, user: Callable, log_in: Callable
) -> None:
    account = user()
    ids = seed(app, int(account["id"]))
    log_in(account)
    page.goto(f"/partnerships/{ids['p']}")
    page.get_by_role("link", name="Record a meeting or call").click()
    page.get_by_label("Date", exact=True).fill("2026-02-13")
    page.get_by_label("Time", exact=True).fill("10:00")
    page.get_by_label("Place", exact=True).fill("Maribor City Hall")
    page.get_by_label("Participants").select_option(label="Altay Abibullayev")
    page.get_by_label("Summary", exact=True).fill(
        "Agreement in principle on interregional cooperation."
    )
    page.locator("#follow_ups-0-title").fill("Draft the memorandum")
    page.locator("#follow_ups-0-assignee_id").select_option(label=account["name"])
    page.locator("#follow_ups-0-due_on").fill("2026-03-01")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Recorded the meeting and 1 follow-up task.")).to_be_visible()
    timeline = page.locator("#timeline")
    expect(timeline.get_by_text("Maribor City Hall")).to_be_visible()
    expect(timeline.get_by_role("link", name="Altay Abibullayev")).to_be_visible()
    expect(page.locator("#tasks").get_by_text("Draft the memorandum", exact=True)).to_be_visible()


def test_complete_a_task_from_my_tasks(
    app: Flask, page: Page, user: Callable, log_in: Callable
) -> None:
    account = user()
    ids = seed(app, int(account["id"]))
    log_in(account)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My tasks").click()
    # Until the page has loaded, htmx (a deferred script) has not taken over the Complete
    # button, and a click would do the plain-form round trip this test is not about.
    page.wait_for_url("**/tasks/mine")
    row = page.locator(f"#task-{ids['late']}")
    expect(row.get_by_text("Overdue: due")).to_be_visible()
    url_before = page.url
    row.get_by_role("button", name="Complete").click()
    expect(page.locator(f"#task-{ids['late']}")).to_have_class(re.compile(r"\btask-done\b"))
    expect(page.locator(f"#task-{ids['late']}").get_by_role("status")).to_contain_text("Done")
    expect(
        page.locator(f"#task-{ids['late']}").get_by_role("button", name="Reopen")
    ).to_be_visible()
    assert page.url == url_before  # done in place, no page load
    with app.app_context():
        task = session.scalar(select(Task).where(Task.id == ids["late"]))
        assert task is not None and task.is_done


def test_edit_a_task_in_place_after_a_mistake_and_on_its_own_page(
    app: Flask, page: Page, user: Callable, log_in: Callable
) -> None:
    """Regression: a save with a mistake put the form where the task's row had been, and the
    corrected save then went nowhere; on its own page (opened in a new tab), Save did nothing."""
    account = user()
    ids = seed(app, int(account["id"]))
    log_in(account)
    page.goto("/tasks/mine")
    row = page.locator(f"#task-{ids['late']}")
    row.get_by_role("link", name="Edit").click()
    row.locator("input[name=title]").fill("")
    row.get_by_role("button", name="Save task").click()
    expect(row.get_by_text("Give the task a title.")).to_be_visible()
    row.locator("input[name=title]").fill("Call the water utility")
    row.get_by_role("button", name="Save task").click()
    expect(page.locator(f"#task-{ids['late']} .task-title")).to_have_text("Call the water utility")

    page.goto(f"/tasks/{ids['late']}/edit")
    page.locator("input[name=title]").fill("Call the water utility again")
    page.get_by_role("button", name="Save task").click()
    expect(page.get_by_text("Saved the task “Call the water utility again”.")).to_be_visible()
    with app.app_context():
        task = session.get(Task, ids["late"])
        assert task is not None and task.title == "Call the water utility again"


def test_search_stajerska_in_the_header_and_open_the_result(
    app: Flask, page: Page, user: Callable, log_in: Callable
) -> None:
    account = user()
    seed(app, int(account["id"]))
    log_in(account)
    search = page.get_by_role(
        "searchbox", name="Search pairings, places, people, organisations and tasks"
    )
    search.fill("Stajerska")
    search.press("Enter")
    results = page.locator("section[aria-labelledby='results-organisations']")
    expect(results).to_be_visible()
    results.get_by_role("link", name="Štajerska Chamber of Commerce and Industry").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Štajerska Chamber of Commerce and Industry"
    )


@pytest.fixture
def long_directory(
    app: Flask, live_app: Flask, user: Callable, log_in: Callable
) -> Iterator[dict[str, int]]:
    """Signed in as an officer, with too many people for one select: the pairing of `seed`
    ("p"), Ana Novak ("ana") and Aleksander Saša Arsenovič ("sasa") among them."""
    account = user()
    ids = seed(app, int(account["id"]))
    with app.app_context():
        ids["ana"] = make_person("Ana Novak").id
        ids["sasa"] = make_person("Aleksander Saša Arsenovič").id
        session.commit()
    live_app.config["PEOPLE_SELECT_LIMIT"] = 1
    log_in(account)
    yield ids
    del live_app.config["PEOPLE_SELECT_LIMIT"]


def test_add_a_person_by_searching_a_long_directory(
    page: Page, long_directory: dict[str, int]
) -> None:
    ids = long_directory
    page.goto(f"/partnerships/{ids['p']}/people/new")
    search = page.get_by_label("Find the person")
    person = page.get_by_label("Person", exact=True)
    expect(person.locator("option")).to_have_count(1)  # only "Choose a person…"
    search.fill("arsenovic")
    expect(person.locator("option", has_text="Aleksander Saša Arsenovič")).to_have_count(1)
    person.select_option(label="Aleksander Saša Arsenovič")
    # Searching on keeps the pick among the new matches.
    search.fill("novak")
    expect(person.locator("option", has_text="Ana Novak")).to_have_count(1)
    expect(person).to_have_value(str(ids["sasa"]))
    # Enter in the search box refreshes the options; it does not send the form.
    page.evaluate("window.stayedOnPage = true")
    search.press("Enter")
    expect(person.locator("option", has_text="Ana Novak")).to_have_count(1)
    assert page.evaluate("window.stayedOnPage === true")
    # Enter in the role adds, as the form's own button would.
    role = page.get_by_label("Role", exact=True)
    role.fill("Mayor")
    role.press("Enter")
    expect(page.get_by_text("Added Aleksander Saša Arsenovič as Mayor.")).to_be_visible()


def test_record_a_meeting_with_participants_found_in_a_long_directory(
    page: Page, long_directory: dict[str, int]
) -> None:
    ids = long_directory
    page.goto(f"/partnerships/{ids['p']}/activities/new")
    search = page.get_by_label("Find participants")
    participants = page.get_by_label("Participants", exact=True)
    expect(participants.locator("option")).to_have_count(0)  # the pairing has no people yet
    page.get_by_label("Date", exact=True).fill("2026-02-13")
    search.fill("arsenovic")
    expect(participants.locator(f'option[value="{ids["sasa"]}"]')).to_have_count(1)
    participants.select_option(str(ids["sasa"]))
    # Searching on keeps the first pick chosen, beside the new matches, to add to it.
    search.fill("novak")
    expect(participants.locator("option", has_text="Ana Novak")).to_have_count(1)
    expect(participants.locator(f'option[value="{ids["sasa"]}"]')).to_have_js_property(
        "selected", True
    )
    participants.select_option([str(ids["sasa"]), str(ids["ana"])])
    # Enter in the search box refreshes the options; it does not send the form.
    page.evaluate("window.stayedOnPage = true")
    search.press("Enter")
    expect(participants.locator(f'option[value="{ids["ana"]}"]')).to_have_js_property(
        "selected", True
    )
    assert page.evaluate("window.stayedOnPage === true")
    # Enter in the place saves, as the form's own button would.
    place = page.get_by_label("Place", exact=True)
    place.fill("Maribor City Hall")
    place.press("Enter")
    expect(page.get_by_text("Recorded the meeting.")).to_be_visible()
    timeline = page.locator("#timeline")
    expect(timeline.get_by_role("link", name="Ana Novak")).to_be_visible()
    expect(timeline.get_by_role("link", name="Aleksander Saša Arsenovič")).to_be_visible()
