"""The benchmark signs in as a browser would: the pages it times do not spend their time signing
a new session cookie for every response."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask

from bench import run
from bench.generate import populate
from crm.db import engine_for
from tests.test_bench_generator import SIZES


def test_the_bench_cookie_is_not_set_again_by_the_pages(app: Flask) -> None:
    populate(engine_for(app), SIZES, today=date(2026, 2, 25))
    credentials = run._credentials(app)
    client = app.test_client()
    headers = credentials.headers()
    # The cookie a cell sends; each response is checked, so a new cookie would show at once.
    client.set_cookie("session", headers.pop("Cookie").removeprefix("session="))
    for path in ("/", "/board", "/tasks/mine"):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.headers.get("Location"))
        assert not any(
            header.startswith("session=") for header in response.headers.getlist("Set-Cookie")
        ), path


def test_a_stale_session_cookie_stops_the_benchmark() -> None:
    with pytest.raises(RuntimeError, match="new session cookie"):
        run._refuse_new_session_cookie("/", ["session=abc; HttpOnly; Path=/"])
    run._refuse_new_session_cookie("/", ["language=sl; Path=/"])
