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
        culture, culture_version = sector_by_slug("culture").id, sector_by_slug("culture").version
        stage, stage_version = stage_by_key("prospect").id, stage_by_key("prospect").version
    sector_rename = {
        f"rename-{culture}-name": "Мәдениет пен өнер",
        f"rename-{culture}-version": culture_version,
    }
    stage_rename = {
        f"rename-{stage}-name": "Әлеуетті серіктес",
        f"rename-{stage}-version": stage_version,
    }
    assert client.post(f"/sectors/{culture}/rename", data=sector_rename).status_code == 302
    assert client.post(f"/stages/{stage}/rename", data=stage_rename).status_code == 302
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
        sport, version = (
            sector_by_slug("sport-diplomacy").id,
            sector_by_slug("sport-diplomacy").version,
        )
    rename = {f"rename-{sport}-name": "Спортивная дипломатия", f"rename-{sport}-version": version}
    assert client.post(f"/sectors/{sport}/rename", data=rename).status_code == 302
    page = client.get("/sectors").get_data(as_text=True)
    assert ">Спортивная дипломатия</a>" in page
    assert ">Sport diplomacy</a>" not in page


def test_an_admin_reading_slovenian_cannot_add_a_sector_the_stored_names_already_have(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as("admin", language="sl")
    response = client.post("/sectors", data={"name": "Culture"})
    assert response.status_code == 422
    with app.app_context():
        assert session.query(Sector).filter(Sector.given_name == "Culture").count() == 1


def test_the_audit_log_records_stored_names_whatever_the_actor_reads(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    from crm.audit.models import AuditEntry
    from tests.factories import make_partnership

    login_as("officer", language="kk")
    with app.app_context():
        pairing = make_partnership()
        session.commit()
        pid, version = pairing.id, pairing.version
    client.post(
        f"/partnerships/{pid}/stage", data={"stage": "exploratory_talks", "version": version}
    )
    with app.app_context():
        entry = session.query(AuditEntry).filter(AuditEntry.action == "stage_move").one()
        assert entry.changes["stage"] == ["Prospect", "Exploratory talks"]


def test_the_api_report_speaks_english_whatever_the_client_asks(
    app: Flask, client: FlaskClient
) -> None:
    from crm.auth.tokens import issue_token
    from tests.factories import make_partnership, make_user

    with app.app_context():
        user = make_user()
        make_partnership(owner=user)
        _, secret = issue_token(user, "test")
        session.commit()
    report = client.get(
        "/api/v1/reports/weekly/2026-W07",
        headers={"Authorization": f"Bearer {secret}", "Accept-Language": "ru"},
    ).get_json()
    assert [row["name"] for row in report["funnel"]][:2] == ["Prospect", "Exploratory talks"]


def test_a_pairings_file_may_name_stages_sectors_and_places_in_any_of_their_names(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    from tests.factories import make_locality
    from tests.imports.test_imports import marks, preview, upload

    login_as("officer", language="sl")
    with app.app_context():
        make_locality("Maribor", other_names=(("ru", "Марибор"),))
        make_locality("Astana", country_code="KZ")
        session.commit()
    content = (
        "Locality A;Country A;Locality B;Country B;Stage;Sectors\n"
        "Марибор;SI;Astana;KZ;Exploratory talks;Kultura | education\n"
    ).encode()
    token = upload(client, "pairings", content)
    assert preview(client, token) == 302
    mark, errors, _ = marks(app, token)[2]
    assert (mark, errors) == ("new", {})
