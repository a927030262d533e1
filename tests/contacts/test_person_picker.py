"""Beyond PEOPLE_SELECT_LIMIT people, the form that adds a person to a pairing no longer lists
them all: the select holds the chosen one and the matches of a search (htmx, or the "Find"
button without it)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from crm.contacts.models import PartnershipRole, Person
from crm.db import session
from tests.contacts.merge_forms import merge_form
from tests.factories import make_organisation, make_partnership, make_person
from tests.searched_selects import enter_button


@pytest.fixture
def many_people(app: Flask) -> Iterator[dict[str, int]]:
    app.config["PEOPLE_SELECT_LIMIT"] = 2
    with app.app_context():
        chamber = make_organisation("Štajerska gospodarska zbornica")
        ids = {
            "pairing": make_partnership().id,
            "sasa": make_person("Saša Arsenovič", organisation=chamber).id,
            "aigerim": make_person("Айгерим Қасымова", email="aigerim@example.kz").id,
            "ana": make_person("Ana Novak").id,
        }
        session.commit()
    yield ids
    del app.config["PEOPLE_SELECT_LIMIT"]


@pytest.fixture
def look_alike(app: Flask, login_as: Callable[..., int], many_people: dict[str, int]) -> int:
    """Saša Arsenovič's likely duplicate, with an admin (who merges) signed in."""
    with app.app_context():
        person_id = make_person("Sasa Arsenovic").id
        session.commit()
    login_as("admin")
    return person_id


def _roles(app: Flask) -> int:
    with app.app_context():
        return session.scalar(select(func.count()).select_from(PartnershipRole)) or 0


def test_the_form_lists_no_person_until_one_is_searched(
    client: FlaskClient, login_as: Callable[..., int], many_people: dict[str, int]
) -> None:
    login_as()
    page = client.get(f"/partnerships/{many_people['pairing']}/people/new").get_data(as_text=True)
    assert 'name="person_q"' in page and "/people/options" in page
    assert "Ana Novak" not in page and "Saša" not in page

    # Typed without the diacritics, in capitals: found, with the organisation to tell them apart.
    options = client.get("/people/options?person_q=ARSENOVIC").get_data(as_text=True)
    assert f'value="{many_people["sasa"]}"' in options
    assert "Saša Arsenovič · Štajerska gospodarska zbornica" in options
    assert "Ana Novak" not in options
    by_address = client.get("/people/options?q=aigerim@").get_data(as_text=True)
    assert f'value="{many_people["aigerim"]}"' in by_address

    # The chosen one stays in the list whatever is typed next.
    kept = client.get(f"/people/options?q=zzz&selected={many_people['ana']}").get_data(as_text=True)
    assert f'<option value="{many_people["ana"]}" selected>Ana Novak</option>' in kept
    nothing = client.get("/people/options?q=zzz").get_data(as_text=True)
    assert "No person matches “zzz”" in nothing


def test_find_without_javascript_then_add(
    app: Flask, client: FlaskClient, login_as: Callable[..., int], many_people: dict[str, int]
) -> None:
    login_as()
    url = f"/partnerships/{many_people['pairing']}/people/new"
    found = client.post(
        url, data={"person_q": "novak", "find": "person", "role": "Mayor", "side": "a"}
    )
    assert found.status_code == 200
    page = found.get_data(as_text=True)
    assert f'value="{many_people["ana"]}"' in page and "Saša" not in page
    assert 'value="Mayor"' in page  # what was typed in the form is kept
    assert _roles(app) == 0

    added = client.post(url, data={"person_id": many_people["ana"], "side": "a", "role": "Mayor"})
    assert added.status_code == 302
    with app.app_context():
        assert session.scalars(select(PartnershipRole)).one().person_id == many_people["ana"]

    unknown = client.post(url, data={"person_id": 999999, "side": "a", "role": "Mayor"})
    assert unknown.status_code == 422
    assert "Choose a person from the list." in unknown.get_data(as_text=True)
    assert _roles(app) == 1


def test_a_short_directory_is_still_one_select(
    client: FlaskClient, login_as: Callable[..., int], many_people: dict[str, int], app: Flask
) -> None:
    app.config["PEOPLE_SELECT_LIMIT"] = 3
    login_as()
    page = client.get(f"/partnerships/{many_people['pairing']}/people/new").get_data(as_text=True)
    assert 'name="person_q"' not in page
    assert "Ana Novak" in page and "Saša Arsenovič · Štajerska gospodarska zbornica" in page


@pytest.mark.parametrize("role", ["viewer", "partner"])
def test_only_those_who_add_people_to_pairings_may_search_them_here(
    client: FlaskClient, login_as: Callable[..., int], many_people: dict[str, int], role: str
) -> None:
    login_as(role)
    assert client.get("/people/options?q=ana").status_code == 403


def test_the_merge_form_holds_the_likely_duplicates_and_finds_the_others(
    app: Flask, client: FlaskClient, many_people: dict[str, int], look_alike: int
) -> None:
    survivor = many_people["sasa"]
    page = client.get(f"/people/{survivor}").get_data(as_text=True)
    # Each option is the person and their version as the page shows them ("ID:VERSION").
    assert f'<option value="{look_alike}:1">Sasa Arsenovic (no e-mail, #{look_alike})' in page
    assert "Ana Novak" not in page and 'name="person_q"' in page

    found = client.post(f"/people/{survivor}/merge", data={"person_q": "novak", "find": "person"})
    assert found.status_code == 200
    options = found.get_data(as_text=True)
    assert f'value="{many_people["ana"]}:1"' in options and f'value="{look_alike}:1"' in options
    with app.app_context():
        assert session.get(Person, many_people["ana"]).deleted_at is None  # nothing merged

    # The search beside the select leaves the survivor out: a person is not merged into itself.
    searched = client.get(f"/people/options?person_q=arsenovi&merging={survivor}")
    assert f'value="{look_alike}:1"' in searched.get_data(as_text=True)
    assert f'value="{survivor}:' not in searched.get_data(as_text=True)

    merged = client.post(
        f"/people/{survivor}/merge", data=merge_form(app, survivor, many_people["ana"])
    )
    assert merged.status_code == 302
    with app.app_context():
        assert session.get(Person, many_people["ana"]).merged_into_id == survivor


def test_only_an_administrator_searches_for_a_merge(
    client: FlaskClient, login_as: Callable[..., int], many_people: dict[str, int]
) -> None:
    login_as("officer")
    refused = client.get(f"/people/options?q=ana&merging={many_people['sasa']}")
    assert refused.status_code == 403


def test_enter_in_the_form_adds_and_a_pick_from_the_matches_stays(
    client: FlaskClient, login_as: Callable[..., int], many_people: dict[str, int]
) -> None:
    login_as()
    page = client.get(f"/partnerships/{many_people['pairing']}/people/new").get_data(as_text=True)
    # A browser submits with the form's first submit button on Enter: the form's own, not Find.
    button = enter_button(page)
    assert 'name="find"' not in button and button.endswith(">Add")
    assert "js/search-select.js" in page  # Enter in the search box refreshes the options
    # The search sends the select along: a person picked from earlier matches stays chosen.
    assert 'hx-include="this, #person_id"' in page
    kept = client.get(f"/people/options?person_q=zzz&person_id={many_people['ana']}")
    assert f'<option value="{many_people["ana"]}" selected>' in kept.get_data(as_text=True)


def test_the_merge_search_keeps_the_likely_duplicates_and_refuses_the_survivor(
    app: Flask, client: FlaskClient, many_people: dict[str, int], look_alike: int
) -> None:
    survivor = many_people["sasa"]
    searched = client.get(
        f"/people/options?person_q=novak&merging={survivor}&other_id={survivor}:1"
    ).get_data(as_text=True)
    assert f'value="{look_alike}:1"' in searched and f'value="{many_people["ana"]}:1"' in searched
    assert f'value="{survivor}:' not in searched
    # The select is sent along as it holds its option ("ID:VERSION"): the one picked stays.
    ana = many_people["ana"]
    kept = client.get(f"/people/options?person_q=zzz&merging={survivor}&other_id={ana}:1")
    assert f'<option value="{ana}:1" selected>Ana Novak (no e-mail, #{ana})' in kept.get_data(
        as_text=True
    )
    itself = client.post(f"/people/{survivor}/merge", data=merge_form(app, survivor, survivor))
    assert itself.status_code == 422
    with app.app_context():
        assert session.get(Person, survivor).deleted_at is None


def test_an_officer_cannot_find_for_a_merge(
    client: FlaskClient, login_as: Callable[..., int], many_people: dict[str, int]
) -> None:
    login_as("officer")
    refused = client.post(
        f"/people/{many_people['sasa']}/merge", data={"person_q": "ana", "find": "person"}
    )
    assert refused.status_code == 403
