"""The board's cards, written in Python.

A board shows 60 cards and a card is a dozen values, two links, a date and a move form. As a Jinja
include it cost some 0.2 ms a card (a fifth of the board's time at 100,000 pairings): every `_()`,
`url_for` and macro call goes through Jinja's runtime, and each card worked out again what is the
same for the whole page (the labels, the CSRF token, the links' shape). Here the page's part is
worked out once in `BoardCards` and each card is one f-string whose every value goes through
`escape`, like the fragments it is made of.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from crm.i18n.messages import gettext, ngettext
from crm.partnerships.fragments import NOTHING, locality, overdue_flag, sector_tags, status_badge
from crm.partnerships.models import Partnership, Stage
from crm.presentation import local_datetime
from crm.routing import LinkById


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


class BoardCards:
    """Writes the cards of one board page (or of one "show more")."""

    def __init__(
        self,
        *,
        stage_menu: StageMenu,
        overdue: Mapping[int, int],
        board_query: str,
        can_move: bool,
        now: datetime,
    ) -> None:
        self._stage_menu = stage_menu
        self._overdue = overdue
        self._now = now
        self._show_link = LinkById("partnerships.show", "partnership_id")
        self._move_link = LinkById("partnerships.move", "partnership_id")
        self._since = gettext("In this stage since %(date)s")
        self._move_form_start = (
            Markup(  # noqa: S704 (every value goes through escape)
                f'<input type="hidden" name="csrf_token" value="{escape(generate_csrf())}">'
                f'<input type="hidden" name="board_query" value="{escape(board_query)}">'
            )
            if can_move
            else None
        )
        self._move_label = escape(gettext("Move"))
        self._stage_label = escape(gettext("Stage"))

    def __call__(self, card: Partnership) -> Markup:
        move_url = escape(self._move_link(card.id))
        since = self._since % {"date": local_datetime(card.stage_entered_at)}
        days = ngettext(
            "%(num)d day in stage", "%(num)d days in stage", card.days_in_stage(self._now)
        )
        return Markup(  # noqa: S704 (every value goes through escape)
            f'<li class="card" data-partnership-id="{card.id}" data-version="{card.version}"'
            f' data-move-url="{move_url}">'
            f'<a class="card-title" href="{escape(self._show_link(card.id))}">'
            f"{escape(card.title)}</a>"
            f'<p class="card-places">{locality(card.locality_a)} · {locality(card.locality_b)}</p>'
            # Spaces where the template had line breaks: the badge and the flag sit inline.
            f"{status_badge(card)} {overdue_flag(self._overdue.get(card.id, 0))} "
            f"{sector_tags(card)}"
            f'<p class="card-meta"><span>{escape(card.owner.name)}</span> · '
            f'<span title="{escape(since)}">{escape(days)}</span></p>'
            f"{self._move_form(card, move_url)}</li>"
        )

    def _move_form(self, card: Partnership, move_url: Markup) -> Markup:
        if self._move_form_start is None:
            return NOTHING
        return Markup(  # noqa: S704 (every value goes through escape)
            f'<details class="card-move"><summary>{self._move_label}'
            f'<span class="visually-hidden"> {escape(card.title)}</span></summary>'
            f'<form method="post" action="{move_url}">{self._move_form_start}'
            f'<input type="hidden" name="version" value="{card.version}">'
            f'<label for="move-{card.id}">{self._stage_label}</label>'
            f'<select id="move-{card.id}" name="stage">'
            f"{self._stage_menu.options(card.stage_id)}</select>"
            f'<button type="submit" class="button small">{self._move_label}</button>'
            f"</form></details>"
        )
