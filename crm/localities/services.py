"""The rules for localities; shared by the pages, the API, the import and the demo loader."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pycountry
from flask_babel import gettext, ngettext
from sqlalchemy import Select, select

from crm.db import session
from crm.errors import DomainError, check_version, name_too_long
from crm.localities.countries import is_country, subdivision_country
from crm.localities.models import Locality, LocalityKind
from crm.text_search import fold, matches_every_word

NAME_MAX_LENGTH = 200
MAX_OTHER_NAMES = 12
# A BCP 47 language, optionally with a script or region: ru, kk, kk-latn, sr-cyrl.
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})?")


@dataclass(frozen=True)
class LocalityData:
    name: str
    kind: str
    country_code: str
    name_en: str = ""
    subdivision_code: str = ""
    # (language code, name) pairs: the names in other languages and scripts. None leaves an
    # existing locality's names as they are (the import does not carry them; an API PATCH that
    # leaves them out).
    other_names: tuple[tuple[str, str], ...] | None = None

    def cleaned(self) -> LocalityData:
        return LocalityData(
            other_names=None
            if self.other_names is None
            else tuple(
                (code.strip().lower(), " ".join(name.split())) for code, name in self.other_names
            ),
            name=" ".join(self.name.split()),
            kind=self.kind.strip().lower(),
            country_code=self.country_code.strip().upper(),
            name_en=" ".join(self.name_en.split()),
            subdivision_code=self.subdivision_code.strip().upper(),
        )


def create_locality(data: LocalityData) -> Locality:
    data = data.cleaned()
    _validate(data, except_id=None)
    _validate_other_names(data.other_names or ())
    locality = Locality(
        name=data.name,
        name_en=data.name_en,
        kind=data.kind,
        country_code=data.country_code,
        subdivision_code=data.subdivision_code,
        other_names=dict(data.other_names or ()),
    )
    session.add(locality)
    session.flush()
    return locality


def update_locality(locality: Locality, data: LocalityData, *, expected_version: int) -> None:
    check_version(locality.version, expected_version)
    data = data.cleaned()
    _validate(data, except_id=locality.id)
    if data.other_names is not None:
        _validate_other_names(data.other_names)
        locality.other_names = dict(data.other_names)
    locality.name = data.name
    locality.name_en = data.name_en
    locality.kind = data.kind
    locality.country_code = data.country_code
    locality.subdivision_code = data.subdivision_code
    session.flush()


def parse_other_names(text: str) -> tuple[tuple[str, str], ...]:
    """ "ru: Кызылорда" per line into (code, name) pairs; blank lines are skipped."""
    pairs = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        code, separator, name = line.partition(":")
        if not separator or not name.strip():
            raise DomainError(
                gettext(
                    "Line %(number)d: write a language code, a colon and the name, "
                    "e.g. “ru: Марибор”.",
                    number=number,
                ),
                field="other_names",
            )
        pairs.append((code.strip().lower(), " ".join(name.split())))
    return tuple(pairs)


def format_other_names(locality: Locality) -> str:
    return "\n".join(f"{code}: {name}" for code, name in sorted(locality.other_names.items()))


def is_language_code(code: str) -> bool:
    """An ISO 639 language ("sl", "kk"; "chu"), with a script or region if wanted ("kk-latn")."""
    if not LANGUAGE_CODE.fullmatch(code):
        return False
    language = code.partition("-")[0]
    lookup = {"alpha_2": language} if len(language) == 2 else {"alpha_3": language}
    return pycountry.languages.get(**lookup) is not None


def _validate_other_names(pairs: tuple[tuple[str, str], ...]) -> None:
    if len(pairs) > MAX_OTHER_NAMES:
        raise DomainError(
            ngettext(
                "A locality can have at most %(num)d other name.",
                "A locality can have at most %(num)d other names.",
                MAX_OTHER_NAMES,
            ),
            field="other_names",
        )
    seen: set[str] = set()
    for code, name in pairs:
        if not is_language_code(code):
            raise DomainError(
                gettext(
                    "“%(code)s” is not a language code; use two or three letters, "
                    "like sl, ru or kk (optionally with a script: kk-latn).",
                    code=code,
                ),
                field="other_names",
            )
        if code in seen:
            raise DomainError(
                gettext("Give one name per language; “%(code)s” appears twice.", code=code),
                field="other_names",
            )
        seen.add(code)
        # A name of invisible characters (a zero-width space) would show as nothing at all.
        if not any(character.isalnum() for character in name):
            raise DomainError(
                gettext("The name in “%(code)s” has no letters.", code=code), field="other_names"
            )
        if len(name) > NAME_MAX_LENGTH:
            raise DomainError(name_too_long(NAME_MAX_LENGTH), field="other_names")


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
        statement = statement.where(matches_every_word(query, Locality.search_folded))
    if country_code:
        statement = statement.where(Locality.country_code == country_code.upper())
    return statement.order_by(Locality.country_code, Locality.name_folded, Locality.id)


def _validate(data: LocalityData, *, except_id: int | None) -> None:
    if not data.name:
        raise DomainError(gettext("Give the name as it is written locally."), field="name")
    if len(data.name) > NAME_MAX_LENGTH:
        raise DomainError(name_too_long(NAME_MAX_LENGTH), field="name")
    if len(data.name_en) > NAME_MAX_LENGTH:
        raise DomainError(name_too_long(NAME_MAX_LENGTH), field="name_en")
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


def _already_exists(duplicate: Locality) -> str:
    """A whole sentence per kind, so that a translation can inflect the words around it."""
    values = {"name": duplicate.name, "country": duplicate.country_code}
    if duplicate.kind == LocalityKind.CITY:
        return gettext("%(name)s (%(country)s) is already a city.", **values)
    if duplicate.kind == LocalityKind.MUNICIPALITY:
        return gettext("%(name)s (%(country)s) is already a municipality.", **values)
    return gettext("%(name)s (%(country)s) is already a region.", **values)
