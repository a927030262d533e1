"""The rules of people and organisations. Services change and flush; the caller commits once."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import phonenumbers
from flask_babel import format_decimal, gettext, ngettext
from sqlalchemy import delete, insert, or_, select, update

from crm.activities.models import Activity, activity_participants
from crm.contacts.models import (
    EXTENSION_MARK,
    Organisation,
    OrganisationKind,
    PartnershipRole,
    Person,
    Side,
)
from crm.db import mark_changed, session, utcnow
from crm.email_addresses import checked_email
from crm.errors import DomainError, StaleVersion, check_version, name_too_long
from crm.localities.countries import country_name, is_country
from crm.partnerships.models import Partnership
from crm.text_search import fold

NAME_MAX_LENGTH = 200
NOTES_MAX_LENGTH = 10_000
ROLE_MAX_LENGTH = 100


@dataclass(frozen=True)
class OrganisationData:
    name: str
    kind: str = OrganisationKind.OTHER.value
    country_code: str = ""
    city: str = ""
    website: str = ""
    notes: str = ""


@dataclass(frozen=True)
class PersonData:
    full_name: str
    position: str = ""
    organisation_id: int | None = None
    email: str = ""
    phone: str = ""
    country_code: str = ""
    preferred_language: str = ""
    notes: str = ""


# Organisations ------------------------------------------------------------------------------


def create_organisation(data: OrganisationData) -> Organisation:
    organisation = Organisation()
    _apply_organisation(organisation, data)
    session.add(organisation)
    session.flush()
    return organisation


def update_organisation(
    organisation: Organisation, data: OrganisationData, *, expected_version: int
) -> None:
    check_version(organisation.version, expected_version)
    _apply_organisation(organisation, data)
    session.flush()


def delete_organisation(organisation: Organisation, *, expected_version: int) -> None:
    """Soft: the organisation leaves the lists, and people who worked there keep its name.

    `expected_version`: the organisation as the one deleting it saw it; one edited since is not
    deleted unseen (`StaleVersion`).
    """
    check_version(organisation.version, expected_version)
    if organisation.deleted_at is None:
        organisation.deleted_at = utcnow()
        session.flush()


def _apply_organisation(organisation: Organisation, data: OrganisationData) -> None:
    name = " ".join(data.name.split())
    if not name:
        raise DomainError(gettext("Give the organisation's name."), field="name")
    if len(name) > 300:
        raise DomainError(name_too_long(300), field="name")
    if data.kind not in {kind.value for kind in OrganisationKind}:
        raise DomainError(gettext("Choose a kind from the list."), field="kind")
    country_code = _country(data.country_code)
    _refuse_a_second(organisation, name, country_code)
    organisation.name = name
    organisation.kind = data.kind
    organisation.country_code = country_code
    organisation.city = _short(data.city, "city", 200)
    organisation.website = normalise_website(data.website)
    organisation.notes = _notes(data.notes)


def _refuse_a_second(organisation: Organisation, name: str, country_code: str) -> None:
    """One organisation of a name in a country, the name compared as search folds it ("Obcina
    Maribor" is "Občina Maribor"): two would be one body with its people split between them, and
    an import, which finds an organisation by its folded name and country, could not tell which
    one a row means. A deleted organisation's name is free again. An edit that keeps the name
    and country is not checked: two that were stored before this rule stay editable.
    """
    folded = fold(name)
    if (
        organisation.id is not None
        and organisation.name_folded == folded
        and organisation.country_code == country_code
    ):
        return
    clash = session.scalar(
        select(Organisation.name)
        .where(
            Organisation.name_folded == folded,
            Organisation.country_code == country_code,
            Organisation.deleted_at.is_(None),
        )
        .limit(1)
    )
    if clash is None:
        return
    if country_code:
        message = gettext(
            "There is already an organisation “%(name)s” in %(country)s.",
            name=clash,
            country=country_name(country_code),
        )
    else:
        message = gettext(
            "There is already an organisation “%(name)s” with no country.", name=clash
        )
    raise DomainError(message, field="name")


def normalise_website(website: str) -> str:
    """An http(s) address with a host, or nothing. `javascript:` and its kind are refused, so a
    link on the page can never run code; "example.com" is read as https://example.com."""
    website = website.strip()
    if not website:
        return ""
    if len(website) > 500:
        raise DomainError(
            ngettext(
                "A web address can be at most %(num)d character.",
                "A web address can be at most %(num)d characters.",
                500,
            ),
            field="website",
        )
    if any(ord(ch) < 33 for ch in website):
        raise DomainError(gettext("A web address cannot contain spaces."), field="website")
    if "://" not in website and ":" not in website.split("/")[0]:
        website = "https://" + website
    not_a_web_address = DomainError(
        gettext("Give a web address starting with http:// or https://."), field="website"
    )
    try:
        parts = urlsplit(website)
        hostname = parts.hostname
    except ValueError as unreadable:  # e.g. an unclosed IPv6 bracket, "http://["
        raise not_a_web_address from unreadable
    if parts.scheme.lower() not in {"http", "https"} or not hostname:
        raise not_a_web_address
    if "." not in hostname and hostname != "localhost":
        raise DomainError(
            gettext("That web address has no domain (like example.com)."), field="website"
        )
    return website


# People ---------------------------------------------------------------------------------------


class LikelyDuplicate(DomainError):
    """Someone who may be this person exists already: the caller shows them, and asks again."""

    status_code = 409

    def __init__(self, matches: list[Person]) -> None:
        super().__init__(
            gettext("This may be someone already here; check them, or save anyway."),
            field="full_name",
        )
        self.matches = matches


def create_person(data: PersonData, *, even_if_likely_duplicate: bool = False) -> Person:
    """A new person; one who may be someone already here (the same e-mail, or the same name as
    letters) is refused unless the caller says to go ahead: the form's "save anyway"."""
    if not even_if_likely_duplicate:
        matches = possible_duplicates(data.full_name, data.email)
        if matches:
            raise LikelyDuplicate(matches)
    person = Person()
    _apply_person(person, data)
    session.add(person)
    session.flush()
    return person


def update_person(person: Person, data: PersonData, *, expected_version: int) -> None:
    check_version(person.version, expected_version)
    _apply_person(person, data)
    session.flush()


def delete_person(person: Person, *, expected_version: int) -> None:
    """Soft: the person leaves the lists and the pairings' people, but meetings they attended
    still name them.

    `expected_version`: the person as the one deleting them saw them; one edited since (another
    name or organisation, a merge into them that brought more roles) is not deleted unseen
    (`StaleVersion`).
    """
    check_version(person.version, expected_version)
    if person.deleted_at is None:
        person.deleted_at = utcnow()
        session.flush()


def possible_duplicates(
    full_name: str, email: str, *, exclude_id: int | None = None
) -> list[Person]:
    """People who may be this one: the same e-mail, or a name with the same letters once case
    and diacritics are set aside (Arsenovič and Arsenovic)."""
    conditions = []
    folded = fold(full_name)
    if folded:
        conditions.append(Person.name_folded == folded)
    email = email.strip().lower()
    if email:
        conditions.append(Person.email == email)
    if not conditions:
        return []
    statement = select(Person).where(or_(*conditions), Person.deleted_at.is_(None))
    if exclude_id is not None:
        statement = statement.where(Person.id != exclude_id)
    return list(session.scalars(statement.order_by(Person.id).limit(10)))


class StaleMerge(StaleVersion):
    """One of the two people to merge changed since the admin's page showed them."""

    def __init__(self) -> None:
        super().__init__(
            gettext(
                "Someone changed one of these two people a moment ago, so nothing was merged. "
                "Check them as they are now and merge again."
            )
        )


def merge_people(
    survivor: Person, duplicate: Person, *, expected_version: int, expected_duplicate_version: int
) -> None:
    """Fold `duplicate` into `survivor`: roles and meeting attendance move across, blanks on the
    survivor are filled from the duplicate, and the duplicate is kept (deleted) pointing at the
    survivor, so old links still lead somewhere.

    `expected_version` and `expected_duplicate_version`: the two as the admin's page showed them.
    The admin chose the duplicate by name, e-mail and number, and decided on the survivor as
    shown: one renamed, given another address, deleted or merged since may no longer be a
    duplicate (`StaleMerge`). Both rows are written, so a change committed meanwhile is the
    ORM's version conflict at the flush.
    """
    check_version(survivor.version, expected_version, stale=StaleMerge)
    check_version(duplicate.version, expected_duplicate_version, stale=StaleMerge)
    if survivor.id == duplicate.id:
        raise DomainError(gettext("Choose two different people to merge."), field="other_id")
    if survivor.is_deleted or duplicate.is_deleted:
        raise DomainError(gettext("A deleted person cannot be merged."), field="other_id")
    for name in ("position", "email", "phone", "country_code", "preferred_language"):
        if not getattr(survivor, name) and getattr(duplicate, name):
            setattr(survivor, name, getattr(duplicate, name))
    if survivor.organisation_id is None:
        survivor.organisation_id = duplicate.organisation_id
    if duplicate.notes:
        survivor.notes = "\n\n".join(part for part in (survivor.notes, duplicate.notes) if part)
    # The survivor stands for two people now, with the duplicate's roles and meetings, though
    # no column of theirs may have changed: a write of the row moves the version on, so a
    # delete (or an edit) confirmed on a page drawn before the merge is a 409, not done unseen.
    survivor.updated_at = utcnow()

    held = {
        (role.partnership_id, role.side)
        for role in session.scalars(
            select(PartnershipRole).where(PartnershipRole.person_id == survivor.id)
        )
    }
    for role in session.scalars(
        select(PartnershipRole).where(PartnershipRole.person_id == duplicate.id)
    ).all():
        if (role.partnership_id, role.side) in held:
            session.delete(role)
        else:
            role.person_id = survivor.id
            held.add((role.partnership_id, role.side))

    attended = set(
        session.scalars(
            select(activity_participants.c.activity_id).where(
                activity_participants.c.person_id == survivor.id
            )
        )
    )
    moved = set(
        session.scalars(
            select(activity_participants.c.activity_id).where(
                activity_participants.c.person_id == duplicate.id
            )
        )
    )
    session.execute(
        delete(activity_participants).where(activity_participants.c.person_id == duplicate.id)
    )
    new = moved - attended
    if new:
        session.execute(
            insert(activity_participants),
            [{"activity_id": activity_id, "person_id": survivor.id} for activity_id in new],
        )
    mark_changed(Activity, moved)
    session.execute(
        update(Person)
        .where(Person.merged_into_id == duplicate.id)
        .values(merged_into_id=survivor.id)
    )
    duplicate.deleted_at = utcnow()
    duplicate.merged_into = survivor
    session.flush()
    session.expire_all()


def _apply_person(person: Person, data: PersonData) -> None:
    name = " ".join(data.full_name.split())
    if not name:
        raise DomainError(gettext("Give the person's full name."), field="full_name")
    if len(name) > NAME_MAX_LENGTH:
        raise DomainError(name_too_long(NAME_MAX_LENGTH), field="full_name")
    organisation = None
    if data.organisation_id:
        organisation = session.get(Organisation, data.organisation_id)
        if organisation is None or organisation.deleted_at is not None:
            raise DomainError(
                gettext("Choose an organisation from the list."), field="organisation_id"
            )
    country = _country(data.country_code)
    person.full_name = name
    person.position = _short(data.position, "position", 200)
    person.organisation = organisation
    person.email = checked_email(data.email)
    person.phone = normalise_phone(data.phone, country)
    person.country_code = country
    person.preferred_language = _short(data.preferred_language, "preferred_language", 60)
    person.notes = _notes(data.notes)


PHONE_MAX_LENGTH = 40  # stored: "+38622201000;ext=123"
PHONE_INPUT_MAX_LENGTH = 60  # typed: "+386 2 220 10 00 extension 123"


def normalise_phone(phone: str, country_code: str = "") -> str:
    """E.164 ("+38622201000"), with the extension after ";ext=" as a tel: URI writes it
    ("+38622201000;ext=123"). A number without +country code is read in the person's country."""
    phone = phone.strip()
    if not phone:
        return ""
    if len(phone) > PHONE_INPUT_MAX_LENGTH:
        raise DomainError(gettext("That phone number is too long."), field="phone")
    try:
        number = phonenumbers.parse(phone, country_code or None)
    except phonenumbers.NumberParseException as error:
        message = (
            gettext("That phone number could not be read.")
            if country_code
            else gettext(
                "That phone number could not be read. "
                "Start it with + and the country code, e.g. +386 2 220 10 00."
            )
        )
        raise DomainError(message, field="phone") from error
    if not phonenumbers.is_valid_number(number):
        raise DomainError(
            gettext("That is not a valid phone number for its country; check the digits."),
            field="phone",
        )
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    # An embassy's switchboard number is useless without the desk's extension: it is kept, in
    # ASCII digits as a tel: link needs them (the number's own digits are so already; "١٢٣"
    # typed after "ext." was not).
    extension = phonenumbers.normalize_digits_only(number.extension or "")
    stored = f"{e164}{EXTENSION_MARK}{extension}" if extension else e164
    if len(stored) > PHONE_MAX_LENGTH:
        raise DomainError(gettext("That phone number is too long."), field="phone")
    return stored


# Roles on a pairing ---------------------------------------------------------------------------


def add_role(partnership: Partnership, person: Person, *, side: str, role: str) -> PartnershipRole:
    if person.is_deleted:
        raise DomainError(gettext("Choose a person from the list."), field="person_id")
    if side not in {s.value for s in Side}:
        raise DomainError(gettext("Choose a side from the list."), field="side")
    role = " ".join(role.split())
    if not role:
        raise DomainError(gettext("Say what their role is (e.g. mayor)."), field="role")
    if len(role) > ROLE_MAX_LENGTH:
        raise DomainError(
            ngettext(
                "A role can be at most %(num)d character.",
                "A role can be at most %(num)d characters.",
                ROLE_MAX_LENGTH,
            ),
            field="role",
        )
    existing = session.scalar(
        select(PartnershipRole).where(
            PartnershipRole.partnership_id == partnership.id,
            PartnershipRole.person_id == person.id,
            PartnershipRole.side == side,
        )
    )
    if existing is not None:
        raise DomainError(
            gettext(
                "%(name)s is already on this side, as %(role)s.",
                name=person.full_name,
                role=existing.role,
            ),
            field="person_id",
        )
    link = PartnershipRole(partnership=partnership, person=person, side=side, role=role)
    session.add(link)
    session.flush()
    return link


def remove_role(link: PartnershipRole, *, expected_version: int) -> None:
    """Take a person off a pairing as the page showed the role; one changed since (moved to
    another person by a merge) is not removed unseen (`StaleVersion`)."""
    check_version(link.version, expected_version)
    session.delete(link)
    session.flush()


def _country(code: str) -> str:
    code = code.strip().upper()
    if code and not is_country(code):
        raise DomainError(gettext("Choose a country from the list."), field="country_code")
    return code


def _short(value: str, field: str, limit: int) -> str:
    value = " ".join(value.split())
    if len(value) > limit:
        raise DomainError(
            ngettext(
                "This can be at most %(num)d character.",
                "This can be at most %(num)d characters.",
                limit,
            ),
            field=field,
        )
    return value


def _notes(notes: str) -> str:
    if len(notes) > NOTES_MAX_LENGTH:
        raise DomainError(
            ngettext(
                "Notes can be at most %(num)s character.",
                "Notes can be at most %(num)s characters.",
                NOTES_MAX_LENGTH,
                num=format_decimal(NOTES_MAX_LENGTH),
            ),
            field="notes",
        )
    return notes.strip()
