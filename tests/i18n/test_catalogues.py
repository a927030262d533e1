"""The Slovenian, Russian and Kazakh catalogues are complete, current and well-formed."""

from __future__ import annotations

import pytest
from babel.messages.catalog import Catalog

from tests.i18n.catalogues import TRANSLATED_LANGUAGES, extract_messages, read_catalogue

# Slovenian distinguishes one, two, three-or-four and five-or-more; Russian one, few, many.
PLURAL_FORMS = {"sl": 4, "ru": 3, "kk": 2}


@pytest.fixture(scope="module")
def extracted() -> Catalog:
    return extract_messages()


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_every_marked_string_is_translated(language: str, extracted: Catalog) -> None:
    catalogue = read_catalogue(language)
    missing, untranslated, fuzzy = [], [], []
    for message in extracted:
        if not message.id:
            continue
        entry = catalogue.get(message.id, context=message.context)
        if entry is None:
            missing.append(message.id)
        elif entry.fuzzy:
            fuzzy.append(message.id)
        elif not all(entry.string) if isinstance(entry.string, tuple) else not entry.string:
            untranslated.append(message.id)
    report = "\n".join(
        f"  {kind}: {ids!r}"
        for kind, ids in (("missing", missing), ("untranslated", untranslated), ("fuzzy", fuzzy))
        if ids
    )
    assert not report, (
        f"crm/translations/{language}: run `make translations`, then translate:\n{report}"
    )


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_plural_forms_and_placeholders_are_right(language: str) -> None:
    catalogue = read_catalogue(language)
    assert catalogue.num_plurals == PLURAL_FORMS[language]
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        if message.pluralizable and len(message.string) != catalogue.num_plurals:
            problems.append(f"{message.id!r}: {len(message.string)} plural forms")
        for error in message.check(catalogue):
            problems.append(f"{message.id!r}: {error}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_catalogues_hold_no_strings_that_left_the_code(language: str, extracted: Catalog) -> None:
    catalogue = read_catalogue(language)
    stale = [m.id for m in catalogue if m.id and extracted.get(m.id, context=m.context) is None]
    assert not stale, f"run `make translations` to drop: {stale!r}"
