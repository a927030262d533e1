"""Localities, matched on country + local name (diacritics and case set aside)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from babel.lists import format_list
from flask_babel import get_locale, gettext, lazy_gettext, ngettext
from sqlalchemy import select

from crm.db import session
from crm.imports.engine import NEW, UNCHANGED, UPDATE, Checked, Column, Importer, RowOutcome
from crm.imports.values import BadValue, country_code
from crm.localities import services
from crm.localities.countries import subdivision_country
from crm.localities.models import Locality, LocalityKind
from crm.text_search import fold

KIND_NAMES = {
    **{kind.value: kind.value for kind in LocalityKind},
    "town": LocalityKind.CITY.value,
    "obcina": LocalityKind.MUNICIPALITY.value,
    "province": LocalityKind.REGION.value,
    "oblast": LocalityKind.REGION.value,
}


@dataclass(frozen=True)
class Known:
    id: int
    name: str
    name_en: str
    kind: str
    subdivision_code: str
    version: int


@dataclass(frozen=True)
class Planned:
    data: services.LocalityData
    existing_id: int | None = None
    # The record's version when the file was checked against it: an edit saved since then is
    # not written over (the row is refused as stale).
    expected_version: int = 0


def _name_too_long() -> str:
    return ngettext(
        "A name can be at most %(num)d character.",
        "A name can be at most %(num)d characters.",
        services.NAME_MAX_LENGTH,
    )


class LocalityImporter(Importer):
    key = "localities"
    label = lazy_gettext("Localities")
    columns = (
        Column(
            "name",
            lazy_gettext("Local name"),
            required=True,
            help=lazy_gettext("As written locally, in its own script"),
            example="Maribor",
            aliases=("locality", "local name", "name local", "city", "municipality"),
        ),
        Column(
            "country",
            lazy_gettext("Country"),
            required=True,
            help=lazy_gettext("ISO 3166-1 code (SI, KZ) or English name"),
            example="SI",
            aliases=("country code", "country_code", "drzava", "страна"),
        ),
        Column(
            "kind",
            lazy_gettext("Kind"),
            help=lazy_gettext("city, municipality or region (new rows: city when empty)"),
            example="city",
            aliases=("type",),
        ),
        Column(
            "name_en",
            lazy_gettext("English name"),
            example="Maribor",
            aliases=("name en", "english", "name in english"),
        ),
        Column(
            "subdivision",
            lazy_gettext("ISO 3166-2 code"),
            example="SI-070",
            aliases=("subdivision code", "subdivision_code", "iso 3166 2", "region code"),
        ),
    )

    def prepare(self) -> None:
        self.known: dict[tuple[str, str], list[Known]] = defaultdict(list)
        rows = session.execute(
            select(
                Locality.id,
                Locality.country_code,
                Locality.name_folded,
                Locality.name,
                Locality.name_en,
                Locality.kind,
                Locality.subdivision_code,
                Locality.version,
            )
        )
        for row in rows:
            self.known[(row.country_code, row.name_folded)].append(
                Known(row.id, row.name, row.name_en, row.kind, row.subdivision_code, row.version)
            )
        self.seen: dict[tuple[str, str], int] = {}

    def check(self, number: int, values: dict[str, str]) -> Checked:
        name = " ".join(values.get("name", "").split())
        outcome = RowOutcome(number, NEW, label=name)
        errors = outcome.errors
        if not name:
            errors["name"] = gettext("Give the name as it is written locally.")
        elif len(name) > services.NAME_MAX_LENGTH:
            errors["name"] = _name_too_long()
        try:
            country = country_code(values.get("country", ""))
            if not country:
                errors["country"] = gettext("Give the country (an ISO code such as SI or KZ).")
        except BadValue as error:
            country, errors["country"] = "", str(error)
        kind = ""
        if values.get("kind"):
            kind = KIND_NAMES.get(fold(values["kind"]), "")
            if not kind:
                errors["kind"] = gettext(
                    "“%(kind)s” is not a kind: use city, municipality or region.",
                    kind=values["kind"],
                )
        name_en = " ".join(values.get("name_en", "").split())
        if len(name_en) > services.NAME_MAX_LENGTH:
            errors["name_en"] = _name_too_long()
        subdivision = values.get("subdivision", "").upper()
        if subdivision:
            owner = subdivision_country(subdivision)
            if owner is None:
                errors["subdivision"] = gettext(
                    "“%(code)s” is not in the current ISO 3166-2 list.", code=subdivision
                )
            elif country and owner != country:
                errors["subdivision"] = gettext(
                    "%(code)s belongs to %(owner)s, not %(country)s.",
                    code=subdivision,
                    owner=owner,
                    country=country,
                )
        if country:
            outcome.label = f"{name} ({country})"
        if errors:
            return Checked(outcome)

        key = (country, fold(name))
        if key in self.seen:
            errors["name"] = gettext(
                "Row %(row)d already has %(name)s (%(country)s).",
                row=self.seen[key],
                name=name,
                country=country,
            )
            return Checked(outcome)
        self.seen[key] = number

        candidates = self.known.get(key, [])
        if len(candidates) > 1 and kind:
            candidates = [known for known in candidates if known.kind == kind] or candidates
        if len(candidates) > 1:
            errors["kind"] = gettext(
                "%(name)s (%(country)s) exists as %(kinds)s; give the kind to say which.",
                name=name,
                country=country,
                kinds=format_list(
                    sorted(known.kind for known in candidates), locale=get_locale() or "en"
                ),
            )
            return Checked(outcome)
        if not candidates:
            data = services.LocalityData(
                name=name,
                kind=kind or LocalityKind.CITY.value,
                country_code=country,
                name_en=name_en,
                subdivision_code=subdivision,
            )
            return Checked(outcome, Planned(data))

        existing = candidates[0]
        wanted = {
            "kind": kind or existing.kind,
            "name_en": name_en or existing.name_en,
            "subdivision": subdivision or existing.subdivision_code,
        }
        current = {
            "kind": existing.kind,
            "name_en": existing.name_en,
            "subdivision": existing.subdivision_code,
        }
        outcome.changes = {
            field: [current[field], wanted[field]]
            for field in wanted
            if wanted[field] != current[field]
        }
        if not outcome.changes:
            outcome.mark = UNCHANGED
            return Checked(outcome)
        outcome.mark = UPDATE
        data = services.LocalityData(
            name=existing.name,
            kind=wanted["kind"],
            country_code=country,
            name_en=wanted["name_en"],
            subdivision_code=wanted["subdivision"],
        )
        return Checked(outcome, Planned(data, existing.id, existing.version))

    def write(self, checked: Checked) -> None:
        planned: Planned = checked.payload
        if planned.existing_id is None:
            services.create_locality(planned.data)
            return
        locality = session.get(Locality, planned.existing_id)
        if locality is None:
            return
        services.update_locality(locality, planned.data, expected_version=planned.expected_version)

    def forget(self, checked: Checked) -> None:
        planned: Planned | None = checked.payload
        if planned and planned.existing_id:
            locality = session.get(Locality, planned.existing_id)
            if locality is not None:
                session.expire(locality)
