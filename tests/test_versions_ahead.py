"""A version higher than the record's own: no page or read the app gave out carries it, so it is
a broken or tampered request, refused as one without its version is (a 400 or a 422 with "This
form arrived incomplete", a 422 from the API), never the 409 of a page drawn before a change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from crm.activities.models import Activity
from crm.auth.models import User
from crm.auth.tokens import issue_token
from crm.contacts.models import Organisation, PartnershipRole, Person
from crm.db import session
from crm.localities.models import Locality
from crm.partnerships.models import Partnership, Sector, Stage, StageChange
from crm.sectors.services import sector_by_slug
from crm.tasks.models import Task
from tests.api.conftest import Api
from tests.factories import (
    make_activity,
    make_locality,
    make_organisation,
    make_partnership,
    make_person,
    make_role,
    make_task,
    make_user,
)

AHEAD = 5
INCOMPLETE = "This form arrived incomplete; load the page again and redo the change."
STALE = "Someone changed"
VERSIONED = (Partnership, Locality, Task, Person, Organisation, PartnershipRole, Activity)


@pytest.fixture
def world(app: Flask, login_as: Callable[..., int]) -> dict[str, Any]:
    admin_id = login_as("admin")
    with app.app_context():
        admin = session.get(User, admin_id)
        maribor = make_locality("Maribor")
        graz = make_locality("Graz", country_code="AT")
        pairing = make_partnership(maribor, graz, owner=admin, sectors=("culture",))
        task = make_task(pairing, title="Call the mayor")
        organisation = make_organisation("Chamber of Maribor", country_code="SI")
        person = make_person("Ana Novak", email="ana@example.com")
        duplicate = make_person("Ana Novak", email="ana.novak@example.com")
        role = make_role(pairing, person)
        activity = make_activity(pairing, participants=(person,))
        session.commit()
        culture, tourism = sector_by_slug("culture"), sector_by_slug("tourism")
        prospect = session.scalars(select(Stage).where(Stage.key == "prospect")).one()
        records = {
            "admin": admin,
            "maribor": maribor,
            "graz": graz,
            "pairing": pairing,
            "task": task,
            "organisation": organisation,
            "person": person,
            "duplicate": duplicate,
            "role": role,
            "activity": activity,
            "culture": culture,
            "tourism": tourism,
            "prospect": prospect,
        }
        return {
            **{name: record.id for name, record in records.items()},
            **{f"{name}_v": getattr(record, "version", 0) for name, record in records.items()},
        }


def snapshot(app: Flask) -> tuple[Any, ...]:
    """Every record's id and version (a soft delete or an archive moves it, a delete or a merge
    of sectors takes the row away) and the history's length."""
    with app.app_context():
        rows = [
            tuple(session.execute(select(model.id, model.version).order_by(model.id)))
            for model in (*VERSIONED, Sector, Stage)
        ]
        history = session.scalar(select(func.count()).select_from(StageChange))
        return (*rows, history)


Post = tuple[str, dict[str, Any], dict[str, str]]


def pairing_edit(w: dict[str, Any], ahead: int) -> Post:
    data = {
        "locality_a_id": w["maribor"],
        "locality_b_id": w["graz"],
        "owner_id": w["admin"],
        "title": "Maribor and Graz",
        "sector_ids": [w["culture"]],
        "summary": "",
        "version": w["pairing_v"] + ahead,
    }
    return f"/partnerships/{w['pairing']}/edit", data, {}


def stage_move(w: dict[str, Any], ahead: int) -> Post:
    data = {"stage": "exploratory_talks", "note": "", "version": w["pairing_v"] + ahead}
    return f"/partnerships/{w['pairing']}/stage", data, {}


def board_move(w: dict[str, Any], ahead: int) -> Post:
    url, data, _ = stage_move(w, ahead)
    return url, {**data, "board_query": ""}, {"HX-Request": "true"}


def status_change(w: dict[str, Any], ahead: int) -> Post:
    data = {"status": "on_hold", "note": "", "version": w["pairing_v"] + ahead}
    return f"/partnerships/{w['pairing']}/status", data, {}


def archive(w: dict[str, Any], ahead: int) -> Post:
    return f"/partnerships/{w['pairing']}/archive", {"version": w["pairing_v"] + ahead}, {}


def locality_edit(w: dict[str, Any], ahead: int) -> Post:
    data = {
        "name": "Maribor",
        "name_en": "Marburg",
        "kind": "city",
        "country_code": "SI",
        "subdivision_code": "",
        "version": w["maribor_v"] + ahead,
    }
    return f"/localities/{w['maribor']}/edit", data, {}


def task_edit(w: dict[str, Any], ahead: int) -> Post:
    data = {"title": "Call the mayor back", "priority": "normal", "assignee_id": 0}
    return f"/tasks/{w['task']}/edit", {**data, "version": w["task_v"] + ahead}, {}


def person_edit(w: dict[str, Any], ahead: int) -> Post:
    data = {"full_name": "Ana Novak-Kos", "organisation_id": 0, "country_code": ""}
    return f"/people/{w['person']}/edit", {**data, "version": w["person_v"] + ahead}, {}


def person_delete(w: dict[str, Any], ahead: int) -> Post:
    return f"/people/{w['person']}/delete", {"version": w["person_v"] + ahead}, {}


def merge_survivor(w: dict[str, Any], ahead: int) -> Post:
    data = {
        "other_id": f"{w['duplicate']}:{w['duplicate_v']}",
        "version": w["person_v"] + ahead,
    }
    return f"/people/{w['person']}/merge", data, {}


def merge_duplicate(w: dict[str, Any], ahead: int) -> Post:
    data = {
        "other_id": f"{w['duplicate']}:{w['duplicate_v'] + ahead}",
        "version": w["person_v"],
    }
    return f"/people/{w['person']}/merge", data, {}


def organisation_edit(w: dict[str, Any], ahead: int) -> Post:
    data = {"name": "Chamber", "kind": "chamber_of_commerce", "country_code": "SI"}
    data |= {"version": w["organisation_v"] + ahead}
    return f"/organisations/{w['organisation']}/edit", data, {}


def organisation_delete(w: dict[str, Any], ahead: int) -> Post:
    url = f"/organisations/{w['organisation']}/delete"
    return url, {"version": w["organisation_v"] + ahead}, {}


def role_remove(w: dict[str, Any], ahead: int) -> Post:
    url = f"/partnerships/{w['pairing']}/people/{w['role']}/remove"
    return url, {"version": w["role_v"] + ahead}, {}


def activity_edit(w: dict[str, Any], ahead: int) -> Post:
    data = {
        "kind": "visit",
        "occurred_on": "2026-02-14",
        "occurred_time": "15:30",
        "place": "Graz",
        "participant_ids": [w["person"]],
        "summary": "",
        "version": w["activity_v"] + ahead,
    }
    return f"/activities/{w['activity']}/edit", data, {}


def activity_delete(w: dict[str, Any], ahead: int) -> Post:
    return f"/activities/{w['activity']}/delete", {"version": w["activity_v"] + ahead}, {}


def sector_rename(w: dict[str, Any], ahead: int) -> Post:
    s = w["tourism"]
    data = {f"rename-{s}-name": "Sports tourism", f"rename-{s}-version": w["tourism_v"] + ahead}
    return f"/sectors/{s}/rename", data, {}


def sector_merge(w: dict[str, Any], ahead: int) -> Post:
    s = w["tourism"]
    data = {
        f"merge-{s}-into": f"{w['culture']}:{w['culture_v']}",
        f"merge-{s}-version": w["tourism_v"] + ahead,
    }
    return f"/sectors/{s}/merge", data, {}


def sector_merge_target(w: dict[str, Any], ahead: int) -> Post:
    s = w["tourism"]
    data = {
        f"merge-{s}-into": f"{w['culture']}:{w['culture_v'] + ahead}",
        f"merge-{s}-version": w["tourism_v"],
    }
    return f"/sectors/{s}/merge", data, {}


def stage_rename(w: dict[str, Any], ahead: int) -> Post:
    s = w["prospect"]
    data = {f"rename-{s}-name": "Long list", f"rename-{s}-version": w["prospect_v"] + ahead}
    return f"/stages/{s}/rename", data, {}


# Each form, and what it answers a version ahead with: what it answers one without its version
# (a 400 where a missing version is a broken post, a 422 where the form is shown again).
FORMS: dict[str, tuple[Callable[[dict[str, Any], int], Post], int, str | None]] = {
    "pairing edit": (pairing_edit, 422, INCOMPLETE),
    "stage move": (stage_move, 422, INCOMPLETE),
    "stage move from the board": (board_move, 422, INCOMPLETE),
    "status change": (status_change, 422, INCOMPLETE),
    "pairing delete": (archive, 400, INCOMPLETE),
    "locality edit": (locality_edit, 422, INCOMPLETE),
    "task edit": (task_edit, 422, INCOMPLETE),
    "person edit": (person_edit, 422, INCOMPLETE),
    "person delete": (person_delete, 400, INCOMPLETE),
    "person merge, the survivor's version": (merge_survivor, 400, INCOMPLETE),
    "person merge, the duplicate's version": (merge_duplicate, 422, INCOMPLETE),
    "organisation edit": (organisation_edit, 422, INCOMPLETE),
    "organisation delete": (organisation_delete, 400, INCOMPLETE),
    "role remove": (role_remove, 400, INCOMPLETE),
    "meeting edit": (activity_edit, 422, INCOMPLETE),
    "meeting delete": (activity_delete, 400, INCOMPLETE),
    "sector rename": (sector_rename, 400, INCOMPLETE),
    "sector merge": (sector_merge, 400, INCOMPLETE),
    # The option's value is no option's: the choices refuse it, as they did before.
    "sector merge, the target's version": (sector_merge_target, 422, None),
    "stage rename": (stage_rename, 400, INCOMPLETE),
}


@pytest.mark.parametrize("case", list(FORMS))
def test_a_form_with_a_version_ahead_is_a_broken_form_not_a_conflict(
    app: Flask, client: FlaskClient, world: dict[str, Any], case: str
) -> None:
    """Regression: a version above the record's was "Someone changed this record a moment ago"
    with a 409, though nobody had: the record never had that version, so no page gave it."""
    post, status, message = FORMS[case]
    url, data, headers = post(world, AHEAD)
    before = snapshot(app)

    response = client.post(url, data=data, headers=headers)

    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert STALE not in page
    if message:
        assert message in page
    assert snapshot(app) == before
    # The same form with the record's own version goes through: the version alone was wrong.
    url, data, headers = post(world, 0)
    assert client.post(url, data=data, headers=headers).status_code in (200, 302)
    assert snapshot(app) != before


@pytest.fixture
def api(app: Flask, client: FlaskClient, world: dict[str, Any]) -> Api:
    with app.app_context():
        user = make_user(role="admin")
        _, secret = issue_token(user, "tests")
        session.commit()
        return Api(client, secret, user.id)


@pytest.mark.parametrize(
    ("path", "record", "body"),
    [
        ("/partnerships/{pairing}", "pairing", {"title": "Maribor and Graz"}),
        ("/partnerships/{pairing}/stage-changes", "pairing", {"stage": "exploratory_talks"}),
        ("/localities/{maribor}", "maribor", {"name_en": "Marburg"}),
        ("/tasks/{task}", "task", {"title": "Call the mayor back"}),
        ("/tasks/{task}", "task", {"status": "done"}),
        ("/people/{person}", "person", {"position": "Mayor"}),
        ("/organisations/{organisation}", "organisation", {"city": "Maribor"}),
    ],
)
def test_an_api_version_ahead_is_a_422_on_the_version_not_a_conflict(
    app: Flask, api: Api, world: dict[str, Any], path: str, record: str, body: dict[str, Any]
) -> None:
    """Regression: the API said "The version you sent is stale: someone changed this since."
    with a 409 for a version the record never had, which no read of it gave."""
    url = path.format(**world)
    send = api.post if url.endswith("stage-changes") else api.patch
    before = snapshot(app)

    response = send(url, {**body, "version": world[f"{record}_v"] + AHEAD})

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert "stale" not in error["message"]
    assert list(error["fields"]) == ["version"]
    assert snapshot(app) == before
    assert send(url, {**body, "version": world[f"{record}_v"]}).status_code in (200, 201)
