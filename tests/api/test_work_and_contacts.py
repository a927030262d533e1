from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from crm.db import session
from crm.reports.weeks import IsoWeek
from crm.tasks.models import Task
from tests.api.conftest import Api


def test_round_trip_through_the_api_alone(api: Api) -> None:
    """Create localities and a pairing, move it, add a task, complete it, read the report."""
    maribor = api.post(
        "/localities",
        {"name": "Maribor", "kind": "city", "country": "SI", "subdivision_code": "SI-070"},
    ).get_json()
    kyzylorda = api.post(
        "/localities",
        {
            "name": "Қызылорда облысы",
            "kind": "region",
            "country": "KZ",
            "name_en": "Kyzylorda Region",
            "subdivision_code": "KZ-43",
        },
    ).get_json()
    pairing = api.post(
        "/partnerships",
        {
            "locality_a_id": maribor["id"],
            "locality_b_id": kyzylorda["id"],
            "sectors": ["education"],
        },
    ).get_json()
    moved = api.post(
        f"/partnerships/{pairing['id']}/stage-changes",
        {
            "stage": "agreement_in_principle",
            "version": pairing["version"],
            "note": "Agreed in Maribor",
        },
    )
    assert moved.status_code == 201
    task = api.post(
        f"/partnerships/{pairing['id']}/tasks",
        {
            "title": "Draft the memorandum",
            "assignee_id": api.user_id,
            "due_on": (datetime.now(UTC).date() + timedelta(days=7)).isoformat(),
        },
    )
    assert task.status_code == 201
    task_body = task.get_json()
    assert (task_body["status"], task_body["assignee"]["id"]) == ("open", api.user_id)
    done = api.patch(
        f"/tasks/{task_body['id']}", {"version": task_body["version"], "status": "done"}
    )
    assert done.status_code == 200
    assert done.get_json()["status"] == "done"
    assert done.get_json()["completed_by"]["id"] == api.user_id

    this_week = IsoWeek.containing(datetime.now(UTC).date())
    report = api.get(f"/reports/weekly/{this_week}")
    assert report.status_code == 200
    data = report.get_json()
    assert data["week"] == str(this_week)
    assert data["headline"]["forward"]["value"] == 1
    assert [t["title"] for t in data["tasks"]["completed"]] == ["Draft the memorandum"]


def test_tasks_stale_edit_bad_assignee_and_listing(app: Flask, api: Api) -> None:
    from tests.factories import make_partnership

    with app.app_context():
        pid = make_partnership().id
        session.commit()
    created = api.post(f"/partnerships/{pid}/tasks", {"title": "Call"}).get_json()
    assert (
        api.patch(
            f"/tasks/{created['id']}", {"version": created["version"], "title": "Call back"}
        ).status_code
        == 200
    )
    stale = api.patch(f"/tasks/{created['id']}", {"version": created["version"], "title": "x"})
    assert stale.status_code == 409
    bad = api.post(f"/partnerships/{pid}/tasks", {"title": "X", "assignee_id": 999999})
    assert bad.status_code == 422
    assert "assignee_id" in bad.get_json()["error"]["fields"]
    bad_date = api.post(f"/partnerships/{pid}/tasks", {"title": "X", "due_on": "2026-02-30"})
    assert bad_date.status_code == 422
    listed = api.get(f"/partnerships/{pid}/tasks").get_json()["items"]
    assert [t["title"] for t in listed] == ["Call back"]
    with app.app_context():
        assert session.scalar(select(func.count()).select_from(Task)) == 1
    assert api.get("/partnerships/999999/tasks").status_code == 404
    assert api.patch("/tasks/999999", {"version": 1}).status_code == 404


def test_activity_with_participants_and_follow_up_tasks(app: Flask, api: Api) -> None:
    from tests.factories import make_partnership, make_person

    with app.app_context():
        pid = make_partnership().id
        mayor = make_person("Aleksander Saša Arsenovič").id
        session.commit()
    created = api.post(
        f"/partnerships/{pid}/activities",
        {
            "kind": "meeting",
            "occurred_at": "2026-02-13T10:00:00+01:00",
            "place": "Maribor",
            "participant_ids": [mayor],
            "follow_up_tasks": [{"title": "Send the minutes"}],
        },
    )
    assert created.status_code == 201
    body = created.get_json()
    assert body["occurred_at"] == "2026-02-13T09:00:00+00:00"
    assert body["participants"] == [{"id": mayor, "full_name": "Aleksander Saša Arsenovič"}]
    assert len(body["follow_up_task_ids"]) == 1
    assert api.get(f"/partnerships/{pid}/activities").get_json()["items"][0]["id"] == body["id"]

    naive = api.post(
        f"/partnerships/{pid}/activities", {"kind": "call", "occurred_at": "2026-02-13T10:00:00"}
    )
    assert naive.status_code == 422
    ghost = api.post(
        f"/partnerships/{pid}/activities",
        {"kind": "call", "occurred_at": "2026-02-13T10:00:00+01:00", "participant_ids": [999999]},
    )
    assert ghost.status_code == 422
    assert "participant_ids" in ghost.get_json()["error"]["fields"]


def test_people_and_organisations(api: Api) -> None:
    chamber = api.post(
        "/organisations",
        {
            "name": "Štajerska gospodarska zbornica",
            "kind": "chamber_of_commerce",
            "country": "SI",
            "website": "stajerska-gz.si",
        },
    )
    assert chamber.status_code == 201
    organisation = chamber.get_json()
    assert organisation["website"] == "https://stajerska-gz.si"
    person = api.post(
        "/people",
        {
            "full_name": "Aleksander Saša Arsenovič",
            "position": "Mayor",
            "organisation_id": organisation["id"],
            "email": "Mayor@Example.com",
            "phone": "+386 2 220 10 00",
            "country": "SI",
        },
    )
    assert person.status_code == 201
    body = person.get_json()
    assert body["phone"] == "+38622201000"
    assert body["organisation"] == {
        "id": organisation["id"],
        "name": "Štajerska gospodarska zbornica",
    }
    found = api.get("/people?q=arsenovic").get_json()["items"]
    assert [p["id"] for p in found] == [body["id"]]
    assert [o["id"] for o in api.get("/organisations?q=stajerska").get_json()["items"]] == [
        organisation["id"]
    ]
    patched = api.patch(
        f"/people/{body['id']}", {"version": body["version"], "organisation_id": None}
    )
    assert patched.get_json()["organisation"] is None
    assert patched.get_json()["position"] == "Mayor"
    assert api.patch(f"/people/{body['id']}", {"version": body["version"]}).status_code == 409


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/people", {"full_name": "X", "email": "not-an-email"}, "email"),
        ("/people", {"full_name": "X", "phone": "call me"}, "phone"),
        ("/people", {"full_name": ""}, "full_name"),
        ("/organisations", {"name": "X", "website": "javascript:alert(1)"}, "website"),
        ("/organisations", {"name": "X", "kind": "club"}, "kind"),
    ],
)
def test_bad_contacts_are_422(api: Api, path: str, body: dict, field: str) -> None:
    response = api.post(path, body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]


def test_delete_archives_the_pairing(app: Flask, api: Api) -> None:
    from tests.factories import make_partnership

    with app.app_context():
        pid = make_partnership().id
        session.commit()
    assert api.call("DELETE", f"/partnerships/{pid}").status_code == 204
    assert api.get(f"/partnerships/{pid}").status_code == 404
    assert api.call("DELETE", f"/partnerships/{pid}").status_code == 404


@pytest.mark.parametrize("week", ["2026-W54", "2026-W00", "2025-W53"])
def test_report_for_a_week_that_does_not_exist_is_422(api: Api, week: str) -> None:
    response = api.get(f"/reports/weekly/{week}")
    assert response.status_code == 422
