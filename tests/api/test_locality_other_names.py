"""A locality's names in other languages and scripts, written through the API as they are read."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from crm.db import session
from crm.localities.models import Locality
from tests.api.conftest import Api

KYZYLORDA = {
    "name": "Kyzylorda Region",
    "kind": "region",
    "country": "KZ",
    "other_names": {"kk": "Қызылорда облысы", "ru": "Кызылординская область"},
}

MORE_THAN_TWELVE_LANGUAGES = [
    "sl",
    "ru",
    "kk",
    "de",
    "fr",
    "it",
    "es",
    "pt",
    "pl",
    "cs",
    "sk",
    "hr",
    "hu",
]


def _stored_names(app: Flask, locality_id: int) -> dict[str, str]:
    with app.app_context():
        return dict(session.get_one(Locality, locality_id).other_names)


def test_a_locality_is_created_with_its_other_names_and_found_by_them(app: Flask, api: Api) -> None:
    response = api.post("/localities", KYZYLORDA)

    assert response.status_code == 201, response.json
    assert response.json["other_names"] == KYZYLORDA["other_names"]
    assert _stored_names(app, response.json["id"]) == KYZYLORDA["other_names"]
    # The other names are searched, typed without their letters' marks.
    found = api.get("/localities?q=Кызылординская").json["items"]
    assert [item["id"] for item in found] == [response.json["id"]]


def test_patching_other_names_replaces_them_and_leaving_them_out_keeps_them(
    app: Flask, api: Api
) -> None:
    created = api.post("/localities", KYZYLORDA).json

    renamed = api.patch(
        f"/localities/{created['id']}", {"version": created["version"], "name_en": "Kyzylorda"}
    )
    assert renamed.status_code == 200, renamed.json
    assert renamed.json["other_names"] == KYZYLORDA["other_names"]

    replaced = api.patch(
        f"/localities/{created['id']}",
        {"version": renamed.json["version"], "other_names": {"kk": "Қызылорда"}},
    )
    assert replaced.status_code == 200, replaced.json
    assert _stored_names(app, created["id"]) == {"kk": "Қызылорда"}


def test_a_bad_key_is_named_under_other_names_with_the_key_in_the_message(
    app: Flask, api: Api
) -> None:
    response = api.post("/localities", {**KYZYLORDA, "other_names": {"": "Кызылорда"}})

    assert response.status_code == 422, response.json
    assert response.json["error"]["fields"] == {
        "other_names": ["The key '': String should have at least 1 character"]
    }


@pytest.mark.parametrize(
    "other_names",
    [
        {"xx": "Nowhere"},  # not a language code
        {"ru": ""},  # no name
        {"ru": "\u200b"},  # nothing visible
        {"ru": "К" * 201},  # longer than a name may be
        dict.fromkeys(MORE_THAN_TWELVE_LANGUAGES, "Name"),
        ["ru", "Кызылорда"],  # not an object
        {"ru": "Кызыл\x00орда"},  # text PostgreSQL refuses
    ],
)
def test_bad_other_names_are_refused_with_the_field_named_and_nothing_written(
    app: Flask, api: Api, other_names: Any
) -> None:
    response = api.post("/localities", {**KYZYLORDA, "other_names": other_names})

    assert response.status_code == 422, response.json
    assert any(name.startswith("other_names") for name in response.json["error"]["fields"])
    with app.app_context():
        assert session.query(Locality).filter_by(name="Kyzylorda Region").count() == 0


def test_a_patch_with_bad_other_names_changes_nothing_and_an_empty_object_clears_them(
    app: Flask, api: Api
) -> None:
    created = api.post("/localities", KYZYLORDA).json
    path = f"/localities/{created['id']}"

    refused = api.patch(path, {"version": created["version"], "other_names": {"xx": "Nowhere"}})
    assert refused.status_code == 422
    assert list(refused.json["error"]["fields"]) == ["other_names"]
    unchanged = api.get(path).json
    assert (unchanged["version"], unchanged["other_names"]) == (
        created["version"],
        KYZYLORDA["other_names"],
    )

    cleared = api.patch(path, {"version": created["version"], "other_names": {}})
    assert cleared.status_code == 200
    assert _stored_names(app, created["id"]) == {}
