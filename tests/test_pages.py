"""Every page renders for a logged-in user and sends anonymous users to the login page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from crm.auth.tokens import secret_digest
from crm.db import session
from tests.factories import (
    make_activity,
    make_import_job,
    make_locality,
    make_organisation,
    make_partnership,
    make_person,
    make_task,
    make_user,
)

# Each GET page, with the ids of the seeded records filled in. A new GET route must be added
# here (see test_every_get_route_is_listed), so no page goes untested.
PAGES = {
    "board.home": "/",
    "board.index": "/board",
    "board.more_cards": "/board/columns/prospect?offset=0",
    "partnerships.index": "/partnerships",
    "partnerships.new": "/partnerships/new",
    "partnerships.show": "/partnerships/{partnership}",
    "partnerships.edit": "/partnerships/{partnership}/edit",
    "localities.index": "/localities",
    "localities.new": "/localities/new",
    "localities.options": "/localities/options?q=maribor",
    "contacts.person_options": "/people/options?q=ana",
    "contacts.organisation_options": "/organisations/options?organisation_q=maribor",
    "localities.show": "/localities/{locality}",
    "localities.edit": "/localities/{locality}/edit",
    "sectors.index": "/sectors",
    "stages.index": "/stages",
    "auth.login": "/login",
    "auth.tokens": "/account/tokens",
    "reports.weekly": "/reports/weekly",
    "partnerships.archived": "/partnerships/archived",
    "tasks.mine": "/tasks/mine",
    "tasks.edit": "/tasks/{task}/edit",
    "tasks.calendar_feed": "/calendar/{calendar_token}.ics",
    "tasks.issue_calendar_token": "/calendar/token",
    "contacts.people": "/people",
    "contacts.new_person": "/people/new",
    "contacts.person": "/people/{person}",
    "contacts.person_vcard": "/people/{person}.vcf",
    "contacts.edit_person": "/people/{person}/edit",
    "contacts.delete_person": "/people/{person}/delete",
    "contacts.organisations": "/organisations",
    "contacts.new_organisation": "/organisations/new",
    "contacts.organisation": "/organisations/{organisation}",
    "contacts.edit_organisation": "/organisations/{organisation}/edit",
    "contacts.delete_organisation": "/organisations/{organisation}/delete",
    "contacts.add_role": "/partnerships/{partnership}/people/new",
    "activities.new": "/partnerships/{partnership}/activities/new",
    "activities.edit": "/activities/{activity}/edit",
    "search.index": "/search?q=maribor",
    "profile.show": "/profile",
    "auth.change_password": "/account/password",
    "users.index": "/users",
    "users.new": "/users/new",
    "users.show": "/users/{user}",
    "audit.index": "/audit",
    "imports.index": "/imports",
    "imports.template": "/imports/templates/pairings.csv",
    "imports.show": "/imports/{import_token}",
    "imports.progress": "/imports/{import_token}/progress",
    "exports.export": "/exports/pairings.csv",
    "exports.full": "/exports/full.zip",
}
# GET routes that answer with a redirect to a page listed here (checked by following it).
REDIRECTS = {"tasks.issue_calendar_token"}
PUBLIC = {"auth.login", "static", "tasks.calendar_feed"}
# Pages only an admin may open.
ADMIN_ONLY = {
    "stages.index",
    "partnerships.archived",
    "users.index",
    "users.new",
    "users.show",
    "audit.index",
    "exports.full",
}
# Pages that are not HTML.
CONTENT_TYPES = {
    "tasks.calendar_feed": "text/calendar",
    "contacts.person_vcard": "text/vcard",
    "imports.template": "text/csv",
    "imports.progress": "application/json",
    "exports.export": "text/csv",
    "exports.full": "application/zip",
}


@pytest.fixture
def seeded(app: Flask) -> dict[str, int]:
    with app.app_context():
        maribor = make_locality("Maribor", subdivision_code="SI-070")
        kyzylorda = make_locality(
            "Қызылорда облысы",
            name_en="Kyzylorda Region",
            country_code="KZ",
            kind="region",
            subdivision_code="KZ-43",
        )
        partnership = make_partnership(maribor, kyzylorda, sectors=("education", "culture"))
        organisation = make_organisation("Mestna občina Maribor")
        person = make_person("Aleksander Saša Arsenovič", organisation=organisation)
        task = make_task(partnership, title="Draft the memorandum")
        activity = make_activity(partnership, participants=(person,))
        feed_owner = make_user(calendar_token_hash=secret_digest("feed-token-for-the-pages-test"))
        session.commit()
        return {
            "partnership": partnership.id,
            "locality": maribor.id,
            "organisation": organisation.id,
            "person": person.id,
            "task": task.id,
            "activity": activity.id,
            "calendar_token": "feed-token-for-the-pages-test",
            "user": partnership.owner_id,
            "import_token": make_import_job(feed_owner.id),
        }


def test_every_get_route_is_listed(app: Flask) -> None:
    # The JSON API has its own completeness test (tests/api/test_contract.py).
    get_endpoints = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ()) and not rule.endpoint.startswith("api.")
    }
    assert get_endpoints - PUBLIC == set(PAGES) - PUBLIC


@pytest.mark.parametrize("endpoint", sorted(PAGES))
@pytest.mark.parametrize("role", ["admin", "officer"])
def test_page_renders_for_staff(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., int],
    seeded: dict[str, int],
    endpoint: str,
    role: str,
) -> None:
    user_id = login_as(role)
    values: dict[str, int | str] = dict(seeded)
    if "{import_token}" in PAGES[endpoint]:
        # An import job opens for its uploader (and admins) only: one of this user's own.
        with app.app_context():
            values["import_token"] = make_import_job(user_id)
    response = client.get(PAGES[endpoint].format(**values), follow_redirects=True)
    if endpoint in ADMIN_ONLY and role == "officer":
        assert response.status_code == 403
        return
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith(CONTENT_TYPES.get(endpoint, "text/html"))


@pytest.mark.parametrize("endpoint", sorted(set(PAGES) - PUBLIC))
def test_anonymous_users_are_sent_to_login(
    client: FlaskClient, seeded: dict[str, int], endpoint: str
) -> None:
    response = client.get(PAGES[endpoint].format(**seeded))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_detail_page_shows_names_in_their_scripts_and_the_stepper(
    client: FlaskClient, login_as: Callable[..., int], seeded: dict[str, int]
) -> None:
    login_as()
    page = client.get(f"/partnerships/{seeded['partnership']}").get_data(as_text=True)
    assert "Maribor – Kyzylorda Region" in page
    assert "Қызылорда облысы" in page
    assert 'aria-current="step"' in page
    assert "Started at <strong>Prospect</strong>" in page
    assert "0 days" in page


def test_unknown_pairing_is_a_404_page_without_internals(
    client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as()
    response = client.get("/partnerships/987654")
    assert response.status_code == 404
    assert "Traceback" not in response.get_data(as_text=True)


def test_pages_carry_security_headers(client: FlaskClient, login_as: Callable[..., int]) -> None:
    login_as()
    response = client.get("/board")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
