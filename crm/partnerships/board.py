"""Rendering the pipeline board, for its own page and as the answer to a move made on it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from urllib.parse import parse_qsl, urlencode

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from crm import access
from crm.db import utcnow
from crm.partnerships import queries
from crm.partnerships.cards import BoardCards, StageMenu
from crm.partnerships.filter_choices import filter_choices
from crm.partnerships.models import Stage
from crm.partnerships.stages import ordered_stages
from crm.tasks.dates import today_for
from crm.tasks.queries import overdue_counts


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
        "card": card_writer(stages, card_ids, filters),
        "filters": filters,
        "message": message,
        "message_category": category,
    }
    if partial:
        return render_template("partnerships/_board.html", **context), status
    return (
        render_template(
            "partnerships/board.html",
            on_board=True,
            choices=filter_choices(current_user, filters.owner_id),
            **context,
        ),
        status,
    )


def card_writer(
    stages: Sequence[Stage], card_ids: Iterable[int], filters: queries.PartnershipFilters
) -> BoardCards:
    """What writes the cards of a board page, or of a column's next ones, for the reader."""
    return BoardCards(
        stage_menu=StageMenu(stages),
        overdue=overdue_counts(card_ids, today_for(current_user)),
        board_query=urlencode(filters.as_query_args()),
        can_move=access.can_edit_pipeline(current_user),
        now=utcnow(),
    )


def answer_move_from_board(message: str, category: str, status: int) -> ResponseReturnValue:
    """htmx gets the board again, with the message; a plain form is sent back to the board."""
    # The card's hidden copy of the board's filters is decoded once more here, past the
    # request's NUL check: a filter holding one (never ours) is left out.
    board_args = {
        name: value
        for name, value in parse_qsl(request.form.get("board_query", "").lstrip("?"))
        if "\x00" not in name + value
    }
    filters = queries.filters_from(board_args)
    if request.headers.get("HX-Request"):
        return render_board(
            filters, partial=True, message=message, category=category, status=status
        )
    flash(message, category)
    if status >= 400:
        return render_board(filters, status=status)
    return redirect(url_for("board.index", **filters.as_query_args()))
