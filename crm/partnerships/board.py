"""Rendering the pipeline board, for its own page and as the answer to a move made on it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from markupsafe import Markup, escape

from crm import access
from crm.partnerships import queries
from crm.partnerships.models import Stage
from crm.partnerships.stages import ordered_stages
from crm.sectors.services import all_sectors
from crm.tasks.dates import today_for
from crm.tasks.queries import overdue_counts


@dataclass(frozen=True)
class StageOption:
    """A stage as a card's move menu shows it: its name worked out once per page, not once per
    card (a translated name costs a catalogue lookup; 180 cards × 6 stages added up)."""

    id: int
    key: str
    name: str


class StageMenu:
    """A card's move menu: the stages as options, the card's own one selected. Written once per
    stage a card can be at rather than once per card (60 cards × 6 options in Jinja were a sixth
    of the Python calls that render the board)."""

    def __init__(self, stages: Sequence[Stage]) -> None:
        self.stages = [StageOption(stage.id, stage.key, stage.name) for stage in stages]
        self._options: dict[int, Markup] = {}

    def options(self, selected_id: int) -> Markup:
        if selected_id not in self._options:
            self._options[selected_id] = Markup(  # noqa: S704 (every value goes through escape)
                "".join(
                    f'<option value="{escape(stage.key)}" '
                    f"{'selected' if stage.id == selected_id else ''}>{escape(stage.name)}</option>"
                    for stage in self.stages
                )
            )
        return self._options[selected_id]


def render_board(
    filters: queries.PartnershipFilters,
    *,
    partial: bool = False,
    message: str | None = None,
    category: str = "info",
    status: int = 200,
) -> ResponseReturnValue:
    stages = ordered_stages()
    columns = queries.board_columns(
        access.visible_partnerships(current_user),
        filters,
        stages,
        per_column=current_app.config["BOARD_COLUMN_LIMIT"],
    )
    card_ids = [card.id for column in columns for card in column.cards]
    context = {
        "columns": columns,
        "overdue": overdue_counts(card_ids, today_for(current_user)),
        "filters": filters,
        "stage_menu": StageMenu(stages),
        "board_query": urlencode(filters.as_query_args()),
        "message": message,
        "message_category": category,
    }
    if partial:
        return render_template("partnerships/_board.html", **context), status
    return (
        render_template(
            "partnerships/board.html",
            sectors=all_sectors(),
            owners=access.owner_choices(current_user),
            **context,
        ),
        status,
    )


def answer_move_from_board(message: str, category: str, status: int) -> ResponseReturnValue:
    """htmx gets the board again, with the message; a plain form is sent back to the board."""
    board_args = dict(parse_qsl(request.form.get("board_query", "").lstrip("?")))
    filters = queries.filters_from(board_args)
    if request.headers.get("HX-Request"):
        return render_board(
            filters, partial=True, message=message, category=category, status=status
        )
    flash(message, category)
    if status >= 400:
        return render_board(filters, status=status)
    return redirect(url_for("board.index", **filters.as_query_args()))
