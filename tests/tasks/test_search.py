"""The header search finds a task by the beginning of each word of its title, from the task
words index, only on the pairings the user may see, by either of its two ways of reading."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from datetime import date

import pytest
from alembic import command
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from crm.auth.models import Role
from crm.db import session
from crm.migrations_cli import alembic_config, upgrade
from crm.sharing.models import PartnershipShare
from crm.tasks import queries
from crm.tasks.models import Task, TaskWord
from crm.tasks.services import TaskData, complete_task, update_task
from crm.text_search import words_of
from tests.factories import make_locality, make_partnership, make_task, make_user

TITLES = (
    "Translate the memorandum",
    "Call the Štajerska chamber",
    "Book the delegation's hotel",
    "100% renewable_energy plan",
    "Қызылорда: send the agenda",
)


@pytest.fixture(params=["from a word", "in order"])
def plan(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Each test runs both ways the search reads: from the tasks holding its rarest word, and
    (no word being rare enough) walking the tasks in the search's order."""
    if request.param == "in order":
        monkeypatch.setattr(queries, "SEARCH_DRIVE_LIMIT", 0)
    yield request.param


def found(client: FlaskClient, q: str) -> list[str]:
    page = client.get("/search", query_string={"q": q}).get_data(as_text=True)
    return [html.unescape(title) for title in re.findall(r'#task-\d+">([^<]*)</a>', page)]


@pytest.fixture
def titled_tasks(app: Flask) -> None:
    with app.app_context():
        partnership = make_partnership(make_locality("Maribor"))
        for title in TITLES:
            make_task(partnership, title=title)
        session.commit()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("memo", ["Translate the memorandum"]),
        ("MEMORANDUM", ["Translate the memorandum"]),
        ("randum", []),  # inside a word, not its beginning
        ("stajer", ["Call the Štajerska chamber"]),
        ("štajerska chamber", ["Call the Štajerska chamber"]),
        ("cham sta", ["Call the Štajerska chamber"]),
        ("delegation's", ["Book the delegation's hotel"]),
        ("hotel delegation", ["Book the delegation's hotel"]),
        ("energy", ["100% renewable_energy plan"]),
        ("renewable_energy", ["100% renewable_energy plan"]),
        ("100%", ["100% renewable_energy plan"]),
        ("кызылорда", ["Қызылорда: send the agenda"]),
        ("Қызыл агенда", []),  # Cyrillic "agenda" is not the Latin one
        ("qyzylorda", []),
        ("stajer agenda", []),  # each word is there, in two different tasks
        ("%", []),
        ("nowhere", []),
    ],
)
def test_a_task_is_found_by_the_beginning_of_each_word_of_its_title(
    client: FlaskClient,
    login_as: Callable[..., int],
    titled_tasks: None,
    plan: str,
    query: str,
    expected: list[str],
) -> None:
    login_as()
    assert found(client, query) == expected


@pytest.mark.parametrize("query", ["the", "th", "THE T"])
def test_a_common_word_finds_every_task_holding_it(
    client: FlaskClient, login_as: Callable[..., int], titled_tasks: None, plan: str, query: str
) -> None:
    login_as()
    assert sorted(found(client, query)) == sorted(t for t in TITLES if " the " in t)


def test_the_order_is_open_by_due_date_then_undated_then_done(
    app: Flask, client: FlaskClient, login_as: Callable[..., int], plan: str
) -> None:
    with app.app_context():
        partnership = make_partnership()
        owner = partnership.owner
        make_task(partnership, title="Plan five")
        make_task(partnership, title="Plan two", due_on=date(2026, 3, 2))
        done = make_task(partnership, title="Plan six", due_on=date(2026, 1, 1))
        make_task(partnership, title="Plan one", due_on=date(2026, 3, 1))
        complete_task(done, by=owner)
        complete_task(make_task(partnership, title="Plan seven"), by=owner)
        make_task(partnership, title="Plan three", due_on=date(2026, 3, 2))
        session.commit()
    login_as()
    # Open ones by due date (the same day by id), then undated; then the done ones.
    assert found(client, "plan") == [
        "Plan one",
        "Plan two",
        "Plan three",
        "Plan five",
        "Plan six",
        "Plan seven",
    ]


def test_a_renamed_task_is_found_by_its_new_title_and_not_its_old_one(
    app: Flask, client: FlaskClient, login_as: Callable[..., int], plan: str
) -> None:
    with app.app_context():
        task = make_task(make_partnership(), title="Draft the memorandum")
        session.commit()
        update_task(task, TaskData(title="Send the agenda"), expected_version=task.version)
        session.commit()
        words = session.scalars(select(TaskWord.word).where(TaskWord.task_id == task.id)).all()
    assert sorted(words) == ["agenda", "send", "the"]
    login_as()
    assert found(client, "memorandum") == []
    assert found(client, "draft") == []
    assert found(client, "agenda") == ["Send the agenda"]
    assert found(client, "the") == ["Send the agenda"]


def test_a_task_edited_without_a_new_title_keeps_its_words(
    app: Flask, client: FlaskClient, login_as: Callable[..., int], plan: str
) -> None:
    with app.app_context():
        task = make_task(make_partnership(), title="Draft the memorandum")
        session.commit()
        update_task(
            task,
            TaskData(title="Draft the memorandum", due_on=date(2026, 5, 1)),
            expected_version=task.version,
        )
        complete_task(task, by=task.partnership.owner)
        session.commit()
    login_as()
    assert found(client, "memo") == ["Draft the memorandum"]


def test_a_deleted_task_is_not_found_and_its_words_go_with_it(
    app: Flask, client: FlaskClient, login_as: Callable[..., int], plan: str
) -> None:
    with app.app_context():
        partnership = make_partnership()
        kept = make_task(partnership, title="Draft the memorandum")
        gone = make_task(partnership, title="Draft the letter")
        session.commit()
        gone_id = gone.id
        session.delete(gone)
        session.commit()
        left = session.scalar(
            select(func.count()).select_from(TaskWord).where(TaskWord.task_id == gone_id)
        )
        assert left == 0
        assert kept.id is not None
    login_as()
    assert found(client, "draft") == ["Draft the memorandum"]
    assert found(client, "letter") == []


def test_nobody_finds_the_tasks_of_a_pairing_they_may_not_see(
    app: Flask, client: FlaskClient, login_as: Callable[..., int], plan: str
) -> None:
    with app.app_context():
        shared = make_partnership(make_locality("Maribor"), title="Shared")
        other = make_partnership(make_locality("Pécs"), title="Not shared")
        archived = make_partnership(make_locality("Celje"), title="Archived")
        for partnership in (shared, other, archived):
            for _ in range(3):
                make_task(partnership, title=f"Draft the memorandum ({partnership.title})")
        archived.archived_at = archived.created_at
        partner = make_user(role=Role.PARTNER.value)
        session.add(
            PartnershipShare(
                partnership_id=shared.id, user_id=partner.id, shared_by_id=shared.owner_id
            )
        )
        make_user(role=Role.PARTNER.value, email="nobody@example.com")
        session.commit()
        partner_id = partner.get_id()
    login_as()  # an officer: every pairing but the archived one
    assert sorted(set(found(client, "memo"))) == [
        "Draft the memorandum (Not shared)",
        "Draft the memorandum (Shared)",
    ]
    assert found(client, "archived") == []
    with client.session_transaction() as cookie_session:
        cookie_session["_user_id"] = partner_id
    assert found(client, "memo") == ["Draft the memorandum (Shared)"] * 3
    assert found(client, "draft shared") == ["Draft the memorandum (Shared)"] * 3
    assert found(client, "not") == []
    login_as(role=Role.PARTNER.value)  # a partner with nothing shared
    assert found(client, "memo") == []


def test_the_search_reads_the_same_statements_whatever_the_words(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., int],
    titled_tasks: None,
    plan: str,
    count_statements: Callable,
) -> None:
    login_as()
    client.get("/search?q=memo")
    counts = set()
    for query in ("memo", "the", "nowhere", "th", "cham sta"):
        with count_statements() as counter:
            client.get("/search", query_string={"q": query})
        counts.add(sum(1 for sql in counter.statements if "task_words" in sql))
    assert counts == {2}


def test_the_migration_indexes_the_words_of_existing_tasks(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    with app.app_context():
        partnership = make_partnership()
        for title in TITLES:
            make_task(partnership, title=title)
        session.commit()
        command.downgrade(alembic_config(app), "e9c3a5f1b786")  # before the words
        upgrade(app)
        stored = session.execute(select(Task.id, Task.title_folded)).all()
        words = session.execute(select(TaskWord.task_id, TaskWord.word)).all()
    assert sorted(words) == sorted(
        (task_id, word) for task_id, folded in stored for word in words_of(folded)
    )
    login_as()
    assert found(client, "deleg hot") == ["Book the delegation's hotel"]
