"""The schema the migrations build is the schema the models describe."""

from __future__ import annotations

from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import select, text

from crm.db import engine_for, session
from crm.models import metadata
from crm.partnerships.models import Stage
from crm.partnerships.stages import DEFAULT_STAGES
from crm.sectors.models import Sector
from crm.sectors.services import DEFAULT_SECTORS
from tests.factories import (
    make_activity,
    make_locality,
    make_partnership,
    make_person,
    make_task,
    make_user,
)


def test_models_and_migrations_do_not_differ(app: Flask) -> None:
    # The session fixture built this database from empty with `upgrade head`.
    with engine_for(app).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []


def across_a_step(app: Flask, before: str, *old_rows: tuple[str, dict[str, object]]) -> None:
    """Go back to revision `before`, write `old_rows` as that schema allowed them (raw SQL with
    its parameters), and migrate to head again: a step that mends data, run with data in place."""
    from alembic import command

    from crm.migrations_cli import alembic_config, upgrade

    with app.app_context():
        command.downgrade(alembic_config(app), before)
    with engine_for(app).begin() as connection:
        for sql, parameters in old_rows:
            connection.execute(text(sql), parameters)
    with app.app_context():
        upgrade(app)


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


def test_a_migration_that_copies_the_pairings_table_keeps_what_points_at_it(app: Flask) -> None:
    """SQLite changes a table by copying it and dropping the old one; with the foreign keys on,
    the drop would delete every history row, task, sector and meeting of every pairing (ON
    DELETE CASCADE). The country-pair step copies `partnerships` both ways."""
    from alembic import command

    from crm.migrations_cli import alembic_config, upgrade

    with app.app_context():
        maribor = make_locality("Maribor", country_code="SI")
        kyzylorda = make_locality("Kyzylorda", country_code="KZ", kind="region")
        partnership = make_partnership(maribor, kyzylorda, sectors=("education",))
        make_task(partnership)
        make_activity(partnership)
        session.commit()
    tables = ("partnerships", "stage_changes", "tasks", "activities", "partnership_sectors")

    def counts() -> dict[str, int]:
        with engine_for(app).connect() as connection:
            return {
                table: connection.scalar(text(f"SELECT count(*) FROM {table}"))  # noqa: S608
                for table in tables
            }

    before = counts()
    assert all(before.values())
    with app.app_context():
        command.downgrade(alembic_config(app), "c5d1f3a8e920")  # before the country pair
        assert counts() == before
        upgrade(app)
    assert counts() == before
    with engine_for(app).connect() as connection:
        assert connection.scalar(text("SELECT country_pair FROM partnerships")) == "KZ–SI"
        assert connection.scalar(text("SELECT count(*) FROM localities")) == 2


def test_the_foreign_keys_hold_after_a_migration_run(database_url: str) -> None:
    """The migration run switches SQLite's foreign keys off for its steps; the connection it
    used goes back to the pool, and the app's next statement must find them on again."""
    from sqlalchemy.exc import IntegrityError

    from config import Config
    from crm import create_app
    from crm.migrations_cli import upgrade

    app = create_app(Config, DATABASE_URL=database_url, SECRET_KEY="m" * 40)
    engine = engine_for(app)
    try:
        upgrade(app)  # nothing to do, but the run's whole path: one pooled connection
        with engine.connect() as connection, connection.begin():
            orphan = text(
                "INSERT INTO partnership_sectors (partnership_id, sector_id) VALUES (999999, 1)"
            )
            with pytest.raises(IntegrityError):
                connection.execute(orphan)
    finally:
        engine.dispose()


def test_tasks_whose_status_and_completion_disagree_are_mended_then_refused(app: Flask) -> None:
    """The weekly report counts overdue tasks by status and done ones by completion time: the
    migration that holds them together mends rows written before it, and then refuses them."""
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        partnership = make_partnership()
        done_without_time = make_task(partnership).id
        open_with_time = make_task(partnership).id
        session.commit()
    across_a_step(
        app,
        "f3b7d5e2a914",  # before the check
        (
            "UPDATE tasks SET status = 'done', updated_at = '2026-02-12 09:00:00' WHERE id = :id",
            {"id": done_without_time},
        ),
        (
            "UPDATE tasks SET completed_at = '2026-02-13 10:00:00' WHERE id = :id",
            {"id": open_with_time},
        ),
    )
    with engine_for(app).connect() as connection:
        mended = dict(
            connection.execute(text("SELECT id, completed_at FROM tasks ORDER BY id")).all()
        )
        assert str(mended[done_without_time]).startswith("2026-02-12 09:00:00")
        assert mended[open_with_time] is None
        connection.rollback()
        for wrong in (
            "UPDATE tasks SET status = 'done' WHERE completed_at IS NULL",
            "UPDATE tasks SET completed_at = '2026-02-14 10:00:00' WHERE status = 'open'",
            "UPDATE tasks SET status = 'later'",
        ):
            with pytest.raises(IntegrityError), connection.begin():
                connection.execute(text(wrong))


def test_calendar_links_handed_out_before_the_hash_keep_working(app: Flask) -> None:
    from crm.tasks.calendar import user_for_token

    with app.app_context():
        user_id = make_user().id
        session.commit()
    across_a_step(
        app,
        "a8c2e4f6b135",  # the secret kept as it is
        (
            "UPDATE users SET calendar_token = 'a-link-already-in-outlook' WHERE id = :id",
            {"id": user_id},
        ),
    )
    with app.app_context():
        found = user_for_token("a-link-already-in-outlook")
        assert found is not None and found.id == user_id
        assert found.calendar_token_hash != "a-link-already-in-outlook"


def test_a_task_status_that_is_neither_open_nor_done_is_mended_by_its_completion(
    app: Flask,
) -> None:
    with app.app_context():
        partnership = make_partnership()
        never_done, once_done = make_task(partnership).id, make_task(partnership).id
        session.commit()
    across_a_step(
        app,
        "f3b7d5e2a914",
        ("UPDATE tasks SET status = 'waiting'", {}),
        (
            "UPDATE tasks SET completed_at = '2026-02-13 10:00:00' WHERE id = :id",
            {"id": once_done},
        ),
    )
    with engine_for(app).connect() as connection:
        statuses = dict(connection.execute(text("SELECT id, status FROM tasks")).all())
    assert statuses == {never_done: "open", once_done: "done"}


def test_going_back_before_phone_extensions_keeps_the_numbers_without_them(app: Flask) -> None:
    from alembic import command

    from crm.migrations_cli import alembic_config, upgrade

    with app.app_context():
        with_extension = make_person(phone="+386 2 220 10 00 ext. 123").id
        without = make_person(phone="+7 7242 23 45 67").id
        session.commit()
        command.downgrade(alembic_config(app), "c8e1a4f7d390")
    with engine_for(app).connect() as connection:
        phones = dict(connection.execute(text("SELECT id, phone FROM people")).all())
    with app.app_context():
        upgrade(app)
    assert phones == {with_extension: "+38622201000", without: "+77242234567"}


def test_signing_dates_on_the_day_of_the_signing_move_are_marked_as_filled_in(app: Flask) -> None:
    """The pairings at *signed* when the flag arrived: a date on the day they reached *signed*
    was filled in by that move (and a move back takes it back); any other date was given."""
    with app.app_context():
        filled = make_partnership(stage_key="memorandum_signed")
        given = make_partnership(stage_key="memorandum_signed", signed_on=date(2019, 5, 5))
        elsewhere = make_partnership(stage_key="memorandum_review")
        session.commit()
        ids = filled.id, given.id, elsewhere.id
    across_a_step(
        app,
        "a1d4c7e9b250",  # before the flag
        (
            "UPDATE partnerships SET stage_entered_at = '2026-03-04 23:30:00', "
            "signed_on = '2026-03-04' WHERE id IN (:filled, :elsewhere)",
            {"filled": ids[0], "elsewhere": ids[2]},
        ),
    )
    with engine_for(app).connect() as connection:
        flags = dict(
            connection.execute(text("SELECT id, signed_on_filled FROM partnerships")).all()
        )
    assert [bool(flags[pid]) for pid in ids] == [True, False, False]


def test_weekly_report_subscriptions_move_to_their_users_and_back(app: Flask) -> None:
    from alembic import command

    from crm.migrations_cli import alembic_config, upgrade

    with app.app_context():
        subscriber, other = make_user().id, make_user().id
        session.commit()
    across_a_step(
        app,
        "b5e2f8c1d374",  # subscriptions in a table of their own
        (
            "INSERT INTO report_subscriptions (user_id, subscribed_at) "
            "VALUES (:id, '2026-02-16 07:00:00')",
            {"id": subscriber},
        ),
    )
    with engine_for(app).connect() as connection:
        since = dict(connection.execute(text("SELECT id, weekly_report_since FROM users")).all())
    assert str(since[subscriber]).startswith("2026-02-16 07:00:00")
    assert since[other] is None
    with app.app_context():
        command.downgrade(alembic_config(app), "b5e2f8c1d374")
    with engine_for(app).connect() as connection:
        kept = connection.execute(text("SELECT user_id FROM report_subscriptions")).all()
    with app.app_context():
        upgrade(app)
    assert kept == [(subscriber,)]
