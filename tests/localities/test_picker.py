"""Beyond LOCALITY_SELECT_LIMIT localities, the pairing form no longer lists them all: the select
holds the chosen ones and the matches of a search (htmx, or the "Find" button without it)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from crm.db import session
from crm.partnerships.models import Partnership
from tests.factories import make_locality
from tests.searched_selects import enter_button


@pytest.fixture
def many_localities(app: Flask) -> Iterator[dict[str, int]]:
    app.config["LOCALITY_SELECT_LIMIT"] = 3
    with app.app_context():
        ids = {
            "maribor": make_locality("Maribor").id,
            "stajerska": make_locality("Štajerska", kind="region").id,
            "kyzylorda": make_locality("Kyzylorda", country_code="KZ").id,
            "ptuj": make_locality("Ptuj").id,
        }
        session.commit()
    yield ids
    del app.config["LOCALITY_SELECT_LIMIT"]


def test_the_form_lists_no_locality_until_one_is_searched(
    client: FlaskClient, login_as: Callable[..., int], many_localities: dict[str, int]
) -> None:
    login_as()
    page = client.get("/partnerships/new").get_data(as_text=True)
    assert 'name="q_a"' in page
    assert "Maribor ·" not in page and "Ptuj ·" not in page

    options = client.get("/localities/options?q_a=STAJER").get_data(as_text=True)
    assert f'value="{many_localities["stajerska"]}"' in options
    assert "Maribor" not in options

    nothing = client.get("/localities/options?q=zzz").get_data(as_text=True)
    assert "No locality matches" in nothing


def test_find_without_javascript_then_create(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., int],
    many_localities: dict[str, int],
) -> None:
    owner = login_as()
    found = client.post("/partnerships/new", data={"q_a": "maribor", "find": "locality_a_id"})
    assert found.status_code == 200
    assert f'value="{many_localities["maribor"]}"' in found.get_data(as_text=True)
    with app.app_context():
        assert session.scalar(select(func.count()).select_from(Partnership)) == 0

    created = client.post(
        "/partnerships/new",
        data={
            "locality_a_id": many_localities["maribor"],
            "locality_b_id": many_localities["kyzylorda"],
            "owner_id": owner,
        },
    )
    assert created.status_code == 302
    with app.app_context():
        assert (
            session.scalars(select(Partnership)).one().locality_b_id == many_localities["kyzylorda"]
        )

    unknown = client.post(
        "/partnerships/new",
        data={"locality_a_id": 999999, "locality_b_id": many_localities["ptuj"], "owner_id": owner},
    )
    assert unknown.status_code == 422
    assert "Choose a locality from the list." in unknown.get_data(as_text=True)


@pytest.mark.parametrize("huge", ["99999999999999999999", "²", "-1", "1e3"])
def test_a_locality_id_no_record_can_have_is_an_empty_choice_not_an_error(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., int],
    many_localities: dict[str, int],
    huge: str,
) -> None:
    # SQLite cannot take a 20-digit number as a parameter: it was a 500 here.
    owner = login_as()
    assert client.get(f"/partnerships/new?locality_a={huge}").status_code == 200
    refused = client.post(
        "/partnerships/new",
        data={"locality_a_id": huge, "locality_b_id": many_localities["ptuj"], "owner_id": owner},
    )
    assert refused.status_code == 422
    with app.app_context():
        assert session.scalar(select(func.count()).select_from(Partnership)) == 0


def test_a_locality_picked_from_earlier_matches_stays_chosen(
    client: FlaskClient, login_as: Callable[..., int], many_localities: dict[str, int]
) -> None:
    # The search sends the select along (its own name), not the value the page was drawn with.
    login_as()
    page = client.get("/partnerships/new").get_data(as_text=True)
    assert 'hx-include="this, #locality_a_id"' in page
    form = page[page.index('<form method="post" class="form-grid"') :]
    assert 'name="find"' not in form[form.index('<button type="submit"') :].split(">", 1)[0]
    picked = many_localities["ptuj"]
    kept = client.get(f"/localities/options?q_a=stajer&locality_a_id={picked}")
    assert f'<option value="{picked}" selected>' in kept.get_data(as_text=True)


def test_the_locality_searches_are_the_shared_search_box(
    client: FlaskClient, login_as: Callable[..., int], many_localities: dict[str, int]
) -> None:
    """The pairing form's two searches are `search_box` (templates/_macros.html) and their
    options `_select_options.html`, as the people's and organisations' are: one markup for every
    select with a search beside it, whose Find button names the select it finds for (it sent
    "a" and "b" from a copy of its own)."""
    login_as()
    page = client.get("/partnerships/new").get_data(as_text=True)
    for box, field in (("q_a", "locality_a_id"), ("q_b", "locality_b_id")):
        assert f'<input type="search" id="{box}" name="{box}" value=""' in page
        assert f'hx-include="this, #{field}"' in page
        assert f'<button type="submit" name="find" value="{field}" formmethod="post"' in page
    # One hidden default button before both searches: Enter in a field creates the pairing.
    assert page.count('class="visually-hidden" tabindex="-1"') == 1
    assert enter_button(page).endswith(">Create pairing")
    options = client.get("/localities/options?q_a=zzz").get_data(as_text=True)
    assert options.strip() == '<option value="0">No locality matches “zzz”</option>'
