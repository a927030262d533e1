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
        prospect, version = stage_by_key("prospect").id, stage_by_key("prospect").version
    response = client.post(
        f"/stages/{prospect}/rename",
        data={f"rename-{prospect}-name": "Identified", f"rename-{prospect}-version": version},
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


def test_a_rename_from_a_stale_page_is_a_409_and_keeps_the_other_admins_name(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    """Regression: two admins renaming the same stage at once each saved over the other unseen;
    the stage had no version to tell a stale page by."""
    login_as("admin")
    with app.app_context():
        stage = stage_by_key("prospect")
        prospect, version = stage.id, stage.version
    page = client.get("/stages").get_data(as_text=True)
    assert f'name="rename-{prospect}-version" value="{version}"' in page
    first = {f"rename-{prospect}-name": "Identified", f"rename-{prospect}-version": version}
    assert client.post(f"/stages/{prospect}/rename", data=first).status_code == 302

    second = {f"rename-{prospect}-name": "Long list", f"rename-{prospect}-version": version}
    stale = client.post(f"/stages/{prospect}/rename", data=second)

    assert stale.status_code == 409
    body = stale.get_data(as_text=True)
    assert "Someone changed this record a moment ago" in body
    # The page shows what the other admin made of it, with the version to rename it again from.
    assert 'value="Identified"' in body
    assert f'name="rename-{prospect}-version" value="{version + 1}"' in body
    assert stage_names(app)[0] == "Identified"
    # A post without its version is a broken form, not a stale one; it writes nothing either.
    incomplete = client.post(f"/stages/{prospect}/rename", data={f"rename-{prospect}-name": "X"})
    assert incomplete.status_code == 400
    assert "This form arrived incomplete" in incomplete.get_data(as_text=True)
    assert stage_names(app)[0] == "Identified"
    again = {f"rename-{prospect}-name": "Long list", f"rename-{prospect}-version": version + 1}
    assert client.post(f"/stages/{prospect}/rename", data=again).status_code == 302
    assert stage_names(app)[0] == "Long list"


def test_a_stage_added_before_another_moves_its_version(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    """A stage shifted one place on has changed: a rename form showing its old place is stale."""
    login_as("admin")
    with app.app_context():
        review = stage_by_key("memorandum_review")
        review_id, version = review.id, review.version
    assert client.post("/stages", data={"name": "Site visit", "after": 0}).status_code == 302
    with app.app_context():
        assert stage_by_key("memorandum_review").version == version + 1
    form = {f"rename-{review_id}-name": "Review", f"rename-{review_id}-version": version}
    assert client.post(f"/stages/{review_id}/rename", data=form).status_code == 409
