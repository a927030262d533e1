"""The board's cards, written in Python: the same links as `url_for`, every value escaped, the
page's language, and the move form only for those who may move."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import Flask, url_for
from flask.testing import FlaskClient

from crm.db import session
from crm.partnerships.cards import BoardCards, StageMenu
from crm.partnerships.stages import ordered_stages
from crm.routing import LinkById
from tests.factories import make_locality, make_partnership

ENTERED = datetime(2026, 2, 9, 8, 30, tzinfo=UTC)


def write_card(*, can_move: bool, overdue: int = 0, language: str = "en") -> tuple[str, int]:
    """A card for a pairing whose title and places would break the page if not escaped."""
    a = make_locality('Maribor <b>"&"</b>', country_code="SI")
    b = make_locality("Kyzylorda Region", country_code="KZ")
    pairing = make_partnership(
        a, b, title='<script>alert("x")</script> & co', sectors=("education",)
    )
    pairing.stage_entered_at = ENTERED
    cards = BoardCards(
        stage_menu=StageMenu(ordered_stages()),
        overdue={pairing.id: overdue},
        board_query="sector=education&q=<x>",
        can_move=can_move,
        now=ENTERED + timedelta(days=12, hours=3),
    )
    return str(cards(pairing)), pairing.id


def test_a_card_escapes_every_value_and_links_like_url_for(app: Flask) -> None:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        card, pairing_id = write_card(can_move=True, overdue=2)
        show = url_for("partnerships.show", partnership_id=pairing_id)
        move = url_for("partnerships.move", partnership_id=pairing_id)
        session.rollback()
    assert "<script>" not in card and "<b>" not in card
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; co</a>" in card
    assert "Maribor &lt;b&gt;&#34;&amp;&#34;&lt;/b&gt;" in card
    assert f'<a class="card-title" href="{show}">' in card
    assert f'data-move-url="{move}"' in card and f'<form method="post" action="{move}">' in card
    assert "12 days in stage" in card
    assert 'title="In this stage since 9 Feb 2026, 09:30"' in card  # Ljubljana's winter time
    assert "2 overdue tasks" in card
    assert "<li>Education</li>" in card
    # The move form: the session's CSRF token, the version, the board's filters (escaped) and
    # the stages with the card's own selected.
    assert re.search(r'name="csrf_token" value="[^"]+"', card)
    assert 'name="board_query" value="sector=education&amp;q=&lt;x&gt;"' in card
    version = re.search(r'data-version="(\d+)"', card)
    assert version and f'name="version" value="{version[1]}"' in card
    assert f'<select id="move-{pairing_id}" name="stage">' in card
    assert '<option value="prospect" selected>Prospect</option>' in card


def test_a_card_without_the_right_to_move_has_no_form(app: Flask) -> None:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        card, _ = write_card(can_move=False)
        session.rollback()
    assert "<form" not in card and "csrf_token" not in card
    assert "overdue" not in card


def test_a_card_speaks_the_readers_language(app: Flask) -> None:
    with app.test_request_context(headers={"Accept-Language": "sl"}):
        card, _ = write_card(can_move=True)
        session.rollback()
    assert "12 dni v fazi" in card
    assert 'title="V tej fazi od ' in card
    assert "<li>Izobraževanje</li>" in card
    assert "<summary>Premakni" in card


def test_a_link_by_id_is_url_for(app: Flask) -> None:
    with app.test_request_context():
        show = LinkById("partnerships.show", "partnership_id")
        for record_id in (1, 42, 2_147_483_629, 10**12):
            assert show(record_id) == url_for("partnerships.show", partnership_id=record_id)


def test_a_rule_that_refuses_the_marker_is_built_by_url_for_each_time() -> None:
    small = Flask(__name__)
    small.add_url_rule("/few/<int(max=99):item_id>", "few", lambda item_id: "")
    with small.test_request_context():
        few = LinkById("few", "item_id")
        assert few(7) == "/few/7"


def test_the_board_page_shows_the_cards(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    with app.app_context():
        pairing = make_partnership(title="Maribor – Kyzylorda Region")
        pairing_id = pairing.id
        session.commit()
    login_as()
    page = client.get("/board").get_data(as_text=True)
    assert f'data-partnership-id="{pairing_id}"' in page
    assert ">Maribor – Kyzylorda Region</a>" in page
    assert f'id="move-{pairing_id}"' in page
