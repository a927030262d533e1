from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from crm import access
from crm.dashboard.views import render_dashboard
from crm.partnerships import queries
from crm.partnerships.board import card_writer, render_board
from crm.partnerships.stages import ordered_stages
from crm.routing import number_arg

bp = Blueprint("board", __name__)


@bp.get("/")
@login_required
def home() -> ResponseReturnValue:
    """The dashboard: the first page after login."""
    return render_dashboard(current_user)


@bp.get("/board")
@login_required
def index() -> ResponseReturnValue:
    return render_board(queries.filters_from(request.args))


@bp.get("/board/columns/<stage_key>")
@login_required
def more_cards(stage_key: str) -> ResponseReturnValue:
    """The next cards of one column (htmx "show more")."""
    # All the stages, for the cards' move menus (it had none); the column's is among them.
    stages = ordered_stages()
    stage = next((stage for stage in stages if stage.key == stage_key), None)
    if stage is None:
        abort(404)
    filters = queries.filters_from(request.args)
    limit = current_app.config["BOARD_COLUMN_LIMIT"]
    offset = number_arg("offset", 0, least=0)
    cards = queries.column_cards(
        access.visible_partnerships(current_user), filters, stage, offset=offset, limit=limit + 1
    )
    return render_template(
        "partnerships/_more_cards.html",
        cards=cards[:limit],
        card=card_writer(stages, (card.id for card in cards[:limit]), filters),
        stage=stage,
        filters=filters,
        next_offset=offset + limit if len(cards) > limit else None,
    )
