"""Two requests that write at once both succeed: on SQLite neither gets "database is locked"."""

from __future__ import annotations

import threading

from flask import Flask
from sqlalchemy import func, select

from crm.db import session
from crm.partnerships.models import StageChange
from tests.factories import make_partnership, make_user

WRITERS = 8


def test_simultaneous_stage_moves_all_land(app: Flask) -> None:
    with app.app_context():
        owner = make_user()
        pairings = [make_partnership(owner=owner) for _ in range(WRITERS)]
        session.commit()
        targets = [(p.id, p.version) for p in pairings]
        owner_id = owner.get_id()

    start = threading.Barrier(WRITERS)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def move(partnership_id: int, version: int) -> None:
        client = app.test_client()
        with client.session_transaction() as cookie_session:
            cookie_session["_user_id"] = owner_id
        try:
            start.wait(timeout=10)
            response = client.post(
                f"/partnerships/{partnership_id}/stage",
                data={"stage": "exploratory_talks", "version": version, "note": "in parallel"},
            )
            statuses.append(response.status_code)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=move, args=target) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert statuses == [302] * WRITERS
    with app.app_context():
        moves = session.scalar(
            select(func.count()).select_from(StageChange).where(StageChange.note == "in parallel")
        )
    assert moves == WRITERS


def test_two_saves_of_the_same_pairing_one_wins_the_other_is_told(app: Flask) -> None:
    with app.app_context():
        partnership = make_partnership()
        session.commit()
        pid, version = partnership.id, partnership.version
        owner_id = partnership.owner.get_id()

    start = threading.Barrier(2)
    statuses: list[int] = []

    def move(stage: str) -> None:
        client = app.test_client()
        with client.session_transaction() as cookie_session:
            cookie_session["_user_id"] = owner_id
        start.wait(timeout=10)
        statuses.append(
            client.post(
                f"/partnerships/{pid}/stage", data={"stage": stage, "version": version}
            ).status_code
        )

    threads = [
        threading.Thread(target=move, args=(stage,))
        for stage in ("exploratory_talks", "agreement_in_principle")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [302, 409]
    with app.app_context():
        assert session.scalar(select(func.count()).where(StageChange.partnership_id == pid)) == 2
