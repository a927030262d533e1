"""Stage and sector names per language: the defaults from the catalogue, the rest from admins."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from crm.db import session
from crm.partnerships.stages import stage_by_key
from crm.sectors.models import Sector
from crm.sectors.services import sector_by_slug
from tests.i18n.catalogues import read_catalogue


def catalogue_name(language: str, english: str) -> str:
    entry = read_catalogue(language).get(english)
    translated = entry.string if entry else ""
    assert translated and translated != english, f"{language} has no name for {english!r}"
    return str(translated)


def test_default_stages_and_sectors_read_in_the_users_language(
    client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as("officer", language="ru")
    board = client.get("/board").get_data(as_text=True)
    assert catalogue_name("ru", "Agreement in principle") in board
    sectors = client.get("/sectors").get_data(as_text=True)
    assert catalogue_name("ru", "Renewable energy") in sectors
    assert "Renewable energy" not in sectors


def test_renaming_in_a_language_names_it_there_and_keeps_the_given_name(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as("admin", language="kk")
    with app.app_context():
        culture = sector_by_slug("culture").id
        stage = stage_by_key("prospect").id
    client.post(f"/sectors/{culture}/rename", data={f"rename-{culture}-name": "Мәдениет пен өнер"})
    client.post(f"/stages/{stage}/rename", data={f"rename-{stage}-name": "Әлеуетті серіктес"})
    with app.app_context():
        sector = session.get(Sector, culture)
        assert sector.given_name == "Culture"
        assert sector.name_translations == {"kk": "Мәдениет пен өнер"}
        assert stage_by_key("prospect").name_translations == {"kk": "Әлеуетті серіктес"}
    assert "Мәдениет пен өнер" in client.get("/sectors").get_data(as_text=True)
    assert "Әлеуетті серіктес" in client.get("/board").get_data(as_text=True)
    # English readers still see the name as given; Slovenian ones the catalogue's.
    login_as("admin", language="en")
    assert ">Culture</a>" in client.get("/sectors").get_data(as_text=True)
    login_as("admin", language="sl")
    assert catalogue_name("sl", "Culture") in client.get("/sectors").get_data(as_text=True)


def test_a_name_an_admin_added_shows_as_given_until_it_has_a_translation(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as("admin", language="en")
    client.post("/sectors", data={"name": "Sport diplomacy"})
    login_as("admin", language="ru")
    assert "Sport diplomacy" in client.get("/sectors").get_data(as_text=True)
    with app.app_context():
        sport = sector_by_slug("sport-diplomacy").id
    client.post(f"/sectors/{sport}/rename", data={f"rename-{sport}-name": "Спортивная дипломатия"})
    page = client.get("/sectors").get_data(as_text=True)
    assert ">Спортивная дипломатия</a>" in page
    assert ">Sport diplomacy</a>" not in page
