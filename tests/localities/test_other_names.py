"""A locality's names in other languages and scripts: kept, validated, searched and shown."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from crm.db import session
from crm.localities.models import Locality
from crm.localities.services import LocalityData, update_locality
from tests.factories import make_locality, make_partnership


def kyzylorda(app: Flask) -> int:
    with app.app_context():
        locality = make_locality(
            "Қызылорда облысы",
            name_en="Kyzylorda Region",
            kind="region",
            country_code="KZ",
            other_names=(("ru", "Кызылординская область"), ("kk-latn", "Qyzylorda oblysy")),
        )
        make_partnership(make_locality("Maribor"), locality)
        session.commit()
        return locality.id


def test_search_finds_a_locality_and_its_pairings_by_any_of_its_names(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    locality_id = kyzylorda(app)
    login_as("officer")
    for typed in (
        "кызылординская",
        "Qyzylorda",
        "қызылорда",
        "Кызылорда облысы",
        "kyzylorda region",
    ):
        page = client.get("/localities", query_string={"q": typed}).get_data(as_text=True)
        assert f"/localities/{locality_id}" in page, typed
        pairings = client.get("/partnerships", query_string={"q": typed}).get_data(as_text=True)
        assert "Maribor" in pairings, typed
    everything = client.get("/search", query_string={"q": "Кызылординская"}).get_data(as_text=True)
    assert f"/localities/{locality_id}" in everything


def test_the_readers_language_comes_first(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    locality_id = kyzylorda(app)
    login_as("officer", language="ru")
    page = client.get(f"/localities/{locality_id}").get_data(as_text=True)
    assert "<h1>Кызылординская область (Қызылорда облысы)</h1>" in page
    assert '<span lang="kk-latn">Qyzylorda oblysy</span>' in page
    login_as("officer", language="sl")
    page = client.get(f"/localities/{locality_id}").get_data(as_text=True)
    # No Slovenian name: the English one, with the local spelling beside it.
    assert "<h1>Kyzylorda Region (Қызылорда облысы)</h1>" in page


def test_a_kazakh_reader_without_a_kazakh_name_gets_the_local_one_then_the_russian(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    """Regression: with no Kazakh name a Kazakh reader got the English one first, "Kyzylorda
    Region (Қызылорда облысы)", where the local name of a place in Kazakhstan is Kazakh's (or
    Russian, both official there) and, elsewhere, a Russian name is nearer than an English one
    to a reader of Kazakh."""
    locality_id = kyzylorda(app)
    with app.app_context():
        kazan = make_locality(
            "Qazan",
            name_en="Kazan",
            country_code="RU",
            other_names=(("ru", "Казань"),),
        ).id
        graz = make_locality("Graz", name_en="Graz", country_code="AT").id
        session.commit()
    login_as("officer", language="kk")
    page = client.get(f"/localities/{locality_id}").get_data(as_text=True)
    assert "<h1>Қызылорда облысы</h1>" in page
    page = client.get(f"/localities/{kazan}").get_data(as_text=True)
    assert "<h1>Казань (Qazan)</h1>" in page
    page = client.get(f"/localities/{graz}").get_data(as_text=True)
    assert "<h1>Graz</h1>" in page  # no Kazakh or Russian name: the English, as before
    # A Kazakh name of its own still comes first.
    with app.app_context():
        locality = session.get(Locality, locality_id)
        locality.other_names = {**locality.other_names, "kk": "Қызылорда облысы (ескі)"}
        session.commit()
    page = client.get(f"/localities/{locality_id}").get_data(as_text=True)
    assert "<h1>Қызылорда облысы (ескі) (Қызылорда облысы)</h1>" in page


def test_the_form_keeps_names_one_per_line_and_refuses_bad_lines(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    locality_id = kyzylorda(app)
    login_as("officer")
    form = client.get(f"/localities/{locality_id}/edit").get_data(as_text=True)
    assert "kk-latn: Qyzylorda oblysy\nru: Кызылординская область" in form
    with app.app_context():
        version = session.get(Locality, locality_id).version
    base = {
        "name": "Қызылорда облысы",
        "name_en": "Kyzylorda Region",
        "kind": "region",
        "country_code": "KZ",
        "version": str(version),
    }
    for bad, message in (
        ("Кызылорда", "a language code, a colon and the name"),
        ("russian: Кызылорда", "is not a language code"),
        ("xx: Кызылорда", "“xx” is not a language code"),  # the right shape, no such language
        ("ru: Кызылорда\nRU: Кзыл-Орда", "appears twice"),
        ("ru: " + "я" * 201, "at most 200 characters"),
        ("ru: \u200b", "The name in “ru” has no letters."),  # a zero-width space alone
    ):
        response = client.post(f"/localities/{locality_id}/edit", data={**base, "other_names": bad})
        assert response.status_code == 422, bad
        assert message in response.get_data(as_text=True), bad
    with app.app_context():
        assert session.get(Locality, locality_id).other_names == {
            "ru": "Кызылординская область",
            "kk-latn": "Qyzylorda oblysy",
        }
    response = client.post(
        f"/localities/{locality_id}/edit",
        data={**base, "other_names": "ru:  Кызылорда \n\nsl: Kizilorda"},
    )
    assert response.status_code == 302
    with app.app_context():
        saved = session.get(Locality, locality_id)
        assert saved.other_names == {"ru": "Кызылорда", "sl": "Kizilorda"}
        assert "kizilorda" in saved.search_folded


def test_an_update_that_does_not_carry_other_names_keeps_them(app: Flask) -> None:
    locality_id = kyzylorda(app)
    with app.app_context():
        locality = session.get(Locality, locality_id)
        update_locality(
            locality,
            LocalityData(name=locality.name, kind="region", country_code="KZ", name_en="Kyzylorda"),
            expected_version=locality.version,
        )
        session.commit()
        assert session.get(Locality, locality_id).other_names["ru"] == "Кызылординская область"


def test_the_api_lists_every_name_and_finds_the_locality_by_any(
    app: Flask, client: FlaskClient
) -> None:
    from crm.auth.tokens import issue_token
    from tests.factories import make_user

    locality_id = kyzylorda(app)
    with app.app_context():
        _, secret = issue_token(make_user(), "test")
        session.commit()
    headers = {"Authorization": f"Bearer {secret}", "Accept-Language": "kk"}
    found = client.get("/api/v1/localities?q=кызылординская", headers=headers).get_json()
    assert [item["id"] for item in found["items"]] == [locality_id]
    locality = found["items"][0]
    assert locality["other_names"]["ru"] == "Кызылординская область"
    # The API speaks English whatever the client's language.
    assert locality["country_name"] == "Kazakhstan"


def test_a_post_without_the_other_names_field_keeps_them_rather_than_failing(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    # WTForms left the field holding the model's dict, which the save could not read: a 500.
    locality_id = kyzylorda(app)
    login_as("officer")
    with app.app_context():
        version = session.get(Locality, locality_id).version
    response = client.post(
        f"/localities/{locality_id}/edit",
        data={"version": str(version), "name_en": "Kyzylorda Oblast"},
    )
    assert response.status_code == 302
    with app.app_context():
        saved = session.get(Locality, locality_id)
        assert saved.name_en == "Kyzylorda Oblast"
        assert saved.other_names == {
            "ru": "Кызылординская область",
            "kk-latn": "Qyzylorda oblysy",
        }
