"""Every form, given bad values: a clear message, a 4xx, and nothing written. Never a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from crm.db import session
from crm.localities.models import Locality
from crm.partnerships.models import Partnership, Sector, Stage, StageChange
from tests.factories import make_locality, make_partnership

LONG = "x" * 10_000
UNKNOWN_SECTOR = "One of the sectors does not exist; choose sectors from the list."


@pytest.fixture
def world(app: Flask, login_as: Callable[..., int]) -> dict[str, Any]:
    user_id = login_as("admin")
    with app.app_context():
        maribor = make_locality("Maribor")
        kyzylorda = make_locality("Kyzylorda", country_code="KZ", kind="region")
        graz = make_locality("Graz", country_code="AT")
        partnership = make_partnership(maribor, kyzylorda)
        session.commit()
        return {
            "user": user_id,
            "maribor": maribor.id,
            "kyzylorda": kyzylorda.id,
            "graz": graz.id,
            "partnership": partnership.id,
            "version": partnership.version,
            "locality_version": maribor.version,
        }


def snapshot(app: Flask) -> tuple[Any, ...]:
    """Everything a form could write, so a refused submission can be shown to change nothing."""
    with app.app_context():
        return (
            session.scalar(select(func.count()).select_from(Locality)),
            session.scalar(select(func.count()).select_from(Partnership)),
            session.scalar(select(func.count()).select_from(StageChange)),
            tuple(session.scalars(select(Partnership.version).order_by(Partnership.id))),
            tuple(session.scalars(select(Locality.version).order_by(Locality.id))),
            tuple(session.execute(select(Stage.key, Stage.name, Stage.position))),
            tuple(session.execute(select(Sector.slug, Sector.name).order_by(Sector.slug))),
        )


LOCALITY = {"name": "Celje", "kind": "city", "country_code": "SI", "subdivision_code": ""}
LOCALITY_CASES = {
    "empty name": ({"name": ""}, "Give the name as it is written locally."),
    "10,000-character name": ({"name": LONG}, "Field cannot be longer than 200 characters."),
    "unknown country": ({"country_code": "XX"}, "Choose a country from the list."),
    "unknown subdivision": ({"subdivision_code": "SI-999"}, "not in the current ISO 3166-2"),
    "subdivision of another country": ({"subdivision_code": "KZ-43"}, "not a subdivision of SI"),
    "unknown kind": ({"kind": "village"}, "Choose a kind from the list."),
    "duplicate": ({"name": "MARIBOR"}, "already a city"),
}


@pytest.mark.parametrize("case", sorted(LOCALITY_CASES))
def test_new_locality_bad_input(
    app: Flask, client: FlaskClient, world: dict[str, Any], case: str
) -> None:
    changes, message = LOCALITY_CASES[case]
    before = snapshot(app)
    response = client.post("/localities/new", data={**LOCALITY, **changes})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert snapshot(app) == before


@pytest.mark.parametrize("case", sorted(LOCALITY_CASES))
def test_edit_locality_bad_input(
    app: Flask, client: FlaskClient, world: dict[str, Any], case: str
) -> None:
    changes, message = LOCALITY_CASES[case]
    before = snapshot(app)
    response = client.post(
        f"/localities/{world['graz']}/edit",
        data={**LOCALITY, "version": world["locality_version"], **changes},
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert snapshot(app) == before


def pairing_form(world: dict[str, Any]) -> dict[str, Any]:
    return {
        "locality_a_id": world["maribor"],
        "locality_b_id": world["graz"],
        "owner_id": world["user"],
        "title": "",
        "summary": "",
    }


PAIRING_CASES = {
    "same locality twice": ({"locality_b_id": "{maribor}"}, "Choose two different localities."),
    "duplicate open pair": (
        {"locality_a_id": "{kyzylorda}", "locality_b_id": "{maribor}"},
        "already paired",
    ),
    "no locality": ({"locality_a_id": ""}, "Choose a locality from the list."),
    "locality that does not exist": (
        {"locality_a_id": "999999"},
        "Choose a locality from the list.",
    ),
    "locality id that is not a number": (
        {"locality_b_id": "maribor"},
        "Choose a locality from the list.",
    ),
    "impossible date": ({"first_contact_on": "2026-02-30"}, "Give a real date as YYYY-MM-DD"),
    "date in another format": ({"signed_on": "13.02.2026"}, "Give a real date as YYYY-MM-DD"),
    "date at the end of the calendar": (
        {"target_signing_on": "9999-12-31"},
        "Give a date between 1900-01-01 and 2200-12-31.",
    ),
    "date at the start of the calendar": (
        {"first_contact_on": "0001-01-01"},
        "Give a date between 1900-01-01 and 2200-12-31.",
    ),
    "10,000-character title": ({"title": LONG}, "Field cannot be longer than 300 characters."),
    "summary too long": ({"summary": "y" * 10_001}, "cannot be longer than 10000"),
    "owner who is not a user": ({"owner_id": "999999"}, "Choose an owner from the list."),
    "sector that does not exist": ({"sector_ids": ["999999"]}, UNKNOWN_SECTOR),
    "sector id that is not a number": ({"sector_ids": ["1", "abc"]}, UNKNOWN_SECTOR),
    "signed before first contact": (
        {"first_contact_on": "2026-02-13", "signed_on": "2026-01-01"},
        "before the first contact",
    ),
}


def _fill(changes: dict[str, Any], world: dict[str, Any]) -> dict[str, Any]:
    return {
        key: value.format(**world) if isinstance(value, str) else value
        for key, value in changes.items()
    }


@pytest.mark.parametrize("case", sorted(PAIRING_CASES))
def test_new_pairing_bad_input(
    app: Flask, client: FlaskClient, world: dict[str, Any], case: str
) -> None:
    changes, message = PAIRING_CASES[case]
    before = snapshot(app)
    response = client.post(
        "/partnerships/new", data={**pairing_form(world), **_fill(changes, world)}
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert snapshot(app) == before


@pytest.mark.parametrize("case", sorted(set(PAIRING_CASES) - {"duplicate open pair"}))
def test_edit_pairing_bad_input(
    app: Flask, client: FlaskClient, world: dict[str, Any], case: str
) -> None:
    changes, message = PAIRING_CASES[case]
    before = snapshot(app)
    form = {
        **pairing_form(world),
        "locality_b_id": world["kyzylorda"],
        "version": world["version"],
        **_fill(changes, world),
    }
    response = client.post(f"/partnerships/{world['partnership']}/edit", data=form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert snapshot(app) == before


INCOMPLETE = "This form arrived incomplete; load the page again and redo the change."


@pytest.mark.parametrize("version", ["abc", "", "0"])
def test_a_tampered_version_is_said_on_the_form_it_is_hidden_in(
    app: Flask, client: FlaskClient, world: dict[str, Any], version: str
) -> None:
    """Regression: a 422 whose only message sat on the hidden field, so the page said nothing."""
    before = snapshot(app)
    form = {**pairing_form(world), "locality_b_id": world["kyzylorda"], "version": version}
    response = client.post(f"/partnerships/{world['partnership']}/edit", data=form)
    assert response.status_code == 422
    assert INCOMPLETE in response.get_data(as_text=True)
    assert snapshot(app) == before


def edit_meanwhile(app: Flask, world: dict[str, Any]) -> None:
    """A colleague's save: the pairing moves on a version, and a page drawn before is stale."""
    with app.app_context():
        session.get(Partnership, world["partnership"]).summary = "A colleague's summary"
        session.commit()


MOVE_CASES = {
    "stage that does not exist": (
        {"stage": "signed_yesterday"},
        422,
        "Choose a stage from the list.",
    ),
    "the current stage": ({"stage": "prospect"}, 422, "already at"),
    "version zero": ({"version": "0"}, 422, INCOMPLETE),
    # The version the page was drawn with, the pairing edited since: a stale page.
    "old version": ({"version": "{version}"}, 409, "Someone changed this record"),
    # A version the pairing never had: no page gave it.
    "version ahead": ({"version": "{ahead}"}, 422, INCOMPLETE),
    "no version": ({"version": ""}, 422, INCOMPLETE),
    "version that is not a number": ({"version": "abc"}, 422, INCOMPLETE),
    "note too long": ({"note": LONG}, 422, "cannot be longer than 2000"),
}


@pytest.mark.parametrize("case", sorted(MOVE_CASES))
@pytest.mark.parametrize("from_board", [False, True], ids=["detail page", "board"])
def test_stage_move_bad_input(
    app: Flask, client: FlaskClient, world: dict[str, Any], case: str, from_board: bool
) -> None:
    changes, status, message = MOVE_CASES[case]
    form = {
        "stage": "exploratory_talks",
        "version": world["version"],
        "note": "",
        **_fill(changes, {**world, "ahead": world["version"] + 5}),
    }
    if case == "old version":
        edit_meanwhile(app, world)
    if from_board:
        form["board_query"] = ""
    before = snapshot(app)
    response = client.post(
        f"/partnerships/{world['partnership']}/stage",
        data=form,
        headers={"HX-Request": "true"} if from_board else {},
    )
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert snapshot(app) == before


@pytest.mark.parametrize(
    ("form", "status", "message"),
    [
        ({"status": "closed", "version": "1"}, 422, "Choose a status from the list."),
        ({"status": "open", "version": "1"}, 422, "already open"),
        # Drawn at version 1, the pairing edited since (below).
        ({"status": "dropped", "version": "1"}, 409, "Someone changed this record"),
        # A version the pairing never had: no page gave it.
        ({"status": "dropped", "version": "7"}, 422, INCOMPLETE),
        ({"status": "dropped", "version": "1", "note": LONG}, 422, "cannot be longer"),
    ],
)
def test_status_change_bad_input(
    app: Flask,
    client: FlaskClient,
    world: dict[str, Any],
    form: dict[str, str],
    status: int,
    message: str,
) -> None:
    if status == 409:
        edit_meanwhile(app, world)
    before = snapshot(app)
    response = client.post(f"/partnerships/{world['partnership']}/status", data=form)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert snapshot(app) == before


@pytest.mark.parametrize(
    ("url", "form", "message"),
    [
        ("/sectors", {"name": ""}, "Give the sector a name."),
        ("/sectors", {"name": LONG}, "cannot be longer than 100"),
        ("/sectors", {"name": "CULTURE"}, "already a sector"),
        (
            "/sectors/{culture}/rename",
            {"rename-{culture}-name": "Education", "rename-{culture}-version": "{culture_v}"},
            "already a sector",
        ),
        (
            "/sectors/{culture}/rename",
            {"rename-{culture}-name": " ", "rename-{culture}-version": "{culture_v}"},
            "Give the sector a name.",
        ),
        (
            "/sectors/{culture}/merge",
            {
                "merge-{culture}-into": "{culture}:{culture_v}",
                "merge-{culture}-version": "{culture_v}",
            },
            "cannot be merged",
        ),
        (
            "/sectors/{culture}/merge",
            {"merge-{culture}-into": "999999", "merge-{culture}-version": "{culture_v}"},
            "Choose a sector from the list.",
        ),
        ("/stages", {"name": "", "after": "0"}, "Give the stage a name."),
        ("/stages", {"name": "prospect", "after": "0"}, "already a stage"),
        ("/stages", {"name": "Ratified", "after": "999999"}, "Choose a stage from the list."),
        ("/stages", {"name": "Ratified", "after": "abc"}, "Choose a stage from the list."),
        (
            "/stages/{prospect}/rename",
            {"rename-{prospect}-name": LONG, "rename-{prospect}-version": "{prospect_v}"},
            "cannot be longer",
        ),
        (
            "/stages/{prospect}/rename",
            {
                "rename-{prospect}-name": "Exploratory Talks",
                "rename-{prospect}-version": "{prospect_v}",
            },
            "already a stage",
        ),
    ],
)
def test_admin_forms_bad_input(
    app: Flask,
    client: FlaskClient,
    world: dict[str, Any],
    url: str,
    form: dict[str, str],
    message: str,
) -> None:
    with app.app_context():
        ids = {
            "culture": session.scalar(select(Sector.id).where(Sector.slug == "culture")),
            "prospect": session.scalar(select(Stage.id).where(Stage.key == "prospect")),
            "culture_v": session.scalar(select(Sector.version).where(Sector.slug == "culture")),
            "prospect_v": session.scalar(select(Stage.version).where(Stage.key == "prospect")),
        }
    before = snapshot(app)
    response = client.post(
        url.format(**ids),
        data={key.format(**ids): value.format(**ids) for key, value in form.items()},
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert snapshot(app) == before


HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    "url",
    [
        f"/board/columns/prospect?offset={HUGE}",
        "/board/columns/prospect?offset=-5",
        f"/localities?page={HUGE}",
        f"/localities/options?q=Mar&selected={HUGE}",
        f"/organisations/options?organisation_q=Mar&organisation_id={HUGE}",
        f"/people/options?q=a&person_id={HUGE}",
        f"/partnerships?page={HUGE}",
        f"/partnerships/new?locality_a={HUGE}&locality_b=-1",
        f"/people?page={HUGE}",
        f"/organisations?page={HUGE}",
        f"/audit?page={HUGE}",
        f"/tasks/mine?page={HUGE}",
    ],
)
def test_numbers_too_big_for_the_database_in_a_query_string_are_not_a_500(
    client: FlaskClient, world: dict[str, Any], url: str
) -> None:
    """Regression: ?offset=<twenty digits> on the board's "Show more" was an overflow error."""
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("text", "record_id"),
    [("1", 1), ("1000000000", 1_000_000_000), ("2147483647", 2_147_483_647), ("2147483648", None),
     ("0", None), ("", None), ("²", None), ("-1", None), (HUGE, None)],
)  # fmt: skip
def test_a_record_id_typed_in_a_filter_is_one_the_databases_can_hold(
    text: str, record_id: int | None
) -> None:
    """Ids of ten digits were refused as unknown by the filters' own length rule."""
    from crm.routing import record_id_in

    assert record_id_in(text) == record_id
