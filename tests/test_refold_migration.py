"""The migration that reads Kazakh letters as Russian ones refolds what is already stored."""

from __future__ import annotations

from alembic import command
from flask import Flask
from sqlalchemy import text

from crm.db import engine_for, session
from crm.migrations_cli import alembic_config, upgrade
from tests.factories import make_locality


def test_stored_folded_names_are_refolded(app: Flask) -> None:
    with app.app_context():
        locality = make_locality("Қызылорда облысы", country_code="KZ", kind="region")
        session.commit()
        locality_id = locality.id
    engine = engine_for(app)
    with engine.begin() as connection:
        # As the previous folding wrote it.
        connection.execute(
            text("UPDATE localities SET name_folded = :old, search_folded = :old WHERE id = :id"),
            {"old": "қызылорда облысы", "id": locality_id},
        )
    with app.app_context():
        command.downgrade(alembic_config(app), "c41f0d2e8b57")
        upgrade(app)
    with engine.connect() as connection:
        folded = connection.execute(
            text("SELECT name_folded, search_folded FROM localities WHERE id = :id"),
            {"id": locality_id},
        ).one()
    assert tuple(folded) == ("кызылорда облысы", "кызылорда облысы")
