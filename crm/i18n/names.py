"""Names that are data yet have translations: stages and sectors.

An admin may give a stage or a sector a name per language; without one, a name the catalogue
knows (the defaults, marked with `N_` where they are seeded) is translated by it; any other name
shows as it was given.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import JSON
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from crm.i18n.languages import SOURCE_LANGUAGE
from crm.i18n.locale import current_language
from crm.i18n.messages import gettext


def N_(message: str) -> str:
    """Marks a default name for extraction; it is stored as given and translated when shown."""
    return message


def translated_name(given: str, translations: Mapping[str, str] | None) -> str:
    language = current_language()
    if translations and translations.get(language):
        return translations[language]
    return gettext(given) if given else given


def rename_in(record: TranslatedName, name: str, language: str) -> None:
    """Give `record` a new name in `language`: the name as given for the source language."""
    if language == SOURCE_LANGUAGE:
        record.given_name = name
    else:
        # A new dict, so that the JSON column sees the change.
        record.name_translations = {**(record.name_translations or {}), language: name}


class TranslatedName:
    """For a model whose `given_name` column holds the name as given: `name` is the reader's."""

    given_name: Mapped[str]
    # {"sl": "Kultura", "kk": "Мәдениет"}: what an admin gave per language.
    name_translations: Mapped[dict[str, str]] = mapped_column(
        JSON, default=dict, server_default="{}"
    )

    @hybrid_property
    def name(self) -> str:
        return translated_name(self.given_name, self.name_translations)

    @name.inplace.setter
    def _name_setter(self, value: str) -> None:
        self.given_name = value

    @name.inplace.expression
    @classmethod
    def _name_expression(cls) -> ColumnElement[str]:
        # In queries `name` is the name as given: sorting and uniqueness work on the stored value.
        return cls.given_name  # type: ignore[return-value]
