"""Bodies sent without a Content-Length (chunked transfer encoding) keep the size limit too.

The WSGI server takes the chunks apart and says so with `wsgi.input_terminated`; the app then
has only the stream to count. A body over the limit used to be read up to the limit and no
further, quietly: the JSON cut short was a 400 "not valid JSON", a form a 422 or a CSRF 400.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from crm.db import session
from crm.localities.models import Locality
from tests.api.conftest import Api
from tests.api.conftest import api as api
from tests.api.conftest import token_for as token_for

LIMIT = 2 * 1024 * 1024


def post_chunked(
    client: FlaskClient,
    url: str,
    body: bytes,
    content_type: str,
    headers: dict[str, str] | None = None,
) -> TestResponse:
    """Post as a WSGI server hands on a chunked request: the length unknown, the input
    terminated by the server (werkzeug's and gunicorn's both set `wsgi.input_terminated`)."""
    return client.post(
        url,
        input_stream=io.BytesIO(body),
        content_type=content_type,
        headers={"Transfer-Encoding": "chunked", **(headers or {})},
        environ_overrides={"wsgi.input_terminated": True},
    )


def locality_count(app: Flask) -> int:
    with app.app_context():
        return session.scalar(select(func.count()).select_from(Locality)) or 0


def test_a_chunked_form_over_the_limit_is_a_413_like_one_with_a_content_length(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as("officer")
    body = b"country_code=SI&kind=city&name=" + b"x" * (3 * 1024 * 1024)
    form = "application/x-www-form-urlencoded"
    with_length = client.post("/localities/new", data=body, content_type=form)
    chunked = post_chunked(client, "/localities/new", body, form)
    assert with_length.status_code == chunked.status_code == 413
    assert "What you sent is too large." in chunked.get_data(as_text=True)
    assert locality_count(app) == 0


def test_a_chunked_api_body_over_the_limit_is_a_413_with_the_same_message(
    app: Flask, client: FlaskClient, api: Api
) -> None:
    body = json.dumps({"name": "x" * (3 * 1024 * 1024), "country": "SI"}).encode()
    headers = {"Authorization": f"Bearer {api.token}"}
    with_length = client.post(
        "/api/v1/localities", data=body, content_type="application/json", headers=headers
    )
    chunked = post_chunked(client, "/api/v1/localities", body, "application/json", headers=headers)
    assert with_length.status_code == chunked.status_code == 413
    assert chunked.get_json() == with_length.get_json()
    assert chunked.get_json()["error"]["code"] == "too_large"
    assert locality_count(app) == 0


def test_a_chunked_body_of_exactly_the_limit_is_read_whole(client: FlaskClient, api: Api) -> None:
    start = json.dumps({"name": "Ptuj", "country": "SI", "kind": "city"}).encode()
    body = start + b" " * (LIMIT - len(start))
    assert len(body) == LIMIT
    headers = {"Authorization": f"Bearer {api.token}"}
    response = post_chunked(client, "/api/v1/localities", body, "application/json", headers=headers)
    assert response.status_code == 201
    assert response.get_json()["name"] == "Ptuj"
