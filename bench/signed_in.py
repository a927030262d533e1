"""The floor under every signed-in page: the real app, answering without doing a page's work.

Two routes that exist only in this benchmark target, on the app as deployed (its session
cookie, login check, security headers and gunicorn settings):

- `/bench/signed-in` answers the bare app's short string once the user is loaded: what any
  signed-in request costs before its page does anything;
- `/bench/cached-page` answers `BENCH_PAGE_BYTES` (the benchmark sets the pairing page's size)
  from memory after one small query: the best a whole-page cache could do, which must still
  load the user and ask the database whether anything changed since the page was kept.

Their throughput against bare Flask is what the issue's 10-20% targets are measured against.
gunicorn serves `bench.signed_in:floor_app()`; the benchmark adds the same routes to its
in-process app to count their statements.
"""

from __future__ import annotations

import os

from flask import Flask, Response
from flask_login import login_required
from sqlalchemy import select

from config import Config
from crm import create_app
from crm.db import session

DEFAULT_PAGE_BYTES = 60_000


def add_floors(app: Flask, page_bytes: int = DEFAULT_PAGE_BYTES) -> Flask:
    # HTML-like text of the page's size; its content is irrelevant, its length is not.
    page = ("<p>twinning</p>\n" * (page_bytes // 16 + 1))[:page_bytes].encode()

    @app.get("/bench/signed-in")
    @login_required
    def signed_in() -> str:
        return "twinning"

    @app.get("/bench/cached-page")
    @login_required
    def cached_page() -> Response:
        session.execute(select(1)).scalar_one()  # stands for "has the data changed?"
        return Response(page, mimetype="text/html")

    return app


def floor_app() -> Flask:
    """The served app (its configuration from the environment, as `app.py`'s)."""
    return add_floors(
        create_app(Config), int(os.environ.get("BENCH_PAGE_BYTES", DEFAULT_PAGE_BYTES))
    )
