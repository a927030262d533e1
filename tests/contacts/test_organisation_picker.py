"""Beyond ORGANISATION_SELECT_LIMIT organisations, the person form no longer lists them all: its
organisation select holds the chosen one and the matches of a search (htmx, or the "Find"
button without it). At 10,000 organisations every person's form was a 0.4-second page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from crm.contacts.models import Person
from crm.db import session
from tests.factories import make_organisation, make_person
from tests.searched_selects import enter_button


@pytest.fixture
def many_organisations(app: Flask) -> Iterator[dict[str, int]]:
    app.config["ORGANISATION_SELECT_LIMIT"] = 2
    with app.app_context():
        chamber = make_organisation(
            "Štajerska gospodarska zbornica", city="Maribor", country_code="SI"
        )
        # A namesake in another country: the label tells them apart.
        graz = make_organisation("Štajerska gospodarska zbornica", city="Graz", country_code="AT")
        gone = make_organisation("Štajerska razvojna agencija", country_code="SI")
        gone.deleted_at = datetime.now(UTC)
        ids = {
            "chamber": chamber.id,
            "graz": graz.id,
            "gone": gone.id,
            "hall": make_organisation("Kyzylorda Regional Akimat", country_code="KZ").id,
            "city": make_organisation("Občina Maribor", city="Maribor", country_code="SI").id,
            "person": make_person("Ana Novak", organisation=chamber).id,
        }
        session.commit()
    yield ids
    del app.config["ORGANISATION_SELECT_LIMIT"]


def _person(app: Flask, person_id: int) -> tuple[str, int | None]:
    with app.app_context():
        person = session.get(Person, person_id)
        return person.full_name, person.organisation_id


def _people(app: Flask) -> int:
    with app.app_context():
        return session.scalar(select(func.count()).select_from(Person)) or 0


def test_the_form_lists_no_organisation_until_one_is_searched(
    client: FlaskClient, login_as: Callable[..., int], many_organisations: dict[str, int]
) -> None:
    login_as()
    page = client.get("/people/new").get_data(as_text=True)
    assert 'name="organisation_q"' in page and "/organisations/options" in page
    assert "Kyzylorda Regional Akimat" not in page and "Štajerska" not in page

    # Typed without the diacritics: both namesakes, each with its place; never a deleted one.
    options = client.get("/organisations/options?organisation_q=stajerska").get_data(as_text=True)
    chamber, graz = many_organisations["chamber"], many_organisations["graz"]
    assert f'<option value="{chamber}">Štajerska gospodarska zbornica · Maribor, SI</option>' in (
        options
    )
    assert f'<option value="{graz}">Štajerska gospodarska zbornica · Graz, AT</option>' in options
    assert "razvojna" not in options and "Akimat" not in options
    gone = many_organisations["gone"]
    searched = client.get(f"/organisations/options?organisation_q=razvojna&organisation_id={gone}")
    assert f'value="{gone}"' not in searched.get_data(as_text=True)

    # The chosen one stays whatever is typed next.
    kept = client.get(
        f"/organisations/options?organisation_q=zzz&organisation_id={many_organisations['hall']}"
    ).get_data(as_text=True)
    assert f'value="{many_organisations["hall"]}" selected>Kyzylorda Regional Akimat · KZ' in kept
    nothing = client.get("/organisations/options?organisation_q=zzz").get_data(as_text=True)
    assert "No organisation matches “zzz”" in nothing


def test_the_edit_form_holds_the_persons_organisation_alone(
    client: FlaskClient, login_as: Callable[..., int], many_organisations: dict[str, int]
) -> None:
    login_as()
    page = client.get(f"/people/{many_organisations['person']}/edit").get_data(as_text=True)
    assert (
        f'<option selected value="{many_organisations["chamber"]}">'
        "Štajerska gospodarska zbornica · Maribor, SI</option>"
    ) in page
    assert "Graz" not in page and "Občina Maribor" not in page


def test_find_without_javascript_keeps_what_was_typed_and_saves_nothing(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., int],
    many_organisations: dict[str, int],
) -> None:
    login_as()
    before = _people(app)
    found = client.post(
        "/people/new",
        data={"full_name": "Boris Kim", "organisation_q": "obcina", "find": "organisation_id"},
    )
    assert found.status_code == 200
    page = found.get_data(as_text=True)
    assert f'value="{many_organisations["city"]}"' in page and "Akimat" not in page
    assert 'value="Boris Kim"' in page and 'value="obcina"' in page
    assert _people(app) == before

    # Then saved with the organisation found (as Enter in a field does: the form's own button).
    added = client.post(
        "/people/new",
        data={"full_name": "Boris Kim", "organisation_id": many_organisations["city"]},
    )
    assert added.status_code == 302
    with app.app_context():
        boris = session.scalars(select(Person).where(Person.full_name == "Boris Kim")).one()
        assert boris.organisation_id == many_organisations["city"]

    edited = client.post(
        f"/people/{many_organisations['person']}/edit",
        data={"full_name": "Ana Nováková", "organisation_q": "akimat", "find": "organisation_id"},
    )
    assert edited.status_code == 200
    assert f'value="{many_organisations["hall"]}"' in edited.get_data(as_text=True)
    assert _person(app, many_organisations["person"]) == (
        "Ana Novak",
        many_organisations["chamber"],
    )


def test_enter_saves_and_the_search_sends_the_select_along(
    client: FlaskClient, login_as: Callable[..., int], many_organisations: dict[str, int]
) -> None:
    login_as()
    page = client.get(f"/people/{many_organisations['person']}/edit").get_data(as_text=True)
    # A browser submits with the form's first submit button on Enter: the form's own, not Find.
    button = enter_button(page)
    assert 'name="find"' not in button and button.endswith(">Save")
    assert "js/search-select.js" in page
    assert 'hx-include="this, #organisation_id"' in page


def test_an_organisation_deleted_since_is_shown_not_dropped_unasked(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., int],
    many_organisations: dict[str, int],
) -> None:
    """As the plain select does: the person's organisation, deleted since, stays their choice on
    the form, and saving it is refused, rather than the form saving "no organisation"."""
    login_as()
    with app.app_context():
        person = session.get(Person, many_organisations["person"])
        person.organisation.deleted_at = datetime.now(UTC)
        version = person.version
        session.commit()
    url = f"/people/{many_organisations['person']}/edit"
    page = client.get(url).get_data(as_text=True)
    assert f'<option selected value="{many_organisations["chamber"]}">' in page
    saved = client.post(
        url,
        data={
            "full_name": "Ana Novak",
            "organisation_id": many_organisations["chamber"],
            "version": version,
        },
    )
    assert saved.status_code == 422
    assert "Choose an organisation from the list." in saved.get_data(as_text=True)
    assert _person(app, many_organisations["person"]) == (
        "Ana Novak",
        many_organisations["chamber"],
    )


@pytest.mark.parametrize(
    "organisation_id", ["abc", "99999999999999999999", "987654", "{gone}"], ids=repr
)
def test_an_organisation_not_in_the_directory_is_a_form_error(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., int],
    many_organisations: dict[str, int],
    organisation_id: str,
) -> None:
    login_as()
    before = _people(app)
    response = client.post(
        "/people/new",
        data={
            "full_name": "Boris Kim",
            "organisation_id": organisation_id.format(**many_organisations),
        },
    )
    assert response.status_code == 422
    assert "Choose an organisation from the list." in response.get_data(as_text=True)
    assert _people(app) == before
    # The options answer such an id with the matches alone, never an error.
    assert (
        client.get(
            f"/organisations/options?organisation_q=a&organisation_id={organisation_id}"
        ).status_code
        == 200
    )


def test_a_short_register_is_still_one_select(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., int],
    many_organisations: dict[str, int],
) -> None:
    app.config["ORGANISATION_SELECT_LIMIT"] = 4  # as many as there are (one is deleted)
    login_as()
    page = client.get("/people/new").get_data(as_text=True)
    assert 'name="organisation_q"' not in page and "search-select.js" not in page
    assert '<option value="0">No organisation</option>' in page
    assert (
        f'<option value="{many_organisations["hall"]}">Kyzylorda Regional Akimat</option>' in page
    )
    assert f'<option value="{many_organisations["city"]}">Občina Maribor</option>' in page
    assert f'value="{many_organisations["gone"]}"' not in page


@pytest.mark.parametrize("language", ["sl", "ru", "kk"])
@pytest.mark.parametrize("searched", [False, True])
def test_no_organisation_is_an_option_in_the_readers_words(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., int],
    many_organisations: dict[str, int],
    language: str,
    searched: bool,
) -> None:
    """Regression: the option for no organisation read "—", in every language, in the select
    and in the options of its search."""
    app.config["ORGANISATION_SELECT_LIMIT"] = 2 if searched else 4
    login_as(language=language)
    with app.test_request_context(), force_locale(language):
        words = gettext("No organisation")
    assert words != "No organisation"  # the catalogue's, not the English
    page = client.get("/people/new").get_data(as_text=True)
    assert ('name="organisation_q"' in page) is searched
    assert f'<option value="0">{words}</option>' in page and '<option value="0">—' not in page
    options = client.get("/organisations/options?organisation_q=maribor").get_data(as_text=True)
    assert f'<option value="0">{words}</option>' in options


@pytest.mark.parametrize("role", ["viewer", "partner"])
def test_only_those_who_edit_people_may_search_organisations(
    client: FlaskClient, login_as: Callable[..., int], many_organisations: dict[str, int], role: str
) -> None:
    login_as(role)
    assert client.get("/organisations/options?organisation_q=maribor").status_code == 403
