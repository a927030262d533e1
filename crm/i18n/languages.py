"""The languages the interface speaks. English is the source; the others are full catalogues."""

from __future__ import annotations

from typing import NamedTuple


class Language(NamedTuple):
    code: str
    # The language's name in itself, as the switch shows it: a reader finds their own language
    # whichever one the page is in.
    native_name: str
    # The Babel locale for dates and numbers. English formats the British way (day before
    # month, 24-hour clock), as the embassies and chambers that use this expect.
    formatting_locale: str


LANGUAGES: dict[str, Language] = {
    language.code: language
    for language in (
        Language("en", "English", "en_GB"),
        Language("sl", "Slovenščina", "sl"),
        Language("ru", "Русский", "ru"),
        Language("kk", "Қазақша", "kk"),
    )
}
DEFAULT_LANGUAGE = "en"
# The language the code and the catalogues' msgids are written in.
SOURCE_LANGUAGE = "en"


def is_language(code: str | None) -> bool:
    return code in LANGUAGES


def formatting_locale(code: str) -> str:
    return LANGUAGES.get(code, LANGUAGES[DEFAULT_LANGUAGE]).formatting_locale
