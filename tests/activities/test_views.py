"""Recording a meeting from its form, with follow-up tasks; bad input writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from crm.activities.models import Activity
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


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"participant_ids": [987654]}, "One of the participants does not exist"),
        ({"occurred_on": "2026-02-30"}, "Give a real date"),
        ({"occurred_on": "13/02/2026"}, "Give a real date"),
        ({"occurred_time": "25:61"}, "Give the time as HH:MM"),
        ({"occurred_on": "2026-03-29", "occurred_time": "02:30"}, "does not exist on 2026-03-29"),
        ({"kind": "party"}, "Choose a kind"),
        ({"follow_ups-0-assignee_id": 987654}, "Choose an assignee"),
        ({"follow_ups-0-due_on": "2026-13-01"}, "Give a real date"),
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
