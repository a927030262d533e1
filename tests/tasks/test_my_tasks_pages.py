"""My tasks in pages: the most urgent first, every group's total on every page, and the way to
a group that starts on a later page."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from crm.auth.models import User
from crm.db import session, utcnow
from crm.tasks.dates import horizon_for
from tests.factories import make_partnership, make_task


@pytest.fixture
def two_per_page(app: Flask) -> Iterator[None]:
    before = app.config["PAGE_SIZE"]
    app.config["PAGE_SIZE"] = 2
    yield
    app.config["PAGE_SIZE"] = before


def seed(app: Flask, user_id: int) -> None:
    with app.app_context():
        user = session.get(User, user_id)
        assert user is not None
        horizon = horizon_for(user)
        pairing = make_partnership(owner=user)
        make_task(pairing, title="Late one", assignee=user, due_on=horizon.today - timedelta(3))
        make_task(pairing, title="Due today", assignee=user, due_on=horizon.today)
        make_task(pairing, title="Next week", assignee=user, due_on=horizon.week_end + timedelta(3))
        make_task(pairing, title="Undated first", assignee=user)
        make_task(pairing, title="Undated second", assignee=user)
        archived = make_partnership(owner=user)
        make_task(archived, title="On an archived pairing", assignee=user, due_on=horizon.today)
        archived.archived_at = utcnow()
        session.commit()


def group_total(page: str, key: str) -> int:
    found = re.search(
        rf'id="group-{key}">[^<]*(?:<span aria-hidden="true">⚠</span> )?[^<]*'
        rf'<span class="count">(\d+)</span>',
        page,
    )
    assert found, key
    return int(found.group(1))


def titles(page: str) -> list[str]:
    return re.findall(r'<span class="task-title">([^<]+)</span>', page)


def test_pages_go_from_the_most_urgent_to_the_undated_with_every_total_on_each(
    app: Flask, client: FlaskClient, login_as: Callable[..., int], two_per_page: None
) -> None:
    seed(app, login_as())
    pages = [client.get(f"/tasks/mine?page={n}").get_data(as_text=True) for n in (1, 2, 3)]

    assert [titles(page) for page in pages] == [
        ["Late one", "Due today"],
        ["Next week", "Undated first"],
        ["Undated second"],
    ]
    for page in pages:
        # The archived pairing's task counts nowhere.
        assert "5 open tasks" in page and "On an archived pairing" not in page
        totals = {key: group_total(page, key) for key in ("overdue", "this-week", "later")}
        assert totals == {"overdue": 1, "this-week": 1, "later": 1}
        assert group_total(page, "no-date") == 2
    # A group that starts further on says where; one split across pages says how much is here.
    assert '<a href="/tasks/mine?page=2">On page 2</a>' in pages[0]
    assert "Showing 1 of 2." in pages[1] and "Showing 1 of 2." in pages[2]
    assert 'rel="next"' in pages[0] and 'rel="prev"' in pages[2]


def test_a_page_past_the_end_or_malformed_shows_the_nearest_page(
    app: Flask, client: FlaskClient, login_as: Callable[..., int], two_per_page: None
) -> None:
    seed(app, login_as())
    assert titles(client.get("/tasks/mine?page=99999999999999999999").get_data(as_text=True)) == [
        "Undated second"
    ]
    for bad in ("0", "-3", "abc"):
        response = client.get(f"/tasks/mine?page={bad}")
        assert response.status_code == 200
        assert titles(response.get_data(as_text=True)) == ["Late one", "Due today"]
