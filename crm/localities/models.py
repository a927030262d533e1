from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from crm.db import Base, utcnow
from crm.i18n.locale import current_language
from crm.localities.countries import country_name, subdivision_name
from crm.text_search import fold


class LocalityKind(enum.StrEnum):
    CITY = "city"
    MUNICIPALITY = "municipality"
    REGION = "region"

    @property
    def label(self) -> str:
        return str(LOCALITY_KIND_LABELS[self])


LOCALITY_KIND_LABELS = {
    LocalityKind.CITY: _l("City"),
    LocalityKind.MUNICIPALITY: _l("Municipality"),
    LocalityKind.REGION: _l("Region"),
}


class Locality(Base):
    __tablename__ = "localities"
    __table_args__ = (UniqueConstraint("country_code", "kind", "name_folded"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # As written locally, in its own script: "Maribor", "Қызылорда облысы".
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200), default="")
    # Names in other languages and scripts, by language code: {"ru": "Кызылорда", "kk": ...}.
    # Searched like the others; the reader's language is shown first where there is one.
    other_names: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default="{}")
    kind: Mapped[str] = mapped_column(String(20))
    country_code: Mapped[str] = mapped_column(String(2), index=True)
    subdivision_code: Mapped[str] = mapped_column(String(10), default="")
    # Unbounded: folding spells letters out ("ß" is "ss"), so it may outgrow the name.
    name_folded: Mapped[str] = mapped_column(Text)
    # Every name the locality is known by, folded, for diacritics-insensitive search.
    search_folded: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def display_name(self) -> str:
        """The name in the reader's language if it has one, else the English, else the local;
        for a reader of Kazakh, nearer names before the English (below)."""
        language = current_language()
        names = self.other_names or {}
        if language != "en" and names.get(language):
            return names[language]
        if language == "kk":
            # The local name of a place in Kazakhstan is Kazakh or Russian, both official there
            # and both read by a reader of Kazakh; elsewhere Russian, which nearly every one
            # reads, in the same script, comes before English. Russian and Slovenian readers
            # keep the English: Kazakh is no second language of theirs, nor Russian of a Slovene.
            if self.country_code == "KZ":
                return self.name
            if names.get("ru"):
                return names["ru"]
        return self.english_name

    @property
    def english_name(self) -> str:
        return self.name_en or self.name

    @property
    def full_name(self) -> str:
        """The reader's name for it, with the local spelling beside it when that differs."""
        shown = self.display_name
        if shown != self.name:
            return f"{shown} ({self.name})"
        return self.name

    @property
    def all_names(self) -> list[tuple[str, str]]:
        """(language code, name) of every name other than the local one, English first."""
        names = [("en", self.name_en)] if self.name_en else []
        names += sorted((self.other_names or {}).items())
        return names

    @property
    def country_name(self) -> str:
        return country_name(self.country_code)

    @property
    def subdivision_name(self) -> str | None:
        return subdivision_name(self.subdivision_code) if self.subdivision_code else None

    @property
    def kind_label(self) -> str:
        return LocalityKind(self.kind).label

    def __repr__(self) -> str:
        return f"<Locality {self.id} {self.name!r} {self.country_code}>"


@event.listens_for(Locality, "before_insert")
@event.listens_for(Locality, "before_update")
def _refresh_folded_names(mapper: object, connection: object, locality: Locality) -> None:
    locality.name_folded = fold(locality.name)
    names = [locality.name, locality.name_en, locality.subdivision_code]
    names += list((locality.other_names or {}).values())
    if locality.subdivision_code:
        names.append(subdivision_name(locality.subdivision_code) or "")
    locality.search_folded = fold(" | ".join(name for name in names if name))
