"""CSRF protection is on for every state change outside the tests' own convenience config."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from config import TestConfig
from crm import create_app
from crm.db import engine_for, session
from tests.factories import make_partnership, make_user


@pytest.fixture
def protected(app: Flask) -> Iterator[tuple[Flask, FlaskClient]]:
    guarded = create_app(TestConfig, DATABASE_URL=app.config["DATABASE_URL"], WTF_CSRF_ENABLED=True)
    with guarded.app_context():
        user = make_user()
        partnership = make_partnership(owner=user)
        session.commit()
        user_id, pid = user.get_id(), partnership.id
    client = guarded.test_client()
    with client.session_transaction() as cookie_session:
        cookie_session["_user_id"] = user_id
    guarded.config["pid"] = pid
    yield guarded, client
    engine_for(guarded).dispose()


@pytest.mark.parametrize(
    "url",
    [
        "/partnerships/new",
        "/partnerships/{pid}/stage",
        "/partnerships/{pid}/status",
        "/partnerships/{pid}/edit",
        "/localities/new",
        "/sectors",
        "/users/{pid}/handover",
        "/logout",
        "/language",
    ],
)
def test_posts_without_a_token_are_refused(protected: tuple[Flask, FlaskClient], url: str) -> None:
    guarded, client = protected
    response = client.post(url.format(pid=guarded.config["pid"]), data={"stage": "prospect"})
    assert response.status_code == 400
    assert "The form had expired" in response.get_data(as_text=True)


def test_htmx_posts_pass_with_the_header_token(protected: tuple[Flask, FlaskClient]) -> None:
    guarded, client = protected
    board = client.get("/board").get_data(as_text=True)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', board).group(1)
    response = client.post(
        f"/partnerships/{guarded.config['pid']}/stage",
        data={"stage": "exploratory_talks", "version": 1, "board_query": ""},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert response.status_code == 200
