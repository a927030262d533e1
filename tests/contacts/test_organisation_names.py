"""One organisation of a name in a country, the name compared as search folds it: a second
"Obcina Maribor" in Slovenia is refused in the form, the API (tests/api) and the services, and the
import (which finds organisations by folded name and country) always knows which one a row means.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from crm.contacts import services
from crm.contacts.models import Organisation, Person
from crm.db import session
from crm.errors import DomainError
from tests.factories import make_organisation
from tests.imports.test_imports import apply, marks, preview, upload


def _organisations(app: Flask) -> int:
    with app.app_context():
        return session.scalar(select(func.count()).select_from(Organisation)) or 0


def test_the_form_refuses_a_second_organisation_of_the_same_folded_name_and_country(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as()
    with app.app_context():
        make_organisation("Občina Maribor", country_code="SI")
        session.commit()
    response = client.post(
        "/organisations/new",
        data={"name": "  obcina   MARIBOR ", "kind": "city_hall", "country_code": "SI"},
    )
    assert response.status_code == 422
    assert "There is already an organisation “Občina Maribor” in Slovenia." in response.get_data(
        as_text=True
    )
    assert _organisations(app) == 1
    # The same name in another country is another body.
    other = client.post(
        "/organisations/new",
        data={"name": "Občina Maribor", "kind": "city_hall", "country_code": "AT"},
    )
    assert other.status_code == 302
    assert _organisations(app) == 2


def test_a_rename_onto_another_is_refused_and_an_edit_keeping_its_name_is_not(ctx: None) -> None:
    chamber = make_organisation("Štajerska gospodarska zbornica", country_code="SI")
    other = make_organisation("Mariborska razvojna agencija", country_code="SI")
    with pytest.raises(DomainError) as refused:
        services.update_organisation(
            other,
            services.OrganisationData(name="Stajerska gospodarska zbornica", country_code="SI"),
            expected_version=other.version,
        )
    assert refused.value.field == "name"
    services.update_organisation(
        chamber,
        services.OrganisationData(
            name="Štajerska gospodarska zbornica", country_code="SI", city="Maribor"
        ),
        expected_version=chamber.version,
    )
    assert chamber.city == "Maribor"


def test_a_deleted_organisations_name_is_free_again(ctx: None) -> None:
    chamber = make_organisation("Chamber", country_code="")
    services.delete_organisation(chamber, expected_version=chamber.version)
    again = services.create_organisation(services.OrganisationData(name="Chamber"))
    assert again.id is not None
    with pytest.raises(DomainError, match="with no country"):
        services.create_organisation(services.OrganisationData(name="chamber"))


def test_two_stored_before_the_rule_stay_editable(ctx: None) -> None:
    first = make_organisation("Chamber of Commerce", country_code="SI")
    second = Organisation(name="chamber of commerce", country_code="SI")  # as an old row was
    session.add(second)
    session.flush()
    services.update_organisation(
        second,
        services.OrganisationData(name="chamber of commerce", country_code="SI", city="Celje"),
        expected_version=second.version,
    )
    assert second.city == "Celje"
    with pytest.raises(DomainError):  # but neither may take a third's place, nor be made again
        services.create_organisation(services.OrganisationData(name=first.name, country_code="SI"))


def test_a_people_import_tells_two_of_a_name_apart_by_the_persons_country(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as()
    with app.app_context():
        slovenian = make_organisation("Občina Maribor", country_code="SI")
        make_organisation("Občina Maribor", country_code="AT")
        session.commit()
        slovenian_id = slovenian.id
    content = (
        "full_name,organisation,country\n"
        "Aleksander Saša Arsenovič,Obcina Maribor,SI\n"
        "Nobody Knows,Obcina Maribor,\n"
    )
    token = upload(client, "people", content.encode())
    assert preview(client, token, "valid") == 302
    found = marks(app, token)
    assert found[2][0] == "new"
    assert found[3][0] == "error"
    assert "the person's country tells them apart" in found[3][1]["organisation"]
    assert apply(client, token, "valid") == 302
    with app.app_context():
        person = session.scalar(select(Person).where(Person.full_name.startswith("Aleksander")))
        assert person is not None and person.organisation_id == slovenian_id
