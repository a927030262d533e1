"""The benchmark's synthetic register holds what the services would have written: where each
pairing stands, its signing date and when it was last active follow from its history and its
timeline by the services' own rules."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from flask import Flask
from sqlalchemy import func, select

from bench.generate import Sizes, populate
from crm.activities.models import Activity, ActivityKind
from crm.db import engine_for, session
from crm.partnerships.models import Partnership, StageChange
from crm.partnerships.stages import SIGNED_STAGE_KEY, stage_by_key

SIZES = Sizes(
    pairings=200, localities=40, countries=5, stage_changes=4000, tasks=200, people=100,
    activities=1000, organisations=5, users=3,
)  # fmt: skip


def test_the_generated_pairings_follow_their_history_and_timeline(app: Flask) -> None:
    populate(engine_for(app), SIZES, today=date(2026, 2, 25))
    with app.app_context():
        signed = stage_by_key(SIGNED_STAGE_KEY)
        assert signed is not None
        last_move = dict(
            session.execute(
                select(StageChange.partnership_id, func.max(StageChange.changed_at)).group_by(
                    StageChange.partnership_id
                )
            ).all()
        )
        last_contact = dict(
            session.execute(
                select(Activity.partnership_id, func.max(Activity.occurred_at))
                .where(Activity.kind != ActivityKind.NOTE.value)
                .group_by(Activity.partnership_id)
            ).all()
        )
        pairings = session.execute(
            select(
                Partnership.id,
                Partnership.stage_id,
                Partnership.signed_on,
                Partnership.last_activity_at,
            )
        ).all()

    def latest(*moments: datetime | None) -> datetime:
        return max(moment for moment in moments if moment is not None)

    assert len(pairings) == SIZES.pairings
    # Some pairings were made active by their timeline rather than by a move.
    assert any(last_contact.get(pid, last_move[pid]) > last_move[pid] for pid, *_ in pairings)
    for pid, stage_id, signed_on, last_active in pairings:
        assert last_active == latest(last_move[pid], last_contact.get(pid)), pid
        # Reaching *signed* dates the signing; moving back from it takes that date back.
        assert (signed_on is not None) == (stage_id == signed.id), pid


def test_sizes_with_more_pairings_than_pairs_of_localities_are_refused() -> None:
    """Regression: drawing the eleventh pairing of five localities (ten pairs) never ended."""
    with pytest.raises(ValueError, match="11 pairings need more than 5 localities"):
        Sizes(
            pairings=11, localities=5, countries=2, stage_changes=110, tasks=0, people=0,
            activities=0, organisations=0, users=1,
        )  # fmt: skip
