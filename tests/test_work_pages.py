"""The pages around the work on a pairing: dashboard, search, archive, overdue flags, and the
number of SQL statements they cost."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient

from crm.auth.models import User
from crm.db import session, utcnow
from crm.tasks.dates import today_for
from tests.factories import (
    make_activity,
    make_locality,
    make_organisation,
    make_partnership,
    make_person,
    make_role,
    make_task,
)


def test_search_is_grouped_and_ignores_case_and_diacritics(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as()
    with app.app_context():
        styria = make_locality("Podravska regija (Štajerska)", kind="region")
        partnership = make_partnership(styria)
        make_organisation("Štajerska Chamber of Commerce and Industry")
        make_person("Aleksander Saša Arsenovič")
        make_task(partnership, title="Call the Štajerska chamber")
        session.commit()
    page = client.get("/search?q=STAJERSKA").get_data(as_text=True)
    headings = re.findall(r'<h2 id="results-(\w+)">', page)
    assert headings == ["pairings", "localities", "organisations", "tasks"]
    assert "Štajerska Chamber of Commerce and Industry" in page
    people = client.get("/search?q=sasa arsenovic").get_data(as_text=True)
    assert re.findall(r'<h2 id="results-(\w+)">', people) == ["people"]
    # Words in any order, each in its own place; every kind is searched word by word.
    reordered = client.get("/search?q=arsenovic aleksander").get_data(as_text=True)
    assert re.findall(r'<h2 id="results-(\w+)">', reordered) == ["people"]
    chamber = client.get("/search?q=chamber stajerska").get_data(as_text=True)
    assert re.findall(r'<h2 id="results-(\w+)">', chamber) == ["organisations", "tasks"]
    region = client.get("/search?q=regija podravska").get_data(as_text=True)
    assert re.findall(r'<h2 id="results-(\w+)">', region) == ["pairings", "localities"]
    assert "Nothing matches" in client.get("/search?q=%25").get_data(as_text=True)
    assert client.get("/search?q=").status_code == 200


def test_an_archived_pairing_vanishes_everywhere_until_an_admin_restores_it(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    with app.app_context():
        partnership = make_partnership(make_locality("Maribor"), title="Maribor – Kyzylorda")
        task = make_task(partnership, title="Draft the memorandum")
        session.commit()
        ids = {"p": partnership.id, "task": task.id, "version": partnership.version}
    login_as("officer")
    archive = {"version": ids["version"]}
    assert client.post(f"/partnerships/{ids['p']}/archive", data=archive).status_code == 302
    assert client.get(f"/partnerships/{ids['p']}").status_code == 404
    assert client.get(f"/tasks/{ids['task']}/edit").status_code == 404
    for url in ("/partnerships", "/board", "/search?q=maribor", "/"):
        assert "Maribor – Kyzylorda" not in client.get(url).get_data(as_text=True), url
    assert client.get("/partnerships/archived").status_code == 403
    assert client.post(f"/partnerships/{ids['p']}/restore").status_code == 403
    login_as("admin")
    assert "Maribor – Kyzylorda" in client.get("/partnerships/archived").get_data(as_text=True)
    assert client.post(f"/partnerships/{ids['p']}/restore").status_code == 302
    assert client.get(f"/partnerships/{ids['p']}").status_code == 200
    assert client.post(f"/partnerships/{ids['p']}/restore").status_code == 404


def test_the_dashboard_shows_my_tasks_quiet_pairings_and_counts(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    user_id = login_as()
    long_ago = utcnow() - timedelta(days=45)
    with app.app_context():
        me = session.get(User, user_id)
        today = today_for(me)
        quiet = make_partnership(owner=me, title="Quiet pairing", at=long_ago)
        talked = make_partnership(owner=me, title="Talked recently", at=long_ago)
        make_activity(talked, kind="call", at=utcnow() - timedelta(days=3))
        noted = make_partnership(owner=me, title="Only a note", at=long_ago)
        make_activity(noted, kind="note", at=utcnow() - timedelta(days=3))
        make_task(quiet, title="Late one", assignee=me, due_on=today - timedelta(days=1))
        make_task(quiet, title="Soon one", assignee=me, due_on=today + timedelta(days=2))
        make_task(quiet, title="Far one", assignee=me, due_on=today + timedelta(days=30))
        session.commit()
    page = client.get("/").get_data(as_text=True)
    stale = page[page.index('id="stale-heading"') : page.index('id="pipeline-heading"')]
    assert "Quiet pairing" in stale and "Only a note" in stale
    assert "Talked recently" not in stale
    overdue = page[page.index('id="overdue-heading"') : page.index('id="upcoming-heading"')]
    assert "Late one" in overdue and "Overdue" in overdue
    upcoming = page[page.index('id="upcoming-heading"') : page.index('id="stale-heading"')]
    assert "Soon one" in upcoming and "Far one" not in upcoming
    assert '<span class="pipeline-count">3</span> Prospect' in page


def test_overdue_tasks_are_flagged_in_words_on_the_board_and_the_list(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    user_id = login_as()
    with app.app_context():
        today = today_for(session.get(User, user_id))
        late = make_partnership(title="Late pairing")
        make_task(late, due_on=today - timedelta(days=1))
        make_task(late, due_on=today - timedelta(days=5))
        on_time = make_partnership(title="On time")
        make_task(on_time, due_on=today)
        session.commit()
    for url in ("/board", "/partnerships"):
        page = client.get(url).get_data(as_text=True)
        assert page.count("overdue task") == 1, url
        assert "2 overdue tasks" in page


def _grow(app: Flask, owner_id: int, partnership_id: int, n: int) -> None:
    with app.app_context():
        owner = session.get(User, owner_id)
        from crm.partnerships.models import Partnership

        partnership = session.get(Partnership, partnership_id)
        today = today_for(owner)
        for i in range(n):
            person = make_person(f"Person {i} {owner_id}-{n}", organisation=make_organisation())
            make_role(partnership, person, side="ab"[i % 2], role="delegate")
            make_activity(
                partnership,
                at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=i),
                participants=(person,),
            )
            task = make_task(partnership, assignee=owner, due_on=today + timedelta(days=i - n // 2))
            if i % 3 == 0:
                from crm.tasks.services import complete_task

                complete_task(task, by=owner)
        quiet = make_partnership(owner=owner, at=utcnow() - timedelta(days=60))
        make_task(quiet, assignee=owner, due_on=today - timedelta(days=1))
        session.commit()


def test_statement_counts_do_not_grow_with_tasks_and_people(
    app: Flask, client: FlaskClient, login_as: Callable[..., int], count_statements: Callable
) -> None:
    user_id = login_as()
    with app.app_context():
        partnership = make_partnership(owner=session.get(User, user_id))
        session.commit()
        partnership_id = partnership.id
    urls = [f"/partnerships/{partnership_id}", "/tasks/mine", "/", "/search?q=person"]
    _grow(app, user_id, partnership_id, 3)
    small = {}
    for url in urls:
        client.get(url)  # warm-up
        with count_statements() as counter:
            assert client.get(url).status_code == 200
        small[url] = counter.count
    _grow(app, user_id, partnership_id, 40)
    for url in urls:
        with count_statements() as counter:
            assert client.get(url).status_code == 200
        assert counter.count == small[url], (url, counter.statements)


def test_search_box_lists_the_most_recently_active_pairings_first_and_offers_the_rest(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as()
    with app.app_context():
        place = make_locality("Kyzylorda", country_code="KZ")
        start = datetime(2026, 2, 1, tzinfo=UTC)
        for day in range(12):
            pairing = make_partnership(
                make_locality(f"Town {day:02d}"), place, title=f"Pair {day:02d}"
            )
            pairing.last_activity_at = start + timedelta(days=day)
        archived = make_partnership(make_locality("Elsewhere"), place, title="Pair archived")
        archived.last_activity_at = start + timedelta(days=30)
        archived.archived_at = start
        session.commit()
    page = client.get("/search?q=kyzylorda").get_data(as_text=True)
    pairings = page.split('id="results-pairings"')[1].split("</section>")[0]
    # Ten shown, newest activity first; the eleventh found tells that there are more.
    assert re.findall(r">(Pair \w+)</a>", pairings) == [
        f"Pair {day:02d}" for day in range(11, 1, -1)
    ]
    assert "/partnerships?q=kyzylorda" in pairings
    assert "Pair archived" not in page
    # Regression: the count said "11 results" (the ten pairings and the locality shown), though
    # twelve pairings matched.
    assert "More than 11 results for “kyzylorda”: each kind shows its first 10." in page
    one_kind = client.get("/search?q=town 03").get_data(as_text=True)
    assert "2 results for “town 03”" in one_kind and "More than" not in one_kind
