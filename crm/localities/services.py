"""The rules for localities; shared by the pages, the demo loader and (later) the API and import."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext, ngettext
from sqlalchemy import Select, select

from crm.db import session
from crm.errors import DomainError, StaleVersion
from crm.localities.countries import is_country, subdivision_country
from crm.localities.models import Locality, LocalityKind
from crm.text_search import LIKE_ESCAPE, contains_pattern, fold

NAME_MAX_LENGTH = 200


@dataclass(frozen=True)
class LocalityData:
    name: str
    kind: str
    country_code: str
    name_en: str = ""
    subdivision_code: str = ""

    def cleaned(self) -> LocalityData:
        return LocalityData(
            name=" ".join(self.name.split()),
            kind=self.kind.strip().lower(),
            country_code=self.country_code.strip().upper(),
            name_en=" ".join(self.name_en.split()),
            subdivision_code=self.subdivision_code.strip().upper(),
        )


def create_locality(data: LocalityData) -> Locality:
    data = data.cleaned()
    _validate(data, except_id=None)
    locality = Locality(
        name=data.name,
        name_en=data.name_en,
        kind=data.kind,
        country_code=data.country_code,
        subdivision_code=data.subdivision_code,
    )
    session.add(locality)
    session.flush()
    return locality


def update_locality(locality: Locality, data: LocalityData, *, expected_version: int) -> None:
    if locality.version != expected_version:
        raise StaleVersion()
    data = data.cleaned()
    _validate(data, except_id=locality.id)
    locality.name = data.name
    locality.name_en = data.name_en
    locality.kind = data.kind
    locality.country_code = data.country_code
    locality.subdivision_code = data.subdivision_code
    session.flush()


def find_locality(country_code: str, kind: str, name: str) -> Locality | None:
    return session.scalar(
        select(Locality).where(
            Locality.country_code == country_code.upper(),
            Locality.kind == kind,
            Locality.name_folded == fold(name),
        )
    )


def search_localities(query: str = "", country_code: str = "") -> Select[tuple[Locality]]:
    statement = select(Locality)
    if query.strip():
        statement = statement.where(
            Locality.search_folded.like(contains_pattern(query), escape=LIKE_ESCAPE)
        )
    if country_code:
        statement = statement.where(Locality.country_code == country_code.upper())
    return statement.order_by(Locality.country_code, Locality.name_folded, Locality.id)


def _validate(data: LocalityData, *, except_id: int | None) -> None:
    if not data.name:
        raise DomainError(gettext("Give the name as it is written locally."), field="name")
    if len(data.name) > NAME_MAX_LENGTH:
        raise DomainError(_name_too_long(), field="name")
    if len(data.name_en) > NAME_MAX_LENGTH:
        raise DomainError(_name_too_long(), field="name_en")
    if data.kind not in {kind.value for kind in LocalityKind}:
        raise DomainError(gettext("Choose city, municipality or region."), field="kind")
    if not is_country(data.country_code):
        raise DomainError(
            gettext("“%(code)s” is not an ISO 3166-1 country code.", code=data.country_code),
            field="country_code",
        )
    if data.subdivision_code:
        owner_country = subdivision_country(data.subdivision_code)
        if owner_country is None:
            raise DomainError(
                gettext(
                    "“%(code)s” is not in the current ISO 3166-2 list.", code=data.subdivision_code
                ),
                field="subdivision_code",
            )
        if owner_country != data.country_code:
            raise DomainError(
                gettext(
                    "%(code)s belongs to %(owner)s, not %(country)s.",
                    code=data.subdivision_code,
                    owner=owner_country,
                    country=data.country_code,
                ),
                field="subdivision_code",
            )
    duplicate = find_locality(data.country_code, data.kind, data.name)
    if duplicate is not None and duplicate.id != except_id:
        raise DomainError(_already_exists(duplicate), field="name")


def _name_too_long() -> str:
    return ngettext(
        "A name can be at most %(num)d character.",
        "A name can be at most %(num)d characters.",
        NAME_MAX_LENGTH,
    )


def _already_exists(duplicate: Locality) -> str:
    """A whole sentence per kind, so that a translation can inflect the words around it."""
    values = {"name": duplicate.name, "country": duplicate.country_code}
    if duplicate.kind == LocalityKind.CITY:
        return gettext("%(name)s (%(country)s) is already a city.", **values)
    if duplicate.kind == LocalityKind.MUNICIPALITY:
        return gettext("%(name)s (%(country)s) is already a municipality.", **values)
    return gettext("%(name)s (%(country)s) is already a region.", **values)
