"""Every route × method × role gets the status its rule says.

Roles: anonymous, a partner with the pairing shared ("partner+"), a partner without it
("partner-"), viewer, officer, admin. The target pairing is shared with partner+ only, so for
partner- it must be absent: the same 404 as an id that does not exist. A route missing from
MATRIX fails `test_every_route_is_in_the_matrix`, so a new route cannot be added without
deciding its rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from crm.auth.tokens import ApiToken, issue_token, secret_digest
from crm.db import session
from crm.partnerships.services import archive_partnership
from crm.sharing.services import share
from crm.tasks.services import complete_task
from tests.factories import (
    TEST_PASSWORD,
    make_activity,
    make_import_job,
    make_locality,
    make_organisation,
    make_partnership,
    make_person,
    make_role,
    make_task,
    make_user,
)

ROLES = ("anonymous", "partner+", "partner-", "viewer", "officer", "admin")
NEW_PASSWORD = "a brand new long passphrase"

World = dict[str, Any]
Body = Callable[[World], dict[str, Any]]


def rule(
    *,
    anonymous: int = 302,
    partner_shared: int,
    partner_other: int,
    viewer: int,
    officer: int,
    admin: int,
) -> dict[str, int]:
    return {
        "anonymous": anonymous,
        "partner+": partner_shared,
        "partner-": partner_other,
        "viewer": viewer,
        "officer": officer,
        "admin": admin,
    }


def everyone(ok: int = 200) -> dict[str, int]:
    return rule(partner_shared=ok, partner_other=ok, viewer=ok, officer=ok, admin=ok)


def pairing_read(ok: int = 200) -> dict[str, int]:
    return rule(partner_shared=ok, partner_other=404, viewer=ok, officer=ok, admin=ok)


def pairing_change(ok: int = 302) -> dict[str, int]:
    return rule(partner_shared=403, partner_other=404, viewer=403, officer=ok, admin=ok)


def staff_only(ok: int) -> dict[str, int]:
    return rule(partner_shared=403, partner_other=403, viewer=403, officer=ok, admin=ok)


def admin_only(ok: int) -> dict[str, int]:
    return rule(partner_shared=403, partner_other=403, viewer=403, officer=403, admin=ok)


def contribute(ok: int) -> dict[str, int]:
    """Partners may add to a pairing shared with them (activities); viewers may not."""
    return rule(partner_shared=ok, partner_other=404, viewer=403, officer=ok, admin=ok)


def import_job(ok: int) -> dict[str, int]:
    """The world's import job is the Owner Officer's: another officer gets the 404 of a token
    that does not exist; an admin may open anyone's (tests/imports/test_job_access.py)."""
    return rule(partner_shared=403, partner_other=403, viewer=403, officer=404, admin=ok)


def directory(ok: int = 200) -> dict[str, int]:
    """Every pairing's people and organisations: readers of the whole pipeline only."""
    return rule(partner_shared=403, partner_other=403, viewer=ok, officer=ok, admin=ok)


def api(expected: dict[str, int]) -> dict[str, int]:
    """The API answers 401, not a redirect, to a caller without a token."""
    return {**expected, "anonymous": 401}


def no_body(world: World) -> dict[str, Any]:
    return {}


# (endpoint, method) -> (url template, body builder, expected status per role)
MATRIX: dict[tuple[str, str], tuple[str, Body, dict[str, int]]] = {
    ("board.home", "GET"): ("/", no_body, everyone()),
    ("board.index", "GET"): ("/board", no_body, everyone()),
    ("board.more_cards", "GET"): ("/board/columns/prospect?offset=0", no_body, everyone()),
    ("partnerships.index", "GET"): ("/partnerships", no_body, everyone()),
    ("partnerships.new", "GET"): ("/partnerships/new", no_body, staff_only(200)),
    (
        "partnerships.new",
        "POST",
    ): (
        "/partnerships/new",
        lambda w: {
            "locality_a_id": w["graz"],
            "locality_b_id": w["kyzylorda"],
            "owner_id": w["owner"],
        },
        staff_only(302),
    ),
    ("partnerships.show", "GET"): ("/partnerships/{pairing}", no_body, pairing_read()),
    ("partnerships.edit", "GET"): ("/partnerships/{pairing}/edit", no_body, pairing_change(200)),
    ("partnerships.edit", "POST"): (
        "/partnerships/{pairing}/edit",
        lambda w: {
            "locality_a_id": w["maribor"],
            "locality_b_id": w["kyzylorda"],
            "owner_id": w["owner"],
            "title": "Renamed",
            "version": w["version"],
        },
        pairing_change(),
    ),
    ("partnerships.move", "POST"): (
        "/partnerships/{pairing}/stage",
        lambda w: {"stage": "exploratory_talks", "version": w["version"]},
        pairing_change(),
    ),
    ("partnerships.change_status", "POST"): (
        "/partnerships/{pairing}/status",
        lambda w: {"status": "on_hold", "version": w["version"]},
        pairing_change(),
    ),
    ("sharing.share", "POST"): (
        "/partnerships/{pairing}/shares",
        lambda w: {"user_id": w["partner-"]},
        pairing_change(),
    ),
    ("sharing.unshare", "POST"): (
        "/partnerships/{pairing}/shares/{partner+}/delete",
        no_body,
        pairing_change(),
    ),
    ("localities.index", "GET"): ("/localities", no_body, everyone()),
    ("localities.options", "GET"): ("/localities/options?q=mar", no_body, staff_only(200)),
    ("contacts.person_options", "GET"): ("/people/options?q=a", no_body, staff_only(200)),
    ("contacts.organisation_options", "GET"): (
        "/organisations/options?organisation_q=a",
        no_body,
        staff_only(200),
    ),
    ("localities.new", "GET"): ("/localities/new", no_body, staff_only(200)),
    ("localities.new", "POST"): (
        "/localities/new",
        lambda w: {"name": "Celje", "kind": "city", "country_code": "SI"},
        staff_only(302),
    ),
    ("localities.show", "GET"): ("/localities/{maribor}", no_body, pairing_read()),
    ("localities.edit", "GET"): ("/localities/{maribor}/edit", no_body, pairing_change(200)),
    ("localities.edit", "POST"): (
        "/localities/{maribor}/edit",
        lambda w: {
            "name": "Maribor",
            "name_en": "Marburg",
            "kind": "city",
            "country_code": "SI",
            "version": w["maribor_version"],
        },
        pairing_change(),
    ),
    ("sectors.index", "GET"): ("/sectors", no_body, everyone()),
    ("sectors.create", "POST"): ("/sectors", lambda w: {"name": "Sport"}, admin_only(302)),
    ("sectors.rename", "POST"): (
        "/sectors/{sector}/rename",
        lambda w: {
            f"rename-{w['sector']}-name": "Schools",
            f"rename-{w['sector']}-version": w["sector_version"],
        },
        admin_only(302),
    ),
    ("sectors.merge", "POST"): (
        "/sectors/{sector}/merge",
        lambda w: {
            f"merge-{w['sector']}-into": w["other_sector"],
            f"merge-{w['sector']}-version": w["sector_version"],
        },
        admin_only(302),
    ),
    ("stages.index", "GET"): ("/stages", no_body, admin_only(200)),
    ("stages.create", "POST"): (
        "/stages",
        lambda w: {"name": "Site visit", "after": 0},
        admin_only(302),
    ),
    ("stages.rename", "POST"): (
        "/stages/{stage}/rename",
        lambda w: {
            f"rename-{w['stage']}-name": "First idea",
            f"rename-{w['stage']}-version": w["stage_version"],
        },
        admin_only(302),
    ),
    ("users.index", "GET"): ("/users", no_body, admin_only(200)),
    ("users.new", "GET"): ("/users/new", no_body, admin_only(200)),
    ("users.new", "POST"): (
        "/users/new",
        lambda w: {
            "email": "new.person@example.com",
            "name": "New Person",
            "role": "viewer",
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
        admin_only(302),
    ),
    ("users.show", "GET"): ("/users/{target}", no_body, admin_only(200)),
    ("users.change_role", "POST"): (
        "/users/{target}/role",
        lambda w: {"role": "viewer"},
        admin_only(302),
    ),
    ("users.deactivate", "POST"): ("/users/{target}/deactivate", no_body, admin_only(302)),
    ("users.reactivate", "POST"): ("/users/{inactive}/reactivate", no_body, admin_only(302)),
    ("users.set_password", "POST"): (
        "/users/{target}/password",
        lambda w: {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        admin_only(302),
    ),
    ("users.hand_over", "POST"): (
        "/users/{owner}/handover",
        lambda w: {"successor": str(w["target"])},
        admin_only(302),
    ),
    ("audit.index", "GET"): ("/audit", no_body, admin_only(200)),
    ("auth.login", "GET"): ("/login", no_body, {**everyone(302), "anonymous": 200}),
    ("auth.login", "POST"): (
        "/login",
        lambda w: {"email": "nobody@example.com", "password": "not the password"},
        {**everyone(302), "anonymous": 401},
    ),
    ("auth.logout", "POST"): ("/logout", no_body, everyone(302)),
    # Anyone may choose the language they read in, signed in or not.
    ("i18n.switch", "POST"): (
        "/language",
        # Back to the login page, which anonymous visitors may see.
        lambda w: {"language": "sl", "next": "/login"},
        {**everyone(302), "anonymous": 302},
    ),
    ("auth.tokens", "GET"): ("/account/tokens", no_body, everyone()),
    ("auth.tokens", "POST"): ("/account/tokens", lambda w: {"name": "sync"}, everyone()),
    # Someone else's token: nobody may revoke it but its owner.
    ("auth.revoke", "POST"): ("/account/tokens/{token}/revoke", no_body, everyone(404)),
    ("profile.show", "GET"): ("/profile", no_body, everyone()),
    ("profile.show", "POST"): (
        "/profile",
        lambda w: {"time_zone": "Asia/Qyzylorda"},
        everyone(302),
    ),
    ("partnerships.archive", "POST"): (
        "/partnerships/{pairing}/archive",
        lambda w: {"version": w["version"]},
        pairing_change(),
    ),
    ("partnerships.archived", "GET"): ("/partnerships/archived", no_body, admin_only(200)),
    ("partnerships.restore", "POST"): (
        "/partnerships/{archived}/restore",
        no_body,
        admin_only(302),
    ),
    ("tasks.mine", "GET"): ("/tasks/mine", no_body, everyone()),
    ("tasks.create", "POST"): (
        "/partnerships/{pairing}/tasks",
        lambda w: {"title": "Book the hall", "priority": "normal"},
        pairing_change(),
    ),
    ("tasks.edit", "GET"): ("/tasks/{task}/edit", no_body, pairing_change(200)),
    ("tasks.edit", "POST"): (
        "/tasks/{task}/edit",
        lambda w: {"title": "Draft it", "priority": "high", "version": w["task_version"]},
        pairing_change(),
    ),
    # The task is assigned to the partner it is shared with: they may complete it.
    ("tasks.complete", "POST"): (
        "/tasks/{task}/complete",
        no_body,
        rule(partner_shared=302, partner_other=404, viewer=403, officer=302, admin=302),
    ),
    ("tasks.reopen", "POST"): (
        "/tasks/{done_task}/reopen",
        no_body,
        rule(partner_shared=302, partner_other=404, viewer=403, officer=302, admin=302),
    ),
    ("tasks.calendar_feed", "GET"): (
        "/calendar/{feed}.ics",
        no_body,
        {**everyone(), "anonymous": 200},
    ),
    ("tasks.issue_calendar_token", "GET"): ("/calendar/token", no_body, everyone(302)),
    ("tasks.issue_calendar_token", "POST"): ("/calendar/token", no_body, everyone(200)),
    ("tasks.revoke_calendar_token", "POST"): ("/calendar/token/revoke", no_body, everyone(302)),
    ("activities.new", "GET"): (
        "/partnerships/{pairing}/activities/new",
        no_body,
        contribute(200),
    ),
    ("activities.new", "POST"): (
        "/partnerships/{pairing}/activities/new",
        lambda w: {"kind": "meeting", "occurred_on": "2026-02-13", "occurred_time": "10:00"},
        contribute(302),
    ),
    ("activities.edit", "GET"): ("/activities/{activity}/edit", no_body, pairing_change(200)),
    ("activities.edit", "POST"): (
        "/activities/{activity}/edit",
        lambda w: {
            "kind": "visit",
            "occurred_on": "2026-02-14",
            "occurred_time": "11:00",
            "version": w["activity_version"],
        },
        pairing_change(302),
    ),
    ("activities.delete", "POST"): (
        "/activities/{activity}/delete",
        lambda w: {"version": w["activity_version"]},
        pairing_change(),
    ),
    ("contacts.people", "GET"): ("/people", no_body, directory()),
    ("contacts.person", "GET"): ("/people/{person}", no_body, directory()),
    ("contacts.person_vcard", "GET"): ("/people/{person}.vcf", no_body, directory()),
    ("contacts.new_person", "GET"): ("/people/new", no_body, staff_only(200)),
    ("contacts.new_person", "POST"): (
        "/people/new",
        lambda w: {"full_name": "Novak Zupančič", "organisation_id": 0},
        staff_only(302),
    ),
    ("contacts.edit_person", "GET"): ("/people/{person}/edit", no_body, staff_only(200)),
    ("contacts.edit_person", "POST"): (
        "/people/{person}/edit",
        lambda w: {
            "full_name": "Aleksander Saša Arsenovič",
            "organisation_id": 0,
            "position": "Mayor",
            "version": w["person_version"],
        },
        staff_only(302),
    ),
    ("contacts.delete_person", "GET"): ("/people/{person}/delete", no_body, staff_only(200)),
    ("contacts.delete_person", "POST"): (
        "/people/{person}/delete",
        lambda w: {"version": w["person_version"]},
        staff_only(302),
    ),
    ("contacts.merge_person", "POST"): (
        "/people/{person}/merge",
        lambda w: {"other_id": w["other_person_choice"], "version": w["person_version"]},
        admin_only(302),
    ),
    ("contacts.organisations", "GET"): ("/organisations", no_body, directory()),
    ("contacts.organisation", "GET"): ("/organisations/{organisation}", no_body, directory()),
    ("contacts.new_organisation", "GET"): ("/organisations/new", no_body, staff_only(200)),
    ("contacts.new_organisation", "POST"): (
        "/organisations/new",
        lambda w: {"name": "Mestna občina Celje", "kind": "city_hall", "country_code": "SI"},
        staff_only(302),
    ),
    ("contacts.edit_organisation", "GET"): (
        "/organisations/{organisation}/edit",
        no_body,
        staff_only(200),
    ),
    ("contacts.edit_organisation", "POST"): (
        "/organisations/{organisation}/edit",
        lambda w: {
            "name": "Štajerska gospodarska zbornica",
            "kind": "chamber_of_commerce",
            "country_code": "SI",
            "version": w["organisation_version"],
        },
        staff_only(302),
    ),
    ("contacts.delete_organisation", "GET"): (
        "/organisations/{organisation}/delete",
        no_body,
        staff_only(200),
    ),
    ("contacts.delete_organisation", "POST"): (
        "/organisations/{organisation}/delete",
        lambda w: {"version": w["organisation_version"]},
        staff_only(302),
    ),
    ("contacts.add_role", "GET"): (
        "/partnerships/{pairing}/people/new",
        no_body,
        pairing_change(200),
    ),
    ("contacts.add_role", "POST"): (
        "/partnerships/{pairing}/people/new",
        lambda w: {"person_id": w["other_person"], "side": "b", "role": "akim"},
        pairing_change(),
    ),
    ("contacts.remove_role", "POST"): (
        "/partnerships/{pairing}/people/{role}/remove",
        lambda w: {"version": w["role_version"]},
        pairing_change(),
    ),
    ("search.index", "GET"): ("/search?q=maribor", no_body, everyone()),
    ("reports.weekly", "GET"): ("/reports/weekly?week=2026-W07", no_body, everyone()),
    ("reports.subscription", "POST"): (
        "/reports/subscription",
        lambda w: {"subscribe": "1"},
        everyone(302),
    ),
    ("imports.index", "GET"): ("/imports", no_body, staff_only(200)),
    # No file: the form says so.
    ("imports.upload", "POST"): ("/imports", lambda w: {"kind": "localities"}, staff_only(422)),
    ("imports.template", "GET"): ("/imports/templates/localities.csv", no_body, everyone()),
    ("imports.show", "GET"): ("/imports/{import_token}", no_body, import_job(200)),
    ("imports.progress", "GET"): ("/imports/{import_token}/progress", no_body, import_job(200)),
    ("imports.preview", "POST"): (
        "/imports/{import_token}/preview",
        lambda w: {"map-name": "name", "map-country": "country_code"},
        import_job(302),
    ),
    ("imports.apply", "POST"): (
        "/imports/{import_token}/apply",
        lambda w: {"map-name": "name", "map-country": "country_code", "mode": "all"},
        # Not previewed yet: applying is refused until the rows have been checked.
        import_job(409),
    ),
    ("exports.export", "GET"): ("/exports/pairings.csv", no_body, everyone()),
    ("exports.full", "GET"): ("/exports/full.zip", no_body, admin_only(200)),
    # The JSON API, called with each role's own token.
    ("api.openapi_document", "GET"): (
        "/api/v1/openapi.json",
        no_body,
        {**everyone(), "anonymous": 200},
    ),
    ("api.list_stages", "GET"): ("/api/v1/stages", no_body, api(everyone())),
    ("api.list_sectors", "GET"): ("/api/v1/sectors", no_body, api(everyone())),
    ("api.list_partnerships", "GET"): ("/api/v1/partnerships", no_body, api(everyone())),
    ("api.create_partnership", "POST"): (
        "/api/v1/partnerships",
        lambda w: {"locality_a_id": w["graz"], "locality_b_id": w["kyzylorda"]},
        api(staff_only(201)),
    ),
    ("api.get_partnership", "GET"): (
        "/api/v1/partnerships/{pairing}",
        no_body,
        api(pairing_read()),
    ),
    ("api.update_partnership", "PATCH"): (
        "/api/v1/partnerships/{pairing}",
        lambda w: {"version": w["version"], "title": "Renamed"},
        api(pairing_change(200)),
    ),
    ("api.archive_partnership", "DELETE"): (
        "/api/v1/partnerships/{pairing}",
        no_body,
        api(pairing_change(204)),
    ),
    ("api.list_stage_changes", "GET"): (
        "/api/v1/partnerships/{pairing}/stage-changes",
        no_body,
        api(pairing_read()),
    ),
    ("api.create_stage_change", "POST"): (
        "/api/v1/partnerships/{pairing}/stage-changes",
        lambda w: {"stage": "exploratory_talks", "version": w["version"]},
        api(pairing_change(201)),
    ),
    ("api.list_tasks", "GET"): (
        "/api/v1/partnerships/{pairing}/tasks",
        no_body,
        api(pairing_read()),
    ),
    ("api.create_task", "POST"): (
        "/api/v1/partnerships/{pairing}/tasks",
        lambda w: {"title": "Book the hall"},
        api(pairing_change(201)),
    ),
    ("api.update_task", "PATCH"): (
        "/api/v1/tasks/{task}",
        lambda w: {"version": w["task_version"], "status": "done"},
        api(rule(partner_shared=200, partner_other=404, viewer=403, officer=200, admin=200)),
    ),
    ("api.list_activities", "GET"): (
        "/api/v1/partnerships/{pairing}/activities",
        no_body,
        api(pairing_read()),
    ),
    ("api.create_activity", "POST"): (
        "/api/v1/partnerships/{pairing}/activities",
        lambda w: {"kind": "call", "occurred_at": "2026-02-13T10:00:00+01:00"},
        api(contribute(201)),
    ),
    ("api.list_localities", "GET"): ("/api/v1/localities", no_body, api(everyone())),
    ("api.create_locality", "POST"): (
        "/api/v1/localities",
        lambda w: {"name": "Celje", "kind": "city", "country": "SI"},
        api(staff_only(201)),
    ),
    ("api.get_locality", "GET"): ("/api/v1/localities/{maribor}", no_body, api(pairing_read())),
    ("api.update_locality", "PATCH"): (
        "/api/v1/localities/{maribor}",
        lambda w: {"version": w["maribor_version"], "name_en": "Marburg"},
        api(pairing_change(200)),
    ),
    ("api.list_people", "GET"): ("/api/v1/people", no_body, api(directory())),
    ("api.create_person", "POST"): (
        "/api/v1/people",
        lambda w: {"full_name": "Novak"},
        api(staff_only(201)),
    ),
    ("api.get_person", "GET"): ("/api/v1/people/{person}", no_body, api(directory())),
    ("api.update_person", "PATCH"): (
        "/api/v1/people/{person}",
        lambda w: {"version": w["person_version"], "position": "Mayor of Maribor"},
        api(staff_only(200)),
    ),
    ("api.list_organisations", "GET"): ("/api/v1/organisations", no_body, api(directory())),
    ("api.create_organisation", "POST"): (
        "/api/v1/organisations",
        lambda w: {"name": "Mestna občina Celje"},
        api(staff_only(201)),
    ),
    ("api.get_organisation", "GET"): (
        "/api/v1/organisations/{organisation}",
        no_body,
        api(directory()),
    ),
    ("api.update_organisation", "PATCH"): (
        "/api/v1/organisations/{organisation}",
        lambda w: {"version": w["organisation_version"], "city": "Maribor"},
        api(staff_only(200)),
    ),
    ("api.list_shares", "GET"): (
        "/api/v1/partnerships/{pairing}/shares",
        no_body,
        api(rule(partner_shared=403, partner_other=404, viewer=200, officer=200, admin=200)),
    ),
    ("api.create_share", "POST"): (
        "/api/v1/partnerships/{pairing}/shares",
        lambda w: {"user_id": w["partner-"]},
        api(pairing_change(201)),
    ),
    ("api.delete_share", "DELETE"): (
        "/api/v1/partnerships/{pairing}/shares/{partner+}",
        no_body,
        api(pairing_change(204)),
    ),
    ("api.weekly_report", "GET"): ("/api/v1/reports/weekly/2026-W07", no_body, api(everyone())),
    ("auth.change_password", "GET"): ("/account/password", no_body, everyone()),
    ("auth.change_password", "POST"): (
        "/account/password",
        lambda w: {
            "current_password": TEST_PASSWORD,
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
        everyone(302),
    ),
}
NOT_IN_MATRIX = {("static", "GET")}  # files, public by design


def route_methods(app: Flask) -> set[tuple[str, str]]:
    return {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }


def test_every_route_is_in_the_matrix(app: Flask) -> None:
    assert route_methods(app) - NOT_IN_MATRIX == set(MATRIX)


@pytest.fixture
def world(app: Flask) -> World:
    from crm.partnerships.stages import stage_by_key
    from crm.sectors.services import sector_by_slug

    with app.app_context():
        owner = make_user("officer", name="Owner Officer")
        partner_shared = make_user("partner", name="Shared Partner")
        partner_other = make_user("partner", name="Other Partner")
        target = make_user("officer", name="Target Officer")
        inactive = make_user("officer", name="Gone Officer", is_active=False)
        maribor = make_locality("Maribor")
        kyzylorda = make_locality("Kyzylorda", country_code="KZ", kind="region")
        graz = make_locality("Graz", country_code="AT")
        pairing = make_partnership(maribor, kyzylorda, owner=owner)
        share(pairing, partner_shared, by=owner)
        archived = make_partnership(graz, maribor, owner=owner)
        archive_partnership(archived, by=owner)
        task = make_task(pairing, title="Draft the memorandum", assignee=partner_shared)
        done_task = make_task(pairing, title="Send the letter", assignee=partner_shared)
        complete_task(done_task, by=owner)
        organisation = make_organisation("Štajerska gospodarska zbornica")
        person = make_person("Aleksander Saša Arsenovič", organisation=organisation)
        other_person = make_person("Altay Abibullayev")
        role = make_role(pairing, person, side="a", role="mayor")
        activity = make_activity(pairing, participants=(person,))
        owner.calendar_token_hash = secret_digest("matrix-feed-token")
        issue_token(owner, "owner's script")
        session.commit()
        import_token = make_import_job(owner.id)
        return {
            "owner": owner.id,
            "partner+": partner_shared.id,
            "partner-": partner_other.id,
            "target": target.id,
            "inactive": inactive.id,
            "maribor": maribor.id,
            "maribor_version": maribor.version,
            "kyzylorda": kyzylorda.id,
            "graz": graz.id,
            "pairing": pairing.id,
            "version": pairing.version,
            "sector": sector_by_slug("education").id,
            "sector_version": sector_by_slug("education").version,
            # As the merge form's option gives it: the sector and its version.
            "other_sector": f"{sector_by_slug('culture').id}:{sector_by_slug('culture').version}",
            "stage": stage_by_key("prospect").id,
            "stage_version": stage_by_key("prospect").version,
            "archived": archived.id,
            "task": task.id,
            "task_version": task.version,
            "done_task": done_task.id,
            "organisation": organisation.id,
            "organisation_version": organisation.version,
            "person": person.id,
            "person_version": person.version,
            "other_person": other_person.id,
            # As the merge form's option gives it: the person and their version.
            "other_person_choice": f"{other_person.id}:{other_person.version}",
            "role": role.id,
            "role_version": role.version,
            "activity": activity.id,
            "activity_version": activity.version,
            "feed": "matrix-feed-token",
            "token": session.scalar(select(ApiToken.id)),
            "import_token": import_token,
        }


def user_for(app: Flask, role: str, world: World) -> Any:
    from crm.auth.models import User

    with app.app_context():
        if role in ("partner+", "partner-"):
            user = session.get(User, world[role])
        else:
            user = make_user(role)
            session.commit()
        return user.id


def api_headers(app: Flask, role: str, world: World) -> dict[str, str]:
    if role == "anonymous":
        return {}
    from crm.auth.models import User

    user_id = user_for(app, role, world)
    with app.app_context():
        _, secret = issue_token(session.get(User, user_id), "matrix")
        session.commit()
    return {"Authorization": f"Bearer {secret}"}


def log_in(app: Flask, client: FlaskClient, role: str, world: World) -> None:
    if role == "anonymous":
        return
    with app.app_context():
        if role in ("partner+", "partner-"):
            from crm.auth.models import User

            user = session.get(User, world[role])
        else:
            user = make_user(role)
            session.commit()
        session_id = user.get_id()
    with client.session_transaction() as cookie_session:
        cookie_session["_user_id"] = session_id
        cookie_session["_fresh"] = True


CASES = [(endpoint, method, role) for (endpoint, method) in sorted(MATRIX) for role in ROLES]


@pytest.mark.parametrize(("endpoint", "method", "role"), CASES)
def test_route_method_role(
    app: Flask, client: FlaskClient, world: World, endpoint: str, method: str, role: str
) -> None:
    url, body, expected = MATRIX[(endpoint, method)]
    target = url.format(**world)
    if endpoint.startswith("api."):
        headers = api_headers(app, role, world)
        payload = {"json": body(world)} if method in ("POST", "PATCH") else {}
        response = client.open(target, method=method, headers=headers, **payload)
    else:
        log_in(app, client, role, world)
        if method == "GET":
            response = client.get(target)
        else:
            response = client.open(target, method=method, data=body(world))
    assert response.status_code == expected[role], response.get_data(as_text=True)[:2000]
    if expected[role] == 302 and role == "anonymous":
        assert response.headers["Location"].startswith("/login")


def without_token(response: Any) -> str:
    """The page with its CSRF tokens blanked (the token is signed with the time, so two otherwise
    identical pages differ in it when a second passes between them), and with the address the
    language switch returns to, which is the one the reader typed."""
    page = re.sub(r'"X-CSRFToken": "[^"]*"', '"X-CSRFToken": ""', response.get_data(as_text=True))
    page = re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token" value=""', page)
    return re.sub(r'name="next" value="[^"]*"', 'name="next" value=""', page)


@pytest.mark.parametrize("role", ["partner-", "viewer", "officer"])
def test_a_hidden_pairing_is_the_same_404_as_a_missing_one(
    app: Flask, client: FlaskClient, world: World, role: str
) -> None:
    log_in(app, client, role, world)
    pairing = world["pairing"]
    for template in (
        "/partnerships/{}",
        "/partnerships/{}/edit",
    ):
        hidden = client.get(template.format(pairing))
        missing = client.get(template.format(987654))
        if role != "partner-":
            assert hidden.status_code != 404
            continue
        assert hidden.status_code == missing.status_code == 404
        assert without_token(hidden) == without_token(missing)
    for template, data in (
        ("/partnerships/{}/stage", {"stage": "exploratory_talks", "version": 1}),
        ("/partnerships/{}/status", {"status": "on_hold", "version": 1}),
        ("/partnerships/{}/shares", {"user_id": world["partner-"]}),
    ):
        hidden = client.post(template.format(pairing), data=data)
        missing = client.post(template.format(987654), data=data)
        assert missing.status_code == 404
        if role == "partner-":
            assert hidden.status_code == 404
            assert without_token(hidden) == without_token(missing)


@pytest.mark.parametrize("name", ["people", "organisations"])
def test_partners_cannot_export_the_contact_directories(
    app: Flask, client: FlaskClient, world: World, name: str
) -> None:
    log_in(app, client, "partner+", world)
    assert client.get(f"/exports/{name}.csv").status_code == 403


def test_a_partners_exports_hold_only_their_pairing_and_its_localities(
    app: Flask, client: FlaskClient, world: World
) -> None:
    log_in(app, client, "partner+", world)
    pairings = client.get("/exports/pairings.csv").get_data(as_text=True)
    localities = client.get("/exports/localities.csv").get_data(as_text=True)
    assert "Maribor – Kyzylorda" in pairings
    assert "Graz" not in pairings and "Graz" not in localities
    assert "Maribor" in localities
