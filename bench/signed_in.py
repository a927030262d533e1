"""The floor under every signed-in page: the real app, answering without doing a page's work.

Two routes that exist only in this benchmark target, on the app as deployed (its session
cookie, login check, security headers and gunicorn settings):

- `/bench/signed-in` answers the bare app's short string once the user is loaded: what any
  signed-in request costs before its page does anything;
- `/bench/cached-page` answers `BENCH_PAGE_BYTES` (the benchmark sets the pairing page's size)
  from memory after one small query: the best a whole-page cache could do, which must still
  load the user and ask the database whether anything changed since the page was kept.

Their throughput against bare Flask is what the issue's 10-20% targets are measured against.
"""

from __future__ import annotations

import os

from flask import Response
from flask_login import login_required
from sqlalchemy import select

from config import Config
from crm import create_app
from crm.db import session

PAGE_BYTES = int(os.environ.get("BENCH_PAGE_BYTES", "60000"))
# HTML-like text of the page's size; its content is irrelevant, its length is not.
PAGE = ("<p>twinning</p>\n" * (PAGE_BYTES // 16 + 1))[:PAGE_BYTES].encode()

app = create_app(Config)


@app.get("/bench/signed-in")
@login_required
def signed_in() -> str:
    return "twinning"


@app.get("/bench/cached-page")
@login_required
def cached_page() -> Response:
    session.execute(select(1)).scalar_one()  # stands for "has the data changed?"
    return Response(PAGE, mimetype="text/html")
