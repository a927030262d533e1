from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from crm.db import session
from crm.localities.models import Locality
from crm.partnerships.models import Partnership, StageChange
from tests.api.conftest import Api
from tests.factories import make_locality, make_partnership


@pytest.fixture
def localities(app: Flask) -> dict[str, int]:
    with app.app_context():
        maribor = make_locality("Maribor", subdivision_code="SI-070")
        kyzylorda = make_locality(
            "Қызылорда облысы",
            name_en="Kyzylorda Region",
            country_code="KZ",
            kind="region",
            subdivision_code="KZ-43",
        )
        graz = make_locality("Graz", country_code="AT")
        session.commit()
        return {"maribor": maribor.id, "kyzylorda": kyzylorda.id, "graz": graz.id}


def count(app: Flask, model: type) -> int:
    with app.app_context():
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_create_read_move_and_list_a_pairing(api: Api, localities: dict[str, int]) -> None:
    created = api.post(
        "/partnerships",
        {
            "locality_a_id": localities["maribor"],
            "locality_b_id": localities["kyzylorda"],
            "sectors": ["education", "water-resources-management"],
            "first_contact_on": "2026-02-13",
        },
    )
    assert created.status_code == 201
    assert created.headers["Content-Type"] == "application/json; charset=utf-8"
    body = created.get_json()
    assert created.headers["Location"] == f"/api/v1/partnerships/{body['id']}"
    assert body["title"] == "Maribor – Kyzylorda Region"
    assert body["locality_b"] == {
        "id": localities["kyzylorda"],
        "name": "Қызылорда облысы",
        "name_en": "Kyzylorda Region",
        "country": "KZ",
    }
    assert body["stage"] == {"key": "prospect", "name": "Prospect", "position": 1}
    assert body["status"] == "open"
    assert body["sectors"] == ["education", "water-resources-management"]
    assert body["owner"]["id"] == api.user_id
    assert body["created_at"].endswith("+00:00")
    assert "Қызылорда" in created.get_data(as_text=True)  # UTF-8, not \\u escapes

    moved = api.post(
        f"/partnerships/{body['id']}/stage-changes",
        {"stage": "agreement_in_principle", "note": "Agreed", "version": body["version"]},
    )
    assert moved.status_code == 201
    assert moved.get_json()["stage"]["key"] == "agreement_in_principle"
    assert moved.get_json()["version"] > body["version"]

    history = api.get(f"/partnerships/{body['id']}/stage-changes").get_json()
    assert [
        (h["from_stage"] and h["from_stage"]["key"], h["to_stage"]["key"]) for h in history["items"]
    ] == [(None, "prospect"), ("prospect", "agreement_in_principle")]
    assert history["items"][1]["note"] == "Agreed"

    listed = api.get("/partnerships", query_string={"q": "kyzylorda"}).get_json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]
    both = api.get("/partnerships", query_string={"q": "kyzylorda maribor"}).get_json()
    assert [item["id"] for item in both["items"]] == [body["id"]]


def test_stale_stage_change_is_409_and_writes_nothing(
    app: Flask, api: Api, localities: dict[str, int]
) -> None:
    body = api.post(
        "/partnerships",
        {"locality_a_id": localities["maribor"], "locality_b_id": localities["graz"]},
    ).get_json()
    api.post(
        f"/partnerships/{body['id']}/stage-changes",
        {"stage": "exploratory_talks", "version": body["version"]},
    )
    rows = count(app, StageChange)

    stale = api.post(
        f"/partnerships/{body['id']}/stage-changes",
        {"stage": "memorandum_drafting", "version": body["version"]},
    )

    assert stale.status_code == 409
    assert stale.get_json()["error"]["code"] == "conflict"
    assert count(app, StageChange) == rows


def test_patch_changes_only_what_is_given_and_checks_the_version(
    api: Api, localities: dict[str, int]
) -> None:
    body = api.post(
        "/partnerships",
        {
            "locality_a_id": localities["maribor"],
            "locality_b_id": localities["graz"],
            "summary": "keep me",
            "sectors": ["culture"],
        },
    ).get_json()
    patched = api.patch(
        f"/partnerships/{body['id']}",
        {"version": body["version"], "title": "Maribor and Graz", "status": "on_hold"},
    )
    assert patched.status_code == 200
    result = patched.get_json()
    assert (result["title"], result["summary"], result["sectors"], result["status"]) == (
        "Maribor and Graz",
        "keep me",
        ["culture"],
        "on_hold",
    )
    again = api.patch(f"/partnerships/{body['id']}", {"version": body["version"], "title": "x"})
    assert again.status_code == 409


def test_reopening_beside_an_open_pairing_is_422_on_status(
    api: Api, localities: dict[str, int]
) -> None:
    """The caller sent only `status`: the refusal names it, not a locality left alone."""
    pair = {"locality_a_id": localities["maribor"], "locality_b_id": localities["graz"]}
    first = api.post("/partnerships", pair).get_json()
    dropped = api.patch(
        f"/partnerships/{first['id']}", {"version": first["version"], "status": "dropped"}
    ).get_json()
    assert api.post("/partnerships", pair).status_code == 201

    reopened = api.patch(
        f"/partnerships/{first['id']}", {"version": dropped["version"], "status": "open"}
    )

    assert reopened.status_code == 422
    fields = reopened.get_json()["error"]["fields"]
    assert list(fields) == ["status"]
    assert "already paired" in fields["status"][0]
    after = api.get(f"/partnerships/{first['id']}").get_json()
    assert (after["status"], after["version"]) == ("dropped", dropped["version"])


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("first_contact_on", "0001-01-01"),
        ("target_signing_on", "9999-12-31"),
        ("signed_on", "2201-01-01"),
    ],
)
def test_a_patch_with_a_date_outside_the_span_is_422_and_writes_nothing(
    app: Flask, api: Api, localities: dict[str, int], field: str, value: str
) -> None:
    body = api.post(
        "/partnerships",
        {"locality_a_id": localities["maribor"], "locality_b_id": localities["graz"]},
    ).get_json()
    response = api.patch(f"/partnerships/{body['id']}", {"version": body["version"], field: value})
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    after = api.get(f"/partnerships/{body['id']}").get_json()
    assert (after["version"], after[field]) == (body["version"], None)


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"locality_a_id": "{maribor}", "locality_b_id": "{maribor}"}, 422, "locality_b_id"),
        ({"locality_a_id": "{maribor}", "locality_b_id": "{kyzylorda}"}, 422, "locality_b_id"),
        ({"locality_a_id": "{maribor}"}, 422, "locality_b_id"),
        ({"locality_a_id": "{maribor}", "locality_b_id": 999999}, 422, "locality_b_id"),
        (
            {"locality_a_id": "{maribor}", "locality_b_id": "{graz}", "sectors": ["nope"]},
            422,
            "sectors",
        ),
        ({"locality_a_id": "{maribor}", "locality_b_id": "{graz}", "stage": "nope"}, 422, "stage"),
        (
            {"locality_a_id": "{maribor}", "locality_b_id": "{graz}", "signed_on": "2026-02-30"},
            422,
            "signed_on",
        ),
        (
            {"locality_a_id": "{maribor}", "locality_b_id": "{graz}", "title": "x" * 10_000},
            422,
            "title",
        ),
        ({"locality_a_id": "{maribor}", "locality_b_id": "{graz}", "colour": "red"}, 422, "colour"),
        (
            {"locality_a_id": "{maribor}", "locality_b_id": "{graz}", "signed_on": "0001-01-01"},
            422,
            "signed_on",
        ),
        (
            {
                "locality_a_id": "{maribor}",
                "locality_b_id": "{graz}",
                "target_signing_on": "9999-12-31",
            },
            422,
            "target_signing_on",
        ),
        (
            {"locality_a_id": "{maribor}", "locality_b_id": "{graz}", "owner_id": 999999},
            422,
            "owner_id",
        ),
        # The wrong JSON types: `true` was locality 1, "45" and 45.0 were 45, and a number
        # was a date counted in seconds.
        ({"locality_a_id": True, "locality_b_id": "{graz}"}, 422, "locality_a_id"),
        ({"locality_a_id": "{maribor}", "locality_b_id": 45.0}, 422, "locality_b_id"),
        ({"locality_a_id": "{maribor}", "locality_b_id": "45"}, 422, "locality_b_id"),
        (
            {"locality_a_id": "{maribor}", "locality_b_id": "{graz}", "first_contact_on": 0},
            422,
            "first_contact_on",
        ),
    ],
)
def test_bad_pairings_are_422_with_the_field_and_write_nothing(
    app: Flask, api: Api, localities: dict[str, int], body: dict, status: int, field: str
) -> None:
    with app.app_context():
        make_partnership(
            session.get_one(Locality, localities["maribor"]),
            session.get_one(Locality, localities["kyzylorda"]),
        )
        session.commit()
    before = count(app, Partnership)
    filled = {
        key: (
            localities[value[1:-1]] if isinstance(value, str) and value.startswith("{") else value
        )
        for key, value in body.items()
    }
    response = api.post("/partnerships", filled)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert field in error["fields"], error
    assert count(app, Partnership) == before


def test_list_filters_and_cursor_pagination(app: Flask, api: Api) -> None:
    with app.app_context():
        hub = make_locality("Hub", country_code="AT")
        ids = [make_partnership(hub, sectors=("culture",) if n % 2 else ()).id for n in range(5)]
        session.commit()
    first = api.get("/partnerships", query_string={"limit": 2}).get_json()
    second = api.get(
        "/partnerships", query_string={"limit": 2, "cursor": first["next_cursor"]}
    ).get_json()
    third = api.get(
        "/partnerships", query_string={"limit": 2, "cursor": second["next_cursor"]}
    ).get_json()
    assert [i["id"] for i in first["items"] + second["items"] + third["items"]] == ids
    assert third["next_cursor"] is None
    cultured = api.get("/partnerships", query_string={"sector": "culture"}).get_json()
    assert [i["id"] for i in cultured["items"]] == ids[1::2]
    assert len(api.get("/partnerships?country=at").get_json()["items"]) == 5
    assert api.get("/partnerships?status=dropped").get_json()["items"] == []
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert (
        api.get("/partnerships", query_string={"updated_since": future}).get_json()["items"] == []
    )


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=201",
        "limit=ten",
        "cursor=not-ours",
        "cursor=aWQ6OTIyMzM3MjAzNjg1NDc3NTgwOA",  # id:9223372036854775808, an overflow (a 500)
        "status=closed",
        "owner_id=-1",
        "country=Slovenia",
        "updated_since=yesterday",
        "updated_since=2026-02-13T10:00:00",
        # The ends of the calendar, east and west of UTC: comparing them in UTC overflowed.
        "updated_since=0001-01-01T00:00:00%2B05:00",
        "updated_since=9999-12-31T23:59:59-05:00",
        "updated_since=1899-06-30T12:00:00%2B00:00",
        # A filter naming nothing answered an empty list, as if there were none.
        "stage=signed_yesterday",
        "sector=underwater-basket-weaving",
        "country=XX",
    ],
)
def test_bad_list_parameters_are_422(api: Api, query: str) -> None:
    response = api.get(f"/partnerships?{query}")
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]


def test_listing_200_pairings_takes_a_constant_number_of_statements(
    app: Flask, api: Api, count_statements: Callable
) -> None:
    def grow(size: int) -> None:
        with app.app_context():
            for n in range(size):
                make_partnership(sectors=("culture", "education")[: n % 3])
            session.commit()

    grow(20)
    api.get("/partnerships?limit=200")
    with count_statements() as small:
        assert len(api.get("/partnerships?limit=200").get_json()["items"]) == 20
    grow(200)
    with count_statements() as large:
        assert len(api.get("/partnerships?limit=200").get_json()["items"]) == 200
    assert large.count == small.count


def test_nul_characters_are_bad_input_not_a_server_error(api: Api) -> None:
    # PostgreSQL cannot hold NUL in text: found by Schemathesis as a 500 on `sector=%00`.
    listed = api.get("/partnerships", query_string={"sector": "\x00", "q": "a\x00b"})
    assert listed.status_code == 422
    assert listed.get_json()["error"]["code"] == "validation_failed"
    created = api.post(
        "/partnerships", {"locality_a_id": 1, "locality_b_id": 2, "sectors": ["\x00"]}
    )
    assert created.status_code == 422


def test_what_a_token_changes_is_recorded_as_its_owners_doing(app: Flask, api: Api) -> None:
    """Regression: every API write, and every API refusal, was in the audit log as anonymous."""
    from crm.audit.models import AuditEntry

    with app.app_context():
        pairing = make_partnership()
        session.commit()
        pairing_id, version = pairing.id, pairing.version
    changed = api.patch(f"/partnerships/{pairing_id}", {"summary": "Water", "version": version})
    assert changed.status_code == 200
    with app.app_context():
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.object_id == pairing_id).order_by(AuditEntry.id)
        ).all()[-1]
        assert (entry.actor_id, entry.actor_label) == (api.user_id, entry.actor.email)


def test_the_localities_list_refuses_a_country_that_does_not_exist(api: Api) -> None:
    """As the pairings' list does: an empty list would read as "none there"."""
    response = api.get("/localities?country=XX")
    assert response.status_code == 422
    assert "country" in response.get_json()["error"]["fields"]
    assert api.get("/localities?country=si").status_code == 200


def test_a_refused_stage_or_sector_says_why_on_its_field(
    app: Flask, api: Api, localities: dict[str, int]
) -> None:
    """Regression: the field held the bad value ("nope") rather than a message."""
    created = api.post(
        "/partnerships",
        {
            "locality_a_id": localities["maribor"],
            "locality_b_id": localities["graz"],
            "sectors": ["nope"],
        },
    )
    assert created.get_json()["error"]["fields"] == {"sectors": ["There is no sector “nope”."]}
    with app.app_context():
        pairing = make_partnership()
        session.commit()
        pid, version = pairing.id, pairing.version
    moved = api.post(f"/partnerships/{pid}/stage-changes", {"stage": "nope", "version": version})
    assert moved.get_json()["error"]["fields"] == {"stage": ["There is no stage “nope”."]}


def test_a_first_contact_to_come_never_leaves_a_pairing_that_cannot_be_saved(
    app: Flask, api: Api, localities: dict[str, int]
) -> None:
    """Regression (found by trying the app): created at *signed* with a first contact dated
    later this month, a pairing got today's signing date, before it, and every PATCH of it was
    then a 422 about a date nobody had touched."""
    later = (datetime.now(UTC).date() + timedelta(days=16)).isoformat()
    pair = {"locality_a_id": localities["maribor"], "locality_b_id": localities["graz"]}
    refused = api.post(
        "/partnerships", {**pair, "stage": "memorandum_signed", "first_contact_on": later}
    )
    assert refused.status_code == 422
    assert "first_contact_on" in refused.get_json()["error"]["fields"]
    assert count(app, Partnership) == 0

    body = api.post("/partnerships", {**pair, "stage": "memorandum_review"}).get_json()
    patched = api.patch(
        f"/partnerships/{body['id']}", {"version": body["version"], "first_contact_on": later}
    )
    assert patched.status_code == 422
    # One given before the rule: the move to *signed* says what to correct, and writes nothing.
    with app.app_context():
        session.get(Partnership, body["id"]).first_contact_on = datetime.fromisoformat(later).date()
        session.commit()
        version = session.get(Partnership, body["id"]).version
    rows = count(app, StageChange)
    moved = api.post(
        f"/partnerships/{body['id']}/stage-changes",
        {"stage": "memorandum_signed", "version": version},
    )
    assert moved.status_code == 422
    assert "correct its date" in moved.get_json()["error"]["fields"]["stage"][0]
    assert count(app, StageChange) == rows
    fixed = api.patch(
        f"/partnerships/{body['id']}", {"version": version, "first_contact_on": "2026-02-13"}
    )
    assert fixed.status_code == 200
    signed = api.post(
        f"/partnerships/{body['id']}/stage-changes",
        {"stage": "memorandum_signed", "version": fixed.get_json()["version"]},
    )
    assert signed.status_code == 201
    today = datetime.now(UTC).date()
    # Today where the mover is: in the deployment's zone, ahead of UTC, it may be tomorrow.
    assert signed.get_json()["signed_on"] in {today.isoformat(), str(today + timedelta(days=1))}
    saved = api.patch(
        f"/partnerships/{body['id']}",
        {"version": signed.get_json()["version"], "summary": "Signed in Maribor"},
    )
    assert saved.status_code == 200


def test_a_patch_cannot_clear_a_signed_pairings_signing_date(
    app: Flask, api: Api, localities: dict[str, int]
) -> None:
    """Regression: `"signed_on": null` left a pairing at *signed* with no signing date."""
    pair = {"locality_a_id": localities["maribor"], "locality_b_id": localities["graz"]}
    body = api.post(
        "/partnerships", {**pair, "stage": "memorandum_signed", "signed_on": "2026-02-13"}
    ).get_json()

    cleared = api.patch(
        f"/partnerships/{body['id']}", {"version": body["version"], "signed_on": None}
    )

    assert cleared.status_code == 422
    assert "keeps its signing date" in cleared.get_json()["error"]["fields"]["signed_on"][0]
    kept = api.get(f"/partnerships/{body['id']}").get_json()
    assert (kept["signed_on"], kept["version"]) == ("2026-02-13", body["version"])
