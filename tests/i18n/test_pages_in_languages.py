"""Every page, read in Slovenian, Russian and Kazakh, shows no English the catalogue translates.

A text left in English (a string not marked, or one made at import time with `gettext` instead of
`lazy_gettext`) shows up here as a msgid on a page that should show its translation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from functools import cache
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from babel.dates import format_date
from flask.testing import FlaskClient

from crm.i18n.languages import formatting_locale
from tests.i18n.catalogues import TRANSLATED_LANGUAGES, read_catalogue
from tests.test_pages import (  # noqa: F401 (seeded is a fixture)
    ADMIN_ONLY,
    CONTENT_TYPES,
    PAGES,
    REDIRECTS,
    seeded,
)

# The login page redirects a signed-in reader; test_login_page_speaks_the_language reads it.
HTML_PAGES = sorted(
    set(PAGES) - set(CONTENT_TYPES) - REDIRECTS - {"localities.options", "auth.login"}
)
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "data-confirm"}


class _Texts(HTMLParser):
    """The text a reader reads, less scripts, styles and what HTML marks translate="no"."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skipping:
            if tag == self._skipping[-1]:
                self._skipping.append(tag)
            return
        if tag in {"script", "style"} or dict(attrs).get("translate") == "no":
            self._skipping.append(tag)
            return
        self.texts += [value for name, value in attrs if name in READ_ATTRIBUTES and value]

    def handle_endtag(self, tag: str) -> None:
        if self._skipping and tag == self._skipping[-1]:
            self._skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self._skipping and data.strip():
            self.texts.append(data)


def visible_texts(page: str) -> list[str]:
    parser = _Texts()
    parser.feed(page)
    return [" ".join(text.split()) for text in parser.texts]


@cache
def english_leftover_pattern(language: str) -> re.Pattern[str]:
    """Matches a whole text that is an English msgid which `language` translates differently."""
    alternatives = []
    for message in read_catalogue(language):
        if not message.id or message.pluralizable:
            continue
        translation = message.string
        if (
            not translation
            or translation == message.id
            or not re.search(r"[A-Za-z]{3}", message.id)
        ):
            continue
        parts = PLACEHOLDER.split(" ".join(message.id.split()))
        # A msgid that is mostly placeholders ("%(kind)s in %(country)s") would match prose in
        # other languages; only those with two English words of their own can be told apart.
        literal = " ".join(parts[::2])
        if len(parts) > 1 and len(re.findall(r"[A-Za-z]{3,}", literal)) < 2:
            continue
        # split() leaves the placeholder names at odd positions: they match any text.
        pattern = "".join(".+?" if i % 2 else re.escape(part) for i, part in enumerate(parts))
        alternatives.append(pattern)
    return re.compile("(?:" + "|".join(sorted(alternatives, key=len, reverse=True)) + ")")


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_no_page_shows_english_that_has_a_translation(
    client: FlaskClient,
    login_as: Callable[..., int],
    seeded: dict[str, int],  # noqa: F811
    language: str,
) -> None:
    login_as("admin", language=language)
    leftovers = english_leftover_pattern(language)
    found = []
    for endpoint in HTML_PAGES:
        response = client.get(PAGES[endpoint].format(**seeded))
        assert response.status_code == 200, endpoint
        found += [
            f"{endpoint}: {text!r}"
            for text in visible_texts(response.get_data(as_text=True))
            if leftovers.fullmatch(text)
        ]
    assert not found, f"English left on {language} pages:\n" + "\n".join(found)


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_key_pages_speak_the_language(
    client: FlaskClient,
    login_as: Callable[..., int],
    seeded: dict[str, int],  # noqa: F811
    language: str,
) -> None:
    catalogue = read_catalogue(language)
    login_as("officer", language=language)
    board = client.get("/board").get_data(as_text=True)
    assert f'<html lang="{language}">' in board
    for english in ("My tasks", "Board", "Weekly report", "Log out"):
        assert catalogue.get(english).string in board, english
    pairing = client.get(f"/partnerships/{seeded['partnership']}").get_data(as_text=True)
    # Kazakh readers see Kazakhstan's name in Kazakh, Slovenians in Slovenian.
    assert Locale.parse(formatting_locale(language)).territories["KZ"] in pairing
    # The pairing entered its stage today: the date is written the reader's way.
    today = datetime.now(ZoneInfo("Europe/Ljubljana")).date()
    assert format_date(today, "medium", locale=formatting_locale(language)) in pairing


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_login_page_speaks_the_browsers_language(client: FlaskClient, language: str) -> None:
    page = client.get("/login", headers={"Accept-Language": language}).get_data(as_text=True)
    catalogue = read_catalogue(language)
    assert f'<html lang="{language}">' in page
    assert catalogue.get("Log in").string in page
    leftovers = english_leftover_pattern(language)
    assert not [text for text in visible_texts(page) if leftovers.fullmatch(text)]
