from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from crm import access
from crm.dashboard.views import render_dashboard
from crm.db import utcnow
from crm.partnerships import queries
from crm.partnerships.board import render_board
from crm.partnerships.cards import BoardCards, StageMenu
from crm.partnerships.stages import ordered_stages
from crm.tasks.dates import today_for
from crm.tasks.queries import overdue_counts

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
    offset = max(request.args.get("offset", 0, type=int) or 0, 0)
    cards = queries.column_cards(
        access.visible_partnerships(current_user), filters, stage, offset=offset, limit=limit + 1
    )
    return render_template(
        "partnerships/_more_cards.html",
        cards=cards[:limit],
        card=BoardCards(
            stage_menu=StageMenu(stages),
            overdue=overdue_counts((card.id for card in cards[:limit]), today_for(current_user)),
            board_query=urlencode(filters.as_query_args()),
            can_move=access.can_edit_pipeline(current_user),
            now=utcnow(),
        ),
        stage=stage,
        filters=filters,
        next_offset=offset + limit if len(cards) > limit else None,
    )
