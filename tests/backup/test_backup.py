"""Backups are consistent snapshots, restore exactly, and cross between SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, select

from config import TestConfig
from crm import create_app
from crm.backup.services import BackupError, create_backup, restore_backup
from crm.contacts.services import merge_people
from crm.db import engine_for, session
from crm.demo.loader import load_demo_data
from crm.migrations_cli import upgrade
from crm.models import metadata
from crm.partnerships.models import Partnership
from crm.partnerships.services import change_stage
from crm.partnerships.stages import stage_by_key
from tests.conftest import drop_everything
from tests.factories import make_partnership, make_person


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as connection:
        return {
            table.name: [
                tuple(row)
                for row in connection.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in metadata.sorted_tables
        }


def empty_database(app: Flask) -> None:
    engine = engine_for(app)
    drop_everything(engine)
    with app.app_context():
        upgrade(app)


@pytest.fixture
def loaded(app: Flask) -> None:
    with app.app_context():
        load_demo_data()
        session.commit()


@pytest.mark.usefixtures("loaded")
def test_restore_gives_exactly_the_snapshot_taken_while_the_app_wrote(
    app: Flask, tmp_path: Path
) -> None:
    engine = engine_for(app)
    before = snapshot(engine)
    wrote = threading.Event()

    def write_meanwhile(table: str) -> None:
        if table != "users" or wrote.is_set():
            return

        def write() -> None:
            with app.app_context():
                partnership = session.scalar(select(Partnership).order_by(Partnership.id))
                change_stage(
                    partnership,
                    stage_by_key("memorandum_drafting"),
                    by=partnership.owner,
                    expected_version=partnership.version,
                )
                make_partnership()
                session.commit()

        writer = threading.Thread(target=write)
        writer.start()
        writer.join(timeout=30)
        wrote.set()

    target = tmp_path / "backup.jsonl.gz"
    summary = create_backup(engine, target, after_table=write_meanwhile)

    assert wrote.is_set()
    assert snapshot(engine) != before  # the write landed while the backup ran
    assert summary.counts["partnerships"] == len(before["partnerships"])
    empty_database(app)
    restore_backup(engine, target)
    assert snapshot(engine) == before


@pytest.mark.usefixtures("loaded")
def test_a_sqlite_backup_restores_into_the_suite_database(
    app: Flask, tmp_path: Path, database_url: str
) -> None:
    """In the PostgreSQL run of the suite this is SQLite → PostgreSQL."""
    source_app = create_app(TestConfig, DATABASE_URL=f"sqlite:///{tmp_path / 'source.sqlite3'}")
    with source_app.app_context():
        upgrade(source_app)
        load_demo_data()
        session.commit()
    expected = snapshot(engine_for(source_app))
    target = tmp_path / "from-sqlite.jsonl.gz"
    create_backup(engine_for(source_app), target)
    engine_for(source_app).dispose()

    empty_database(app)
    restore_backup(engine_for(app), target)

    assert snapshot(engine_for(app)) == expected
    with app.app_context():  # ids keep counting after the restored ones
        created = make_partnership()
        session.commit()
        assert created.id == max(row[0] for row in expected["partnerships"]) + 1


@pytest.mark.usefixtures("loaded")
def test_restore_refuses_a_database_that_is_not_empty(app: Flask, tmp_path: Path) -> None:
    target = tmp_path / "b.jsonl.gz"
    create_backup(engine_for(app), target)
    with pytest.raises(BackupError, match="not empty"):
        restore_backup(engine_for(app), target)


def test_damaged_or_foreign_files_are_refused_and_nothing_is_written(
    app: Flask, tmp_path: Path
) -> None:
    engine = engine_for(app)
    with app.app_context():
        load_demo_data()
        session.commit()
    good = tmp_path / "good.jsonl.gz"
    create_backup(engine, good)
    empty_database(app)
    before = snapshot(engine)

    lines = gzip.decompress(good.read_bytes()).decode().splitlines()
    cases = {
        "plain text": b"hello",
        "empty": b"",
        "gzip of something else": gzip.compress(b'{"format": "other"}\n'),
        "truncated": gzip.compress("\n".join(lines[: len(lines) // 2]).encode()),
        "damaged line": gzip.compress("\n".join([lines[0], "{not json", *lines[1:]]).encode()),
        "other revision": gzip.compress(
            "\n".join(
                [json.dumps({**json.loads(lines[0]), "revision": "abc"}), *lines[1:]]
            ).encode()
        ),
    }
    user_line = next(n for n, line in enumerate(lines) if json.loads(line).get("table") == "users")
    user = json.loads(lines[user_line])

    def with_user(row: object) -> bytes:
        changed = json.dumps({**user, "row": row})
        return gzip.compress(
            "\n".join([*lines[:user_line], changed, *lines[user_line + 1 :]]).encode()
        )

    # Each was a traceback (ValueError, AttributeError, a database error) rather than a message.
    cases["a row that is a list"] = with_user([1, 2])
    cases["a date that is none"] = with_user({**user["row"], "created_at": "yesterday"})
    cases["text for a number"] = with_user({**user["row"], "id": "first"})
    # Stored as they came by SQLite (a column's type is a hint there), then a 500 on reading.
    cases["a number for text"] = with_user({**user["row"], "role": 5})
    cases["text for a flag"] = with_user({**user["row"], "is_active": "yes"})
    cases["a name too long"] = with_user({**user["row"], "name": "x" * 1000})
    for name, content in cases.items():
        path = tmp_path / f"{name}.gz"
        path.write_bytes(content)
        with pytest.raises(BackupError):
            restore_backup(engine, path)
        assert snapshot(engine) == before, name


def test_cli_round_trip(app: Flask, runner, tmp_path: Path) -> None:
    with app.app_context():
        load_demo_data()
        session.commit()
    expected = snapshot(engine_for(app))
    target = tmp_path / "cli.jsonl.gz"
    created = runner.invoke(args=["backup", "create", str(target)])
    assert created.exit_code == 0, created.output
    assert "Backed up" in created.output
    refused = runner.invoke(args=["backup", "restore", str(target)])
    assert refused.exit_code == 1
    assert "not empty" in refused.output
    empty_database(app)
    restored = runner.invoke(args=["backup", "restore", str(target)])
    assert restored.exit_code == 0, restored.output
    assert snapshot(engine_for(app)) == expected
    missing = runner.invoke(args=["backup", "restore", str(tmp_path / "nope.gz")])
    assert missing.exit_code == 1
    assert "There is no file" in missing.output


def test_a_backup_into_a_missing_folder_is_a_message_not_a_traceback(
    runner, tmp_path: Path
) -> None:
    """Regression: `backup create` into a folder that does not exist ended in a traceback."""
    target = tmp_path / "missing" / "x.jsonl.gz"
    result = runner.invoke(args=["backup", "create", str(target)])
    assert result.exit_code == 1
    assert f"Cannot write {target}: No such file or directory." in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_a_person_merged_into_one_entered_after_them_restores(app: Flask, tmp_path: Path) -> None:
    """Regression: rows go in by id, and a person merged into a later one pointed at a row not
    yet written; both databases refused it, so such a register's backups could not be restored."""
    with app.app_context():
        older = make_person(full_name="Aleksander Saša Arsenovič")
        newer = make_person(full_name="Saša Arsenovič", email="mayor@example.com")
        merge_people(
            newer, older, expected_version=newer.version, expected_duplicate_version=older.version
        )
        session.commit()
        assert older.merged_into_id == newer.id > older.id
    engine = engine_for(app)
    expected = snapshot(engine)
    target = tmp_path / "merged.jsonl.gz"
    create_backup(engine, target)

    empty_database(app)
    restore_backup(engine, target)

    assert snapshot(engine) == expected


def test_a_merge_into_no_one_is_refused_and_nothing_is_written(app: Flask, tmp_path: Path) -> None:
    with app.app_context():
        make_person(full_name="Mojca Potočnik")
        session.commit()
    engine = engine_for(app)
    good = tmp_path / "good.jsonl.gz"
    create_backup(engine, good)
    lines = gzip.decompress(good.read_bytes()).decode().splitlines()
    number = next(n for n, line in enumerate(lines) if json.loads(line).get("table") == "people")
    person = json.loads(lines[number])
    person["row"]["merged_into_id"] = 999
    lines[number] = json.dumps(person)
    damaged = tmp_path / "damaged.jsonl.gz"
    damaged.write_bytes(gzip.compress("\n".join(lines).encode()))
    empty_database(app)
    before = snapshot(engine)

    with pytest.raises(BackupError, match="people"):
        restore_backup(engine, damaged)

    assert snapshot(engine) == before
