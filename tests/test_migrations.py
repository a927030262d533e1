"""The schema the migrations build is the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import select

from crm.db import engine_for, session
from crm.models import metadata
from crm.partnerships.models import Stage
from crm.partnerships.stages import DEFAULT_STAGES
from crm.sectors.models import Sector
from crm.sectors.services import DEFAULT_SECTORS


def test_models_and_migrations_do_not_differ(app: Flask) -> None:
    # The session fixture built this database from empty with `upgrade head`.
    with engine_for(app).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_the_migration_seeds_the_default_stages_and_sectors(app: Flask) -> None:
    from alembic.command import downgrade, upgrade

    from crm.migrations_cli import alembic_config

    config = alembic_config(app)
    downgrade(config, "base")
    upgrade(config, "head")
    with app.app_context():
        stages = session.execute(select(Stage.key, Stage.name, Stage.position)).all()
        sectors = session.execute(select(Sector.slug, Sector.name)).all()
    assert sorted(stages, key=lambda row: row.position) == [
        (stage.key, stage.name, stage.position) for stage in DEFAULT_STAGES
    ]
    assert sorted(sectors) == sorted(DEFAULT_SECTORS)
