"""Every route × method × role gets the status its rule says.

Roles: anonymous, a partner with the pairing shared ("partner+"), a partner without it
("partner-"), viewer, officer, admin. The target pairing is shared with partner+ only, so for
partner- it must be absent: the same 404 as an id that does not exist. A route missing from
MATRIX fails `test_every_route_is_in_the_matrix`, so a new route cannot be added without
deciding its rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from crm.db import session
from crm.sharing.services import share
from tests.factories import TEST_PASSWORD, make_locality, make_partnership, make_user

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


def no_body(world: World) -> dict[str, Any]:
    return {}


# (endpoint, method) -> (url template, body builder, expected status per role)
MATRIX: dict[tuple[str, str], tuple[str, Body, dict[str, int]]] = {
    ("board.home", "GET"): ("/", no_body, everyone(302)),
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
        lambda w: {f"rename-{w['sector']}-name": "Schools"},
        admin_only(302),
    ),
    ("sectors.merge", "POST"): (
        "/sectors/{sector}/merge",
        lambda w: {f"merge-{w['sector']}-into": w["other_sector"]},
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
        lambda w: {f"rename-{w['stage']}-name": "First idea"},
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
    ("audit.index", "GET"): ("/audit", no_body, admin_only(200)),
    ("auth.login", "GET"): ("/login", no_body, {**everyone(302), "anonymous": 200}),
    ("auth.login", "POST"): (
        "/login",
        lambda w: {"email": "nobody@example.com", "password": "not the password"},
        {**everyone(302), "anonymous": 401},
    ),
    ("auth.logout", "POST"): ("/logout", no_body, everyone(302)),
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
        session.commit()
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
            "other_sector": sector_by_slug("culture").id,
            "stage": stage_by_key("prospect").id,
        }


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
    log_in(app, client, role, world)
    target = url.format(**world)
    if method == "GET":
        response = client.get(target)
    else:
        response = client.open(target, method=method, data=body(world))
    assert response.status_code == expected[role], response.get_data(as_text=True)[:2000]
    if expected[role] == 302 and role == "anonymous":
        assert response.headers["Location"].startswith("/login")


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
        assert hidden.get_data() == missing.get_data()
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
            assert hidden.get_data() == missing.get_data()
