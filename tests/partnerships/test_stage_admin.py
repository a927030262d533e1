from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from crm.db import session
from crm.partnerships.models import Stage
from crm.partnerships.stages import stage_by_key


def stage_names(app: Flask) -> list[str]:
    with app.app_context():
        return list(session.scalars(select(Stage.name).order_by(Stage.position)))


def test_admin_renames_a_stage_and_its_key_stays(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as("admin")
    with app.app_context():
        prospect = stage_by_key("prospect").id
    response = client.post(
        f"/stages/{prospect}/rename", data={f"rename-{prospect}-name": "Identified"}
    )
    assert response.status_code == 302
    assert stage_names(app)[0] == "Identified"
    with app.app_context():
        assert stage_by_key("prospect").name == "Identified"


def test_admin_adds_a_stage_between_two_others(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as("admin")
    with app.app_context():
        review = stage_by_key("memorandum_review").id
    response = client.post("/stages", data={"name": "Council ratification", "after": review})
    assert response.status_code == 302
    assert stage_names(app)[4:] == [
        "Memorandum under review",
        "Council ratification",
        "Memorandum signed",
    ]
    with app.app_context():
        assert stage_by_key("council_ratification") is not None


def test_officers_may_not_change_stages(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as("officer")
    assert client.post("/stages", data={"name": "X", "after": 0}).status_code == 403
    assert len(stage_names(app)) == 6
