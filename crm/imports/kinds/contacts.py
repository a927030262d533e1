"""People (matched on e-mail, else folded name + organisation) and organisations (folded name +
country)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, fields

from flask_babel import gettext, lazy_gettext, ngettext
from sqlalchemy import select

from crm.contacts import services
from crm.contacts.models import ORGANISATION_KIND_LABELS, Organisation, OrganisationKind, Person
from crm.db import session
from crm.email_addresses import checked_email
from crm.errors import DomainError
from crm.imports.engine import (
    NEW,
    UNCHANGED,
    UPDATE,
    Checked,
    Column,
    Importer,
    RowOutcome,
    close_matches,
)
from crm.imports.values import BadValue, country_code
from crm.text_search import fold

ORGANISATION_KINDS = {
    **{kind.value: kind.value for kind in OrganisationKind},
    **{fold(label): kind.value for kind, label in ORGANISATION_KIND_LABELS.items()},
    "chamber": OrganisationKind.CHAMBER.value,
    "city hall": OrganisationKind.CITY_HALL.value,
    "municipality": OrganisationKind.CITY_HALL.value,
    "honorary consulate": OrganisationKind.CONSULATE.value,
}


@dataclass(frozen=True)
class Planned:
    data: object
    existing_id: int | None = None
    # The record's version when the file was checked against it: an edit saved since then is
    # not written over (the row is refused as stale).
    expected_version: int = 0


def _differences(
    current: object,
    wanted: object,
    names: dict[str, str],
    shown: dict[str, dict[int, str]] | None = None,
) -> dict[str, list[str]]:
    """Field-by-field differences between two data objects, under the file's column names;
    `shown`: for a field that holds an id, what the file would give instead (the name)."""
    changes = {}
    for item in fields(wanted):  # type: ignore[arg-type]
        old, new = getattr(current, item.name), getattr(wanted, item.name)
        if old != new:
            as_given = (shown or {}).get(item.name, {})
            changes[names.get(item.name, item.name)] = [
                str(as_given.get(value, value) or "") for value in (old, new)
            ]
    return changes


def _merged(current: object, values: dict[str, object]) -> dict[str, object]:
    """The current values with those the file gives; an empty cell keeps what is there."""
    merged = {item.name: getattr(current, item.name) for item in fields(current)}  # type: ignore[arg-type]
    merged.update({name: value for name, value in values.items() if value not in ("", None)})
    return merged


def _too_long(limit: int, *, name: bool = False) -> str:
    if name:
        return ngettext(
            "A name can be at most %(num)d character.",
            "A name can be at most %(num)d characters.",
            limit,
        )
    return ngettext(
        "This can be at most %(num)d character.", "This can be at most %(num)d characters.", limit
    )


class OrganisationImporter(Importer):
    key = "organisations"
    label = lazy_gettext("Organisations")
    columns = (
        Column(
            "name",
            lazy_gettext("Name"),
            required=True,
            example="Štajerska gospodarska zbornica",
        ),
        Column(
            "country",
            lazy_gettext("Country"),
            help=lazy_gettext("ISO code or English name"),
            example="SI",
        ),
        Column(
            "kind",
            lazy_gettext("Kind"),
            help=lazy_gettext(
                "city hall, embassy, consulate, ministry, chamber of commerce, company, "
                "university, regional administration or other"
            ),
            example="chamber_of_commerce",
            aliases=("type",),
        ),
        Column("city", lazy_gettext("City"), example="Maribor"),
        Column("website", lazy_gettext("Website"), example="https://www.stajerskagz.si"),
        Column("notes", lazy_gettext("Notes")),
    )
    NAMES = {"country_code": "country"}

    def prepare(self) -> None:
        self.known: dict[tuple[str, str], list[Organisation]] = defaultdict(list)
        for organisation in session.scalars(
            select(Organisation).where(Organisation.deleted_at.is_(None))
        ):
            self.known[(organisation.name_folded, organisation.country_code)].append(organisation)
        self.seen: dict[tuple[str, str], int] = {}

    def check(self, number: int, values: dict[str, str]) -> Checked:
        name = " ".join(values.get("name", "").split())
        outcome = RowOutcome(number, NEW, label=name)
        errors = outcome.errors
        if not name:
            errors["name"] = gettext("Give the organisation's name.")
        elif len(name) > 300:
            errors["name"] = _too_long(300, name=True)
        try:
            country = country_code(values.get("country", ""))
        except BadValue as error:
            country, errors["country"] = "", str(error)
        kind = ""
        if values.get("kind"):
            kind = ORGANISATION_KINDS.get(fold(values["kind"]).replace("_", " "), "")
            kind = kind or ORGANISATION_KINDS.get(values["kind"].strip().lower(), "")
            if not kind:
                errors["kind"] = gettext(
                    "“%(kind)s” is not a kind of organisation.", kind=values["kind"]
                )
        website = ""
        try:
            website = services.normalise_website(values.get("website", ""))
        except DomainError as error:
            errors["website"] = error.message
        if len(values.get("city", "")) > 200:
            errors["city"] = ngettext(
                "A city can be at most %(num)d character.",
                "A city can be at most %(num)d characters.",
                200,
            )
        if len(values.get("notes", "")) > services.NOTES_MAX_LENGTH:
            errors["notes"] = gettext("The notes are too long.")
        if errors:
            return Checked(outcome)
        key = (fold(name), country)
        if key in self.seen:
            errors["name"] = gettext(
                "Row %(row)d already has %(name)s.", row=self.seen[key], name=name
            )
            return Checked(outcome)
        self.seen[key] = number
        given = {
            "name": name,
            "kind": kind,
            "country_code": country,
            "city": " ".join(values.get("city", "").split()),
            "website": website,
            "notes": values.get("notes", "").strip(),
        }
        existing = self.known.get(key, [])
        if not existing:
            given["kind"] = kind or OrganisationKind.OTHER.value
            return Checked(outcome, Planned(services.OrganisationData(**given)))
        if len(existing) > 1:
            errors["name"] = ngettext(
                "There is %(num)d organisation called %(name)s.",
                "There are %(num)d organisations called %(name)s.",
                len(existing),
                name=name,
            )
            return Checked(outcome)
        record = existing[0]
        current = services.OrganisationData(
            name=record.name,
            kind=record.kind,
            country_code=record.country_code,
            city=record.city,
            website=record.website,
            notes=record.notes,
        )
        wanted = services.OrganisationData(**_merged(current, {**given, "name": record.name}))  # type: ignore[arg-type]
        outcome.changes = _differences(current, wanted, self.NAMES)
        if not outcome.changes:
            outcome.mark = UNCHANGED
            return Checked(outcome)
        outcome.mark = UPDATE
        return Checked(outcome, Planned(wanted, record.id, record.version))

    def write(self, checked: Checked) -> None:
        planned: Planned = checked.payload
        data: services.OrganisationData = planned.data  # type: ignore[assignment]
        if planned.existing_id is None:
            services.create_organisation(data)
            return
        organisation = session.get(Organisation, planned.existing_id)
        if organisation is not None:
            services.update_organisation(
                organisation, data, expected_version=planned.expected_version
            )

    def forget(self, checked: Checked) -> None:
        planned: Planned | None = checked.payload
        if planned and planned.existing_id:
            organisation = session.get(Organisation, planned.existing_id)
            if organisation is not None:
                session.expire(organisation)


class PersonImporter(Importer):
    key = "people"
    label = lazy_gettext("People")
    columns = (
        Column(
            "full_name",
            lazy_gettext("Full name"),
            required=True,
            example="Aleksander Saša Arsenovič",
            aliases=("name", "person"),
        ),
        Column(
            "email",
            lazy_gettext("E-mail"),
            example="zupan@maribor.si",
            aliases=("mail", "email address"),
        ),
        Column(
            "organisation",
            lazy_gettext("Organisation"),
            help=lazy_gettext("The name of an organisation that exists"),
            example="Mestna občina Maribor",
            aliases=("organization", "company"),
        ),
        Column(
            "position", lazy_gettext("Position"), example="Mayor", aliases=("title", "function")
        ),
        Column(
            "phone",
            lazy_gettext("Phone"),
            help=lazy_gettext(
                "+386 2 220 10 00, an extension after “ext.”; without +, read in the country"
            ),
        ),
        Column("country", lazy_gettext("Country"), example="SI"),
        Column("preferred_language", lazy_gettext("Preferred language"), aliases=("language",)),
        Column("notes", lazy_gettext("Notes")),
    )
    NAMES = {"organisation_id": "organisation", "country_code": "country"}

    def prepare(self) -> None:
        # By folded name, each with its country: one name may be an organisation in each of
        # two countries (Občina Maribor in Slovenia and in Austria), told apart by the person's.
        self.organisations: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self.organisation_names: dict[str, str] = {}
        for organisation_id, name, folded, country in session.execute(
            select(
                Organisation.id,
                Organisation.name,
                Organisation.name_folded,
                Organisation.country_code,
            ).where(Organisation.deleted_at.is_(None))
        ):
            self.organisations[folded].append((organisation_id, country))
            self.organisation_names.setdefault(folded, name)
        self.live_organisation_ids: set[int] = {
            organisation_id for named in self.organisations.values() for organisation_id, _ in named
        }
        # Every organisation's name, the deleted too: a preview names the one it replaces, with
        # its country where another has the same name.
        everyone = session.execute(
            select(Organisation.id, Organisation.name, Organisation.country_code)
        ).all()
        names = Counter(name for _, name, _ in everyone)
        self.organisation_name_of: dict[int, str] = {
            organisation_id: f"{name} ({country})" if names[name] > 1 and country else name
            for organisation_id, name, country in everyone
        }
        self.by_email: dict[str, Person] = {}
        self.by_name: dict[tuple[str, int], list[Person]] = defaultdict(list)
        for person in session.scalars(select(Person).where(Person.deleted_at.is_(None))):
            if person.email:
                self.by_email.setdefault(person.email, person)
            self.by_name[(person.name_folded, person.organisation_id or 0)].append(person)
        self.seen: dict[object, int] = {}
        # The people the rows so far reach, by row: two rows may reach one person by different
        # keys (one by name, one by e-mail), and would then update the same version, or create
        # the same new person twice. Existing people by id; new ones by name and organisation,
        # with the e-mail their row gives (the register's own rule for a name: `check`).
        self.matched: dict[int, int] = {}
        self.planned_new: dict[tuple[str, int], tuple[int, str]] = {}

    def check(self, number: int, values: dict[str, str]) -> Checked:
        name = " ".join(values.get("full_name", "").split())
        outcome = RowOutcome(number, NEW, label=name)
        errors = outcome.errors
        if not name:
            errors["full_name"] = gettext("Give the person's full name.")
        elif len(name) > services.NAME_MAX_LENGTH:
            errors["full_name"] = _too_long(services.NAME_MAX_LENGTH, name=True)
        try:
            country = country_code(values.get("country", ""))
        except BadValue as error:
            country, errors["country"] = "", str(error)
        organisation_id: int | None = None
        if values.get("organisation"):
            named = self.organisations.get(fold(values["organisation"]), [])
            in_country = [found for found, code in named if code == country]
            if len(named) == 1:
                organisation_id = named[0][0]
            elif len(in_country) == 1:
                organisation_id = in_country[0]
            elif named:
                errors["organisation"] = gettext(
                    "More than one organisation has this name; the person's country tells them "
                    "apart when they are in different countries."
                )
            else:
                errors["organisation"] = gettext(
                    "No organisation “%(name)s”. Import it in an organisations file first.",
                    name=values["organisation"],
                )
                suggestions = close_matches(values["organisation"], self.organisation_names)
                if suggestions:
                    outcome.suggestions["organisation"] = suggestions
        email = phone = ""
        try:
            email = checked_email(values.get("email", ""))
        except DomainError as error:
            errors["email"] = error.message
        try:
            phone = services.normalise_phone(values.get("phone", ""), country)
        except DomainError as error:
            errors["phone"] = error.message
        for key, limit in (("position", 200), ("preferred_language", 60)):
            if len(values.get(key, "")) > limit:
                errors[key] = _too_long(limit)
        if len(values.get("notes", "")) > services.NOTES_MAX_LENGTH:
            errors["notes"] = gettext("The notes are too long.")
        if errors:
            return Checked(outcome)

        # The person's name where they have no e-mail: by it and their organisation.
        named = (fold(name), organisation_id or 0)

        def same_person_as(row: int) -> Checked:
            errors["email" if email else "full_name"] = gettext(
                "Row %(row)d is the same person.", row=row
            )
            return Checked(outcome)

        key: object = email or named
        if key in self.seen:
            return same_person_as(self.seen[key])
        self.seen[key] = number
        given: dict[str, object] = {
            "full_name": name,
            "position": " ".join(values.get("position", "").split()),
            "organisation_id": organisation_id,
            "email": email,
            "phone": phone,
            "country_code": country,
            "preferred_language": " ".join(values.get("preferred_language", "").split()),
            "notes": values.get("notes", "").strip(),
        }
        record = self.by_email.get(email) if email else None
        if record is None:
            # Without an e-mail match: the same name at the same organisation, unless that
            # person has a different e-mail of their own.
            same_name = [
                person for person in self.by_name.get(named, []) if not email or not person.email
            ]
            if len(same_name) > 1:
                errors["full_name"] = ngettext(
                    "There is %(num)d person called %(name)s here.",
                    "There are %(num)d people called %(name)s here.",
                    len(same_name),
                    name=name,
                )
                return Checked(outcome)
            record = same_name[0] if same_name else None
        if record is None:
            earlier, earlier_email = self.planned_new.get(named, (0, ""))
            if earlier and (not email or not earlier_email):
                return same_person_as(earlier)
            self.planned_new.setdefault(named, (number, email))
            return Checked(outcome, Planned(services.PersonData(**given)))  # type: ignore[arg-type]
        if record.id in self.matched:
            return same_person_as(self.matched[record.id])
        current = services.PersonData(
            full_name=record.full_name,
            position=record.position,
            organisation_id=record.organisation_id,
            email=record.email,
            phone=record.phone,
            country_code=record.country_code,
            preferred_language=record.preferred_language,
            notes=record.notes,
        )
        wanted = services.PersonData(**_merged(current, {**given, "full_name": record.full_name}))  # type: ignore[arg-type]
        outcome.changes = _differences(
            current, wanted, self.NAMES, {"organisation_id": self.organisation_name_of}
        )
        if not outcome.changes:
            self.matched[record.id] = number
            outcome.mark = UNCHANGED
            return Checked(outcome)
        if wanted.organisation_id and wanted.organisation_id not in self.live_organisation_ids:
            # An empty cell keeps the person's organisation, and the services refuse to save a
            # person at one that was deleted (as the form does).
            errors["organisation"] = gettext(
                "This person's organisation was deleted; give another one."
            )
            return Checked(outcome)
        self.matched[record.id] = number
        outcome.mark = UPDATE
        return Checked(outcome, Planned(wanted, record.id, record.version))

    def write(self, checked: Checked) -> None:
        planned: Planned = checked.payload
        data: services.PersonData = planned.data  # type: ignore[assignment]
        if planned.existing_id is None:
            # The file's row was matched by its own key (e-mail, else name and organisation)
            # and found new: another organisation's namesake is someone else.
            services.create_person(data, even_if_likely_duplicate=True)
            return
        person = session.get(Person, planned.existing_id)
        if person is not None:
            services.update_person(person, data, expected_version=planned.expected_version)

    def forget(self, checked: Checked) -> None:
        planned: Planned | None = checked.payload
        if planned and planned.existing_id:
            person = session.get(Person, planned.existing_id)
            if person is not None:
                session.expire(person)
