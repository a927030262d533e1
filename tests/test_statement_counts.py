"""Every key page of the benchmark runs a small, fixed number of SQL statements: at most
MAX_STATEMENTS, and the same number for a small register and for one three times the size with
twice the tasks and history per pairing. The data comes from the benchmark's own generator."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from bench.generate import Sizes, populate
from crm.auth.tokens import issue_token
from crm.db import Base, engine_for, session
from crm.models import User
from crm.partnerships.models import Partnership, Stage, Status
from crm.partnerships.stages import ensure_default_stages
from crm.sectors.services import ensure_default_sectors

MAX_STATEMENTS = 10
# Held below the target: the token with its user, the page of pairings with their localities,
# stage and owner joined, and the page's sectors.
API_MAX_STATEMENTS = {"api_list_200": 3}
SMALL = Sizes(
    pairings=20, localities=10, countries=5, stage_changes=200, tasks=200, people=40,
    activities=100, organisations=5, users=3,
)  # fmt: skip
LARGE = Sizes(
    pairings=60, localities=20, countries=5, stage_changes=1200, tasks=1200, people=120,
    activities=600, organisations=10, users=3,
)  # fmt: skip
PAGES = {
    "board_all": "/board",
    "board_sector": "/board?sector=education",
    "list_page1": "/partnerships",
    "list_deep_page": "/partnerships?page=2&sort=title",
    "list_search": "/partnerships?q=stajer",
    "search_box": "/search?q=draft",
    "search_box_words": "/search?q=the memo",
    "pairing_page": "/partnerships/{pairing}",
    "my_tasks": "/tasks/mine",
    "dashboard": "/",
    "report_html": "/reports/weekly",
    "report_pdf": "/reports/weekly?format=pdf",
    "api_list_200": "/api/v1/partnerships?limit=200",
    "stage_move": "POST /partnerships/{pairing}/stage",
}


def _reset(app: Flask) -> None:
    engine = engine_for(app)
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))  # noqa: S608 (our table names)
    with app.app_context():
        ensure_default_stages()
        ensure_default_sectors()
        session.commit()


def _measure(
    app: Flask, client: FlaskClient, count_statements: Callable, sizes: Sizes
) -> dict[str, int]:
    _reset(app)
    populate(engine_for(app), sizes)
    with app.app_context():
        user = session.get(User, 1)
        _, token = issue_token(user, "statements")
        last_stage = session.scalar(select(Stage.id).order_by(Stage.position.desc()).limit(1))
        pairing = session.scalar(
            select(Partnership)
            .where(
                Partnership.archived_at.is_(None),
                Partnership.status == Status.OPEN.value,
                Partnership.stage_id != last_stage,
            )
            .order_by(Partnership.id)
            .limit(1)
        )
        next_stage = session.scalar(
            select(Stage.key)
            .where(Stage.position > pairing.stage.position)
            .order_by(Stage.position)
        )
        pairing_id, version = pairing.id, pairing.version
        session_id = session.get(User, 1).get_id()
        session.commit()
    with client.session_transaction() as cookie_session:
        cookie_session["_user_id"] = session_id
        cookie_session["_fresh"] = True
    counts = {}
    for name, page in PAGES.items():
        url = page.format(pairing=pairing_id)
        headers = {"Authorization": f"Bearer {token}"} if "/api/" in url else {}
        if url.startswith("POST "):
            with count_statements() as counter:
                response = client.post(
                    url.removeprefix("POST "), data={"stage": next_stage, "version": version}
                )
            assert response.status_code == 302, name
        else:
            client.get(url, headers=headers)  # warm-up: what any first request loads once
            with count_statements() as counter:
                response = client.get(url, headers=headers)
            assert response.status_code == 200, name
        # SQLite's BEGIN is a statement of its own there, and none on PostgreSQL.
        counts[name] = sum(1 for sql in counter.statements if not sql.startswith("BEGIN"))
    return counts


def test_key_pages_run_few_statements_whatever_the_size(
    app: Flask, client: FlaskClient, count_statements: Callable
) -> None:
    small = _measure(app, client, count_statements, SMALL)
    large = _measure(app, client, count_statements, LARGE)
    assert large == small
    too_many = {
        name: count
        for name, count in small.items()
        if count > API_MAX_STATEMENTS.get(name, MAX_STATEMENTS)
    }
    assert too_many == {}


@pytest.mark.parametrize("sizes", [SMALL])
def test_the_generated_history_ends_where_each_pairing_stands(app: Flask, sizes: Sizes) -> None:
    _reset(app)
    populate(engine_for(app), sizes)
    with app.app_context():
        for partnership in session.scalars(select(Partnership)):
            last = partnership.stage_changes[0]  # newest first
            assert (last.to_stage_id, last.to_status) == (
                partnership.stage_id,
                partnership.status,
            )
            assert partnership.version == len(partnership.stage_changes)
