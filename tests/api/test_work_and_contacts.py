from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from crm.activities.models import Activity
from crm.contacts.models import Organisation
from crm.db import session
from crm.reports.weeks import IsoWeek
from crm.tasks.models import Task
from tests.api.conftest import Api
from tests.factories import make_organisation


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


OUT_OF_SPAN_MOMENTS = [
    # The ends of the calendar, east and west of UTC: storing them in UTC overflowed (a 500).
    "0001-01-01T00:00:00+05:00",
    "9999-12-31T23:59:59-05:00",
    "1899-06-30T12:00:00+00:00",
    "2201-06-30T12:00:00+00:00",
]
OUT_OF_SPAN_DAYS = ["0001-01-01", "9999-12-31", "1899-12-31", "2201-01-01"]


def written(app: Flask) -> tuple[int, int]:
    with app.app_context():
        return (
            session.scalar(select(func.count()).select_from(Activity)) or 0,
            session.scalar(select(func.count()).select_from(Task)) or 0,
        )


@pytest.mark.parametrize("occurred_at", OUT_OF_SPAN_MOMENTS)
def test_an_activity_outside_the_span_is_422_and_writes_nothing(
    app: Flask, api: Api, occurred_at: str
) -> None:
    from tests.factories import make_partnership

    with app.app_context():
        pid = make_partnership().id
        session.commit()
    response = api.post(
        f"/partnerships/{pid}/activities",
        {"kind": "meeting", "occurred_at": occurred_at, "follow_up_tasks": [{"title": "Call"}]},
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert "occurred_at" in error["fields"], error
    assert written(app) == (0, 0)


def test_an_activity_still_to_come_is_422_on_the_apis_own_field(app: Flask, api: Api) -> None:
    """Regression: the refusal named "occurred_on", the web form's field, not the API's."""
    from datetime import UTC, datetime, timedelta

    from tests.factories import make_partnership

    with app.app_context():
        pid = make_partnership().id
        session.commit()
    next_week = (datetime.now(UTC) + timedelta(days=7)).isoformat()
    response = api.post(
        f"/partnerships/{pid}/activities", {"kind": "visit", "occurred_at": next_week}
    )
    assert response.status_code == 422
    assert "still to come" in response.get_json()["error"]["fields"]["occurred_at"][0]
    assert written(app) == (0, 0)


@pytest.mark.parametrize("due_on", OUT_OF_SPAN_DAYS)
def test_a_due_date_outside_the_span_is_422_and_writes_nothing(
    app: Flask, api: Api, due_on: str
) -> None:
    from tests.factories import make_partnership

    with app.app_context():
        pid = make_partnership().id
        session.commit()
    task = api.post(f"/partnerships/{pid}/tasks", {"title": "Call"}).get_json()
    created = api.post(f"/partnerships/{pid}/tasks", {"title": "X", "due_on": due_on})
    patched = api.patch(f"/tasks/{task['id']}", {"version": task["version"], "due_on": due_on})
    follow_up = api.post(
        f"/partnerships/{pid}/activities",
        {
            "kind": "call",
            "occurred_at": "2026-02-13T10:00:00+01:00",
            "follow_up_tasks": [{"title": "X", "due_on": due_on}],
        },
    )
    for response, field in (
        (created, "due_on"),
        (patched, "due_on"),
        (follow_up, "follow_up_tasks.0.due_on"),
    ):
        assert response.status_code == 422
        assert field in response.get_json()["error"]["fields"]
    assert written(app) == (0, 1)
    listed = api.get(f"/partnerships/{pid}/tasks").get_json()["items"]
    assert [(t["version"], t["due_on"]) for t in listed] == [(task["version"], None)]


def test_a_follow_up_task_refused_by_a_rule_names_its_place_and_field(app: Flask, api: Api) -> None:
    """Regression: a follow-up refused by the task rules (not by the body's shape) came back
    with no field, so a client could not tell which task, or what in it, to mend."""
    from tests.factories import make_partnership, make_user

    with app.app_context():
        pid = make_partnership().id
        partner = make_user("partner").id  # may not be given tasks
        session.commit()
    response = api.post(
        f"/partnerships/{pid}/activities",
        {
            "kind": "meeting",
            "occurred_at": "2026-02-13T10:00:00+01:00",
            "follow_up_tasks": [
                {"title": "Send the minutes"},
                {"title": "Call", "assignee_id": partner},
            ],
        },
    )

    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert list(fields) == ["follow_up_tasks.1.assignee_id"]
    assert fields["follow_up_tasks.1.assignee_id"][0].startswith("Follow-up task 2: ")
    assert written(app) == (0, 0)


def test_a_likely_duplicate_person_is_a_409_until_confirmed(api: Api) -> None:
    """Regression: the API skipped the check the form makes, so the same person went in twice."""
    first = api.post("/people", {"full_name": "Aleksander Saša Arsenovič", "email": "m@x.si"})
    assert first.status_code == 201
    same_letters = api.post("/people", {"full_name": "Aleksander Sasa Arsenovic"})
    same_email = api.post("/people", {"full_name": "The Mayor", "email": "M@x.si"})
    for refused in (same_letters, same_email):
        assert refused.status_code == 409
        error = refused.get_json()["error"]
        assert error["fields"] == {"full_name": ["This may be someone already here."]}
        assert f"(/api/v1/people/{first.get_json()['id']})" in error["message"]
    assert len(api.get("/people").get_json()["items"]) == 1
    confirmed = api.post(
        "/people", {"full_name": "Aleksander Sasa Arsenovic", "create_anyway": True}
    )
    assert confirmed.status_code == 201
    assert len(api.get("/people").get_json()["items"]) == 2


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
    # A word of the name and a word of the e-mail address: each word anywhere.
    by_words = api.get("/people?q=arsenovic mayor@").get_json()["items"]
    assert [p["id"] for p in by_words] == [body["id"]]
    # By e-mail too, as the web list finds them (it did not).
    by_email = api.get("/people?q=mayor@example").get_json()["items"]
    assert [p["id"] for p in by_email] == [body["id"]]
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


@pytest.mark.parametrize(
    # The last four: beyond the span of years the CRM keeps, where the week's bounds in UTC
    # overflowed (a 500) at the calendar's ends.
    "week",
    ["2026-W54", "2026-W00", "2025-W53", "9999-W52", "0001-W01", "1899-W52", "2201-W01"],
)
def test_report_for_a_week_that_does_not_exist_is_422(api: Api, week: str) -> None:
    response = api.get(f"/reports/weekly/{week}")
    assert response.status_code == 422


def test_report_for_a_week_still_to_come_is_422_naming_the_week(api: Api) -> None:
    response = api.get("/reports/weekly/2200-W52")
    assert response.status_code == 422
    assert "2200-W52 has not begun yet" in response.get_json()["error"]["fields"]["iso_week"][0]


def test_the_report_takes_the_pages_filters(
    client: FlaskClient, api: Api, token_for: Callable[..., tuple[str, int]]
) -> None:
    """Regression: the filters were ignored, so ?sector=nope answered the whole register."""
    filtered = api.get(
        f"/reports/weekly/2026-W07?sector=education&country=si&owner_id={api.user_id}"
    )
    assert filtered.status_code == 200
    assert filtered.get_json()["filters"] == {
        "owner_id": api.user_id,
        "sector": "education",
        "country": "SI",
    }
    assert "sector" in api.get("/reports/weekly/2026-W07?sector=nope").get_json()["error"]["fields"]
    secret, _ = token_for("partner")
    partner = Api(client, secret, 0)
    real = partner.get(f"/reports/weekly/2026-W07?owner_id={api.user_id}")
    unknown = partner.get("/reports/weekly/2026-W07?owner_id=987654")
    # A partner has no owner filter: a real id is answered as one that does not exist.
    assert real.status_code == unknown.status_code == 422
    assert real.get_json()["error"]["message"] == f"There is no user “{api.user_id}”."
    assert list(real.get_json()["error"]["fields"]) == ["owner_id"]  # the API's own name
    assert unknown.get_json()["error"]["message"] == "There is no user “987654”."


def test_who_may_not_touch_a_task_is_refused_before_the_body_is_read(
    app: Flask, client: FlaskClient, api: Api, token_for: Callable[..., tuple[str, int]]
) -> None:
    """Regression: a viewer's PATCH without a version was a 422 (the body's fault) rather than
    the 403 of a write they may never make."""
    from tests.factories import make_partnership, make_task

    with app.app_context():
        task = make_task(make_partnership())
        session.commit()
        task_id = task.id
    secret, _ = token_for("viewer")
    viewer = Api(client, secret, 0)
    assert viewer.patch(f"/tasks/{task_id}", {"status": "done"}).status_code == 403
    assert viewer.patch(f"/tasks/{task_id}", {}).status_code == 403
    # Staff still get the body's own answer.
    assert api.patch(f"/tasks/{task_id}", {"status": "done"}).status_code == 422


@pytest.mark.parametrize("kind", ["people", "organisations"])
def test_who_may_not_edit_contacts_learns_no_ids_from_a_patch(
    app: Flask, client: FlaskClient, api: Api, token_for: Callable[..., tuple[str, int]], kind: str
) -> None:
    """Regression: a partner's PATCH of a real id was a 403 and of an unknown one a 404, which
    told them which contacts exist."""
    made = api.post(
        f"/{kind}",
        {"full_name": "Ana Novak"} if kind == "people" else {"name": "Chamber", "country": "SI"},
    )
    assert made.status_code == 201
    real_id = made.get_json()["id"]
    for role in ("partner", "viewer"):
        secret, _ = token_for(role)
        reader = Api(client, secret, 0)
        for record_id in (real_id, real_id + 1000):
            answer = reader.patch(f"/{kind}/{record_id}", {"version": 1, "notes": "x"})
            assert answer.status_code == 403, (role, record_id)


def test_a_second_organisation_of_a_name_in_a_country_is_422_on_the_name(
    api: Api, app: Flask
) -> None:
    with app.app_context():
        make_organisation("Kyzylorda Regional Akimat", country_code="KZ")
        session.commit()
    response = api.post("/organisations", {"name": "kyzylorda regional akimat", "country": "KZ"})
    assert response.status_code == 422
    assert "name" in response.get_json()["error"]["fields"]
    assert _organisation_count(app) == 1


def _organisation_count(app: Flask) -> int:
    with app.app_context():
        return session.scalar(select(func.count()).select_from(Organisation)) or 0
