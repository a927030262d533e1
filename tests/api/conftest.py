from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from crm.auth.tokens import issue_token
from crm.db import session
from tests.factories import make_user


class Api:
    """The test client speaking JSON with a bearer token."""

    def __init__(self, client: FlaskClient, token: str, user_id: int) -> None:
        self.client = client
        self.token = token
        self.user_id = user_id

    def call(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        if body is not None:
            kwargs["json"] = body
        return self.client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.call("POST", path, body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.call("PATCH", path, body, **kwargs)


@pytest.fixture
def token_for(app: Flask) -> Callable[..., tuple[str, int]]:
    def issue(role: str = "officer", **overrides: Any) -> tuple[str, int]:
        with app.app_context():
            user = make_user(role=role, **overrides)
            _, secret = issue_token(user, "tests")
            session.commit()
            return secret, user.id

    return issue


@pytest.fixture
def api(client: FlaskClient, token_for: Callable[..., tuple[str, int]]) -> Api:
    secret, user_id = token_for("officer")
    return Api(client, secret, user_id)
