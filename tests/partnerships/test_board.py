from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from crm.db import session
from crm.partnerships.models import Partnership, StageChange, Status
from crm.partnerships.services import change_status
from tests.factories import make_locality, make_partnership, make_user

HTMX = {"HX-Request": "true"}


def column_counts(page: str) -> dict[str, int]:
    return {
        key: int(count)
        for key, count in re.findall(
            r'<h2 id="column-(\w+)">[^<]*<span class="count" data-count>(\d+)</span>', page
        )
    }


@pytest.fixture
def board(app: Flask) -> dict[str, int]:
    with app.app_context():
        owner = make_user()
        water = make_partnership(owner=owner, sectors=("water-resources-management",))
        make_partnership(owner=owner, stage_key="exploratory_talks", sectors=("culture",))
        make_partnership(owner=owner, stage_key="exploratory_talks")
        held = make_partnership(owner=owner)
        change_status(held, Status.ON_HOLD, by=owner, expected_version=held.version)
        session.commit()
        return {"water": water.id, "water_version": water.version}


def test_board_counts_open_pairings_per_stage(
    client: FlaskClient, login_as: Callable[..., int], board: dict[str, int]
) -> None:
    login_as()
    page = client.get("/board").get_data(as_text=True)
    counts = column_counts(page)
    assert counts["prospect"] == 1  # the one on hold is not on the open board
    assert counts["exploratory_talks"] == 2
    assert counts["memorandum_signed"] == 0
    assert list(counts) == [
        "prospect",
        "exploratory_talks",
        "agreement_in_principle",
        "memorandum_drafting",
        "memorandum_review",
        "memorandum_signed",
    ]


def test_board_filters_like_the_list(
    client: FlaskClient, login_as: Callable[..., int], board: dict[str, int]
) -> None:
    login_as()
    counts = column_counts(client.get("/board?sector=culture").get_data(as_text=True))
    assert counts["exploratory_talks"] == 1
    assert counts["prospect"] == 0
    on_hold = column_counts(client.get("/board?status=on_hold").get_data(as_text=True))
    assert on_hold["prospect"] == 1


def test_dragging_a_card_returns_the_board_with_new_counts(
    app: Flask, client: FlaskClient, login_as: Callable[..., int], board: dict[str, int]
) -> None:
    login_as()
    response = client.post(
        f"/partnerships/{board['water']}/stage",
        data={
            "stage": "exploratory_talks",
            "version": board["water_version"],
            "board_query": "sector=",
        },
        headers=HTMX,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.startswith('<div id="board"')  # the partial, not a whole page
    assert "Moved" in page
    assert column_counts(page) == {**column_counts(page), "prospect": 0, "exploratory_talks": 3}
    with app.app_context():
        assert (
            session.scalar(select(func.count()).where(StageChange.partnership_id == board["water"]))
            == 2
        )


def test_a_board_query_that_decodes_to_a_nul_is_left_out(
    app: Flask, client: FlaskClient, login_as: Callable[..., int], board: dict[str, int]
) -> None:
    # "q=%00" holds no NUL until decoded; PostgreSQL then refused the search (a 500).
    login_as()
    response = client.post(
        f"/partnerships/{board['water']}/stage",
        data={
            "stage": "exploratory_talks",
            "version": board["water_version"],
            "board_query": "sector=culture&q=%00",
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Moved" in page
    assert 'name="board_query" value="sector=culture"' in page


def test_a_move_from_a_stale_board_is_a_409_with_the_current_board(
    app: Flask, client: FlaskClient, login_as: Callable[..., int], board: dict[str, int]
) -> None:
    login_as()
    stale = board["water_version"]
    client.post(
        f"/partnerships/{board['water']}/stage",
        data={"stage": "exploratory_talks", "version": stale, "board_query": ""},
        headers=HTMX,
    )

    response = client.post(
        f"/partnerships/{board['water']}/stage",
        data={"stage": "memorandum_drafting", "version": stale, "board_query": ""},
        headers=HTMX,
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone changed this record a moment ago" in page
    assert column_counts(page)["memorandum_drafting"] == 0
    with app.app_context():
        assert session.get(Partnership, board["water"]).stage.key == "exploratory_talks"


def test_the_plain_move_form_returns_to_the_filtered_board(
    client: FlaskClient, login_as: Callable[..., int], board: dict[str, int]
) -> None:
    login_as()
    response = client.post(
        f"/partnerships/{board['water']}/stage",
        data={
            "stage": "exploratory_talks",
            "version": board["water_version"],
            "board_query": "sector=water-resources-management",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/board?sector=water-resources-management"


@pytest.mark.parametrize(
    ("stage", "stale", "status", "message"),
    [
        ("memorandum_drafting", True, 409, "Someone changed this record a moment ago"),
        ("prospect", False, 422, "already at"),
    ],
)
def test_a_refused_plain_move_shows_the_whole_board_with_why(
    client: FlaskClient,
    login_as: Callable[..., int],
    board: dict[str, int],
    stage: str,
    stale: bool,
    status: int,
    message: str,
) -> None:
    """Without JavaScript the refusal is the board page itself (regression: it was a 500)."""
    login_as()
    if stale:
        client.post(
            f"/partnerships/{board['water']}/stage",
            data={"stage": "exploratory_talks", "version": board["water_version"]},
        )
    response = client.post(
        f"/partnerships/{board['water']}/stage",
        data={
            "stage": stage,
            "version": board["water_version"],
            "board_query": "sector=water-resources-management",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert message in page
    assert '<form class="filters" method="get" action="/board">' in page
    assert 'id="filter-sort"' not in page  # the board's filters, not the list's


def test_a_move_to_an_unknown_stage_is_refused(
    client: FlaskClient, login_as: Callable[..., int], board: dict[str, int]
) -> None:
    login_as()
    response = client.post(
        f"/partnerships/{board['water']}/stage",
        data={"stage": "signed_yesterday", "version": board["water_version"], "board_query": ""},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert "Choose a stage from the list." in response.get_data(as_text=True)


def test_a_full_column_shows_the_most_recent_cards_and_a_show_more(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    app.config["BOARD_COLUMN_LIMIT"] = 3
    try:
        with app.app_context():
            owner = make_user()
            hub = make_locality("Hub")
            titles = [make_partnership(hub, owner=owner).title for _ in range(5)]
            session.commit()
        login_as()
        page = client.get("/board").get_data(as_text=True)
        more = client.get("/board/columns/prospect?offset=3", headers=HTMX).get_data(as_text=True)
    finally:
        app.config["BOARD_COLUMN_LIMIT"] = 10
    assert column_counts(page)["prospect"] == 5
    assert all(title in page for title in titles[2:])  # the three most recent
    assert not any(title in page for title in titles[:2])
    assert "Show 2 more" in page
    assert all(title in more for title in titles[:2])
    assert "Show more" not in more
    # Regression: the next "show more" link's own address (without htmx) dropped the filters.
    app.config["BOARD_COLUMN_LIMIT"] = 1
    try:
        filtered = client.get("/board/columns/prospect?offset=1&country=SI", headers=HTMX).get_data(
            as_text=True
        )
    finally:
        app.config["BOARD_COLUMN_LIMIT"] = 10
    assert 'class="show-more" href="/partnerships?stage=prospect&amp;country=SI"' in filtered
    # The cards loaded by "show more" can be moved like the others: their menus list the stages.
    menus = re.findall(r'<select id="move-\d+" name="stage">(.*?)</select>', more, re.S)
    assert len(menus) == 2
    assert all(
        '<option value="prospect" selected>' in menu and 'value="memorandum_signed"' in menu
        for menu in menus
    )


def make_pipeline(app: Flask, size: int) -> None:
    with app.app_context():
        owners = [make_user() for _ in range(3)]
        stages = ["prospect", "exploratory_talks", "agreement_in_principle", "memorandum_signed"]
        for number in range(size):
            make_partnership(
                owner=owners[number % 3],
                stage_key=stages[number % 4],
                sectors=("education", "culture")[: number % 3],
            )
        session.commit()


@pytest.mark.parametrize(
    "url",
    [
        "/board",
        "/board?sector=education&q=town",
        "/partnerships",
        "/partnerships?sort=stage",
        "/partnerships/1",
        "/localities",
        "/board/columns/prospect?offset=2",
    ],
)
def test_statement_count_does_not_grow_with_the_pipeline(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., int],
    count_statements: Callable,
    url: str,
) -> None:
    app.config["BOARD_COLUMN_LIMIT"] = 5
    try:
        make_pipeline(app, 10)
        login_as()
        client.get(url)  # warm-up: the first request loads what every request would
        with count_statements() as small:
            assert client.get(url).status_code == 200
        make_pipeline(app, 190)
        with count_statements() as large:
            assert client.get(url).status_code == 200
    finally:
        app.config["BOARD_COLUMN_LIMIT"] = 10
    assert large.count == small.count, large.statements
