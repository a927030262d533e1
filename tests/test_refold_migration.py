"""The migration that reads Kazakh letters as Russian ones refolds what is already stored."""

from __future__ import annotations

from alembic import command
from flask import Flask
from sqlalchemy import text

from crm.db import engine_for, session
from crm.migrations_cli import alembic_config, upgrade
from tests.factories import make_locality


def test_stored_folded_names_are_refolded_and_two_spellings_of_one_place_both_survive(
    app: Flask,
) -> None:
    with app.app_context():
        kyzylorda = make_locality("Қызылорда облысы", country_code="KZ", kind="region")
        karaganda_kk = make_locality("Қарағанды", country_code="KZ")
        # Under today's folding the service refuses this second spelling; it is renamed below.
        karaganda_ru = make_locality("Караганды (ru)", country_code="KZ")
        session.commit()
        ids = (kyzylorda.id, karaganda_kk.id, karaganda_ru.id)
    engine = engine_for(app)
    with engine.begin() as connection:
        # As the previous folding wrote them.
        connection.execute(
            text("UPDATE localities SET name = 'Караганды' WHERE id = :id"), {"id": ids[2]}
        )
        for locality_id, old in zip(
            ids, ("қызылорда облысы", "қарағанды", "караганды"), strict=True
        ):
            connection.execute(
                text(
                    "UPDATE localities SET name_folded = :old, search_folded = :old_search"
                    " WHERE id = :id"
                ),
                {"old": old, "old_search": old, "id": locality_id},
            )
    with app.app_context():
        command.downgrade(alembic_config(app), "c41f0d2e8b57")  # below both later steps
        upgrade(app)
    with engine.connect() as connection:
        folded = {
            row.id: (row.name_folded, row.search_folded)
            for row in connection.execute(
                text("SELECT id, name_folded, search_folded FROM localities")
            )
        }
    assert folded[ids[0]] == ("кызылорда облысы", "кызылорда облысы")
    # Refolding would make these two one name, which must stay unique: their names keep the old
    # folding, and both are still found by either spelling.
    assert folded[ids[1]] == ("қарағанды", "караганды")
    assert folded[ids[2]] == ("караганды", "караганды")
