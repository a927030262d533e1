"""Which language a page speaks: the user's choice, else the browser's, else the deployment's."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale

from crm.auth.models import User
from crm.db import session
from crm.presentation import local_datetime, long_date
from tests.factories import TEST_PASSWORD, make_user
from tests.i18n.catalogues import read_catalogue


def plain_spaces(text: str) -> str:
    """CLDR puts no-break spaces in some dates (2026 ж.); compare them as plain ones."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def page_language(client: FlaskClient, url: str = "/login", **headers: str) -> str:
    page = client.get(url, headers=headers).get_data(as_text=True)
    match = re.search(r'<html lang="([^"]+)">', page)
    assert match, page[:200]
    return match.group(1)


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("", "en"),
        ("kk", "kk"),
        ("ru-RU,ru;q=0.9,en;q=0.5", "ru"),
        ("de-AT,sl;q=0.8", "sl"),
        ("de, fr", "en"),
    ],
)
def test_the_browser_chooses_when_the_user_has_not(
    client: FlaskClient, accept_language: str, expected: str
) -> None:
    assert page_language(client, **{"Accept-Language": accept_language}) == expected


def test_the_deployment_default_applies_when_the_browser_asks_for_none_of_ours(
    app: Flask, client: FlaskClient
) -> None:
    app.config["DEFAULT_LANGUAGE"] = "sl"
    try:
        assert page_language(client, **{"Accept-Language": "de"}) == "sl"
    finally:
        app.config["DEFAULT_LANGUAGE"] = "en"


def test_the_users_choice_beats_the_browser(
    client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as("officer", language="kk")
    assert page_language(client, "/", **{"Accept-Language": "ru"}) == "kk"


def test_the_switch_saves_the_choice_and_returns_to_the_page(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    user_id = login_as("officer")
    response = client.post("/language", data={"language": "ru", "next": "/board?sector=culture"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/board?sector=culture"
    with app.app_context():
        assert session.get(User, user_id).language == "ru"
    assert page_language(client, "/board") == "ru"


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example", "/\\evil"])
def test_the_switch_never_sends_the_reader_off_the_site(
    client: FlaskClient, login_as: Callable[..., int], next_url: str
) -> None:
    login_as("officer")
    response = client.post("/language", data={"language": "sl", "next": next_url})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("language", ["", "de", "en_US", "sl\x00", "x" * 500])
def test_an_unknown_language_is_refused_and_nothing_changes(
    app: Flask, client: FlaskClient, login_as: Callable[..., int], language: str
) -> None:
    user_id = login_as("officer", language="kk")
    response = client.post("/language", data={"language": language})
    assert response.status_code == 400
    if "\x00" not in language:  # refused earlier, with the message for NUL characters
        message = read_catalogue("kk").get("Choose one of the languages offered.").string
        assert message in response.get_data(as_text=True)
    with app.app_context():
        assert session.get(User, user_id).language == "kk"


def test_a_choice_made_on_the_login_page_carries_through_login_and_logout(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        make_user(email="aida@example.com")
        session.commit()
    client.post("/language", data={"language": "kk", "next": "/login"})
    assert page_language(client) == "kk"
    response = client.post("/login", data={"email": "aida@example.com", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert page_language(client, "/") == "kk"
    client.post("/logout")
    assert page_language(client) == "kk"


@pytest.mark.parametrize(
    ("language", "long", "stamp"),
    [
        ("en", "12 February 2026", "12 Feb 2026, 11:00"),
        ("sl", "12. februar 2026", "12. feb. 2026"),
        ("ru", "12 февраля 2026", "12 февр. 2026"),
        ("kk", "2026 ж. 12 ақпан", "2026 ж. 12 ақп."),
    ],
)
def test_dates_are_written_the_readers_way(
    app: Flask, language: str, long: str, stamp: str
) -> None:
    from crm.i18n.languages import formatting_locale

    with app.test_request_context(), force_locale(formatting_locale(language)):
        assert plain_spaces(long_date(date(2026, 2, 12))).startswith(long)
        # 10:00 UTC is 11:00 in Ljubljana, the deployment's zone.
        written = plain_spaces(local_datetime(datetime(2026, 2, 12, 10, 0, tzinfo=UTC)))
        assert written.startswith(stamp)
        assert "11:00" in written


def test_lazily_translated_text_is_escaped_like_any_other(app: Flask) -> None:
    from flask import render_template_string
    from flask_babel import lazy_gettext

    with app.test_request_context():
        page = render_template_string("{{ label }}", label=lazy_gettext("<b>Tom & Jerry's</b>"))
    assert page == "&lt;b&gt;Tom &amp; Jerry&#39;s&lt;/b&gt;"


@pytest.mark.parametrize(
    ("days", "english"),
    [(0, "today"), (1, "yesterday"), (59, "59 days ago"), (60, "2 months ago"),
     (364, "12 months ago"), (365, "1 year ago"), (800, "2 years ago"),
     (-1, "in 1 day"), (-18, "in 18 days")],
)  # fmt: skip
def test_ages_read_naturally(app: Flask, days: int, english: str) -> None:
    from datetime import timedelta

    from crm.presentation import age

    now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    with app.test_request_context():
        assert age(now - timedelta(days=days), now=now) == english


def test_time_zones_are_named_in_the_readers_language(
    client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as("officer", language="kk", time_zone="Europe/Kiev")
    page = client.get("/profile").get_data(as_text=True)
    assert "Қызылорда · Қазақстан (Asia/Qyzylorda)" in page
    # Aliases are left out of the list, but a user who has one keeps it.
    assert '<option selected value="Europe/Kiev">' in page
    assert page.count('value="Europe/Kiev"') == 1
    assert 'value="Zulu"' not in page


def test_a_deployment_without_compiled_catalogues_is_told_at_start(
    app: Flask, tmp_path, caplog: pytest.LogCaptureFixture
) -> None:
    from config import TestConfig
    from crm import create_app
    from crm.i18n.locale import missing_catalogues

    assert missing_catalogues(app) == []
    with caplog.at_level("ERROR"):
        bare = create_app(
            TestConfig,
            DATABASE_URL=app.config["DATABASE_URL"],
            BABEL_TRANSLATION_DIRECTORIES=str(tmp_path),
        )
    assert missing_catalogues(bare) == ["sl", "ru", "kk"]
    assert "No compiled catalogue for sl, ru, kk" in caplog.text
