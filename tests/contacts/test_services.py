"""People and organisations: validation, duplicates, merge, soft delete, vCard."""

from __future__ import annotations

import pytest
import vobject
from sqlalchemy import select

from crm.activities.models import Activity, activity_participants
from crm.contacts import services, vcard
from crm.contacts.models import PartnershipRole, Person
from crm.contacts.queries import people_of
from crm.db import session
from crm.errors import DomainError
from tests.factories import (
    make_activity,
    make_organisation,
    make_partnership,
    make_person,
    make_role,
)


def test_phone_numbers_are_stored_in_e164_and_shown_formatted(ctx: None) -> None:
    person = make_person("Aleksander Saša Arsenovič", phone="02 220 10 00", country_code="SI")
    assert person.phone == "+38622201000"
    assert person.phone_display == "+386 2 220 10 00"
    assert make_person(phone="+7 7242 23 45 67").phone == "+77242234567"


@pytest.mark.parametrize(
    "typed", ["02 220 10 00 ext. 123", "+386 2 220 10 00 x123", "022201000#123"]
)
def test_a_phone_keeps_its_extension(ctx: None, typed: str) -> None:
    person = make_person(phone=typed, country_code="SI")

    assert person.phone == "+38622201000;ext=123"  # as a tel: URI writes it
    assert person.phone_display == "+386 2 220 10 00 ext. 123"
    card = vobject.readOne(vcard.vcard_of(person))
    assert card.tel.value == "+38622201000 ext. 123"


def test_a_phone_extension_is_kept_in_ascii_digits_and_judged_by_its_stored_length(
    ctx: None,
) -> None:
    # As a tel: link needs them: "١٢٣" and "１２３" were stored as typed.
    assert make_person(phone="+386 2 220 10 00 ext. ١٢٣").phone == "+38622201000;ext=123"
    assert make_person(phone="+386 2 220 10 00 ext. １２３").phone == "+38622201000;ext=123"
    # 43 characters typed, 33 stored: the spaces and the word do not count against it.
    typed = "+386 2 220 10 00 extension 1234567890123456"
    assert make_person(phone=typed).phone == "+38622201000;ext=1234567890123456"
    # A valid number whose extension makes it 42 characters stored, though typed in 40.
    with pytest.raises(DomainError) as too_long:
        make_person(phone="+23480017591759111ext1111111111111111111")
    assert (too_long.value.field, too_long.value.message) == (
        "phone",
        "That phone number is too long.",
    )


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"email": "mayor@maribor"}, "email"),
        ({"phone": "call me maybe"}, "phone"),
        ({"phone": "+386 1"}, "phone"),
        ({"full_name": "   "}, "full_name"),
        ({"country_code": "XX"}, "country_code"),
        ({"organisation_id": 987654}, "organisation_id"),
    ],
)
def test_bad_person_values_are_refused(ctx: None, values: dict, field: str) -> None:
    data = {"full_name": "Altay Abibullayev", **values}
    with pytest.raises(DomainError) as refused:
        services.create_person(services.PersonData(**data))
    assert refused.value.field == field


@pytest.mark.parametrize(
    "website",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,hi",
        "ftp://example.com",
        "http://",
        # Not parseable at all (an unclosed IPv6 bracket): was a 500 from urlsplit's ValueError.
        "http://[",
        "https://[::1/path",
    ],
)
def test_only_http_websites_are_accepted(ctx: None, website: str) -> None:
    with pytest.raises(DomainError) as refused:
        services.create_organisation(services.OrganisationData(name="X", website=website))
    assert refused.value.field == "website"


def test_a_bare_domain_becomes_https(ctx: None) -> None:
    organisation = make_organisation("Štajerska Chamber", website="stajerska.example.com")
    assert organisation.website == "https://stajerska.example.com"


def test_duplicates_by_email_or_folded_name(ctx: None) -> None:
    mayor = make_person("Aleksander Saša Arsenovič", email="mayor@example.com")
    assert services.possible_duplicates("Aleksander Sasa Arsenovic", "") == [mayor]
    assert services.possible_duplicates("ALEKSANDER  SAŠA ARSENOVIČ", "") == [mayor]
    assert services.possible_duplicates("Someone Else", "Mayor@Example.com") == [mayor]
    assert services.possible_duplicates("Someone Else", "other@example.com") == []
    assert services.possible_duplicates("Aleksander Sasa Arsenovic", "", exclude_id=mayor.id) == []
    services.delete_person(mayor, expected_version=mayor.version)
    assert services.possible_duplicates("Aleksander Sasa Arsenovic", "") == []


def test_merge_moves_roles_and_meetings_to_the_survivor(ctx: None) -> None:
    partnership = make_partnership()
    other = make_partnership()
    survivor = make_person("Aleksander Saša Arsenovič", email="mayor@example.com")
    duplicate = make_person("Aleksander Sasa Arsenovic", phone="+38622201000")
    make_role(partnership, survivor, side="a", role="mayor")
    make_role(partnership, duplicate, side="a", role="mayor")  # the same seat twice
    make_role(other, duplicate, side="b", role="guest")
    both = make_activity(partnership, participants=(survivor, duplicate))
    only_dup = make_activity(other, participants=(duplicate,))
    without = make_activity(other, participants=(survivor,))
    versions = {a.id: a.version for a in (both, only_dup, without)}

    services.merge_people(
        survivor,
        duplicate,
        expected_version=survivor.version,
        expected_duplicate_version=duplicate.version,
    )

    roles = session.scalars(select(PartnershipRole).where(PartnershipRole.person_id == survivor.id))
    assert sorted((r.partnership_id, r.side) for r in roles) == sorted(
        [(partnership.id, "a"), (other.id, "b")]
    )
    assert (
        session.scalars(
            select(PartnershipRole).where(PartnershipRole.person_id == duplicate.id)
        ).all()
        == []
    )
    attended = set(
        session.execute(
            select(activity_participants.c.activity_id, activity_participants.c.person_id)
        )
    )
    assert attended == {
        (both.id, survivor.id),
        (only_dup.id, survivor.id),
        (without.id, survivor.id),
    }
    # A meeting whose participants changed has changed (a stale edit form gets a 409).
    assert session.get(Activity, both.id).version == versions[both.id] + 1
    assert session.get(Activity, only_dup.id).version == versions[only_dup.id] + 1
    assert session.get(Activity, without.id).version == versions[without.id]
    merged = session.get(Person, duplicate.id)
    assert merged is not None and merged.is_deleted and merged.merged_into_id == survivor.id
    assert session.get(Person, survivor.id).phone == "+38622201000"  # a blank filled in

    with pytest.raises(DomainError):
        services.merge_people(
            survivor,
            survivor,
            expected_version=survivor.version,
            expected_duplicate_version=survivor.version,
        )


def test_deleting_a_person_keeps_them_in_meetings_but_not_on_the_pairing(ctx: None) -> None:
    partnership = make_partnership()
    person = make_person("Altay Abibullayev")
    make_role(partnership, person, side="b", role="ambassador")
    meeting = make_activity(partnership, participants=(person,))
    assert people_of(partnership).b[0].person == person
    services.delete_person(person, expected_version=person.version)
    assert people_of(partnership).count == 0
    session.refresh(meeting)
    assert [p.full_name for p in meeting.participants] == ["Altay Abibullayev"]


def test_a_role_is_taken_once_per_side(ctx: None) -> None:
    partnership = make_partnership()
    person = make_person()
    make_role(partnership, person, side="facilitator", role="honorary consul")
    with pytest.raises(DomainError, match="already on this side"):
        make_role(partnership, person, side="facilitator", role="consul")
    with pytest.raises(DomainError):
        make_role(partnership, person, side="somewhere", role="x")


def test_the_vcard_parses_back_with_every_field(ctx: None) -> None:
    city_hall = make_organisation("Mestna občina Maribor")
    person = make_person(
        "Aleksander Saša Arsenovič",
        organisation=city_hall,
        position="Mayor; City of Maribor",
        email="mayor@example.com",
        phone="+386 2 220 10 00",
        notes="Prefers mornings,\nand Slovenian.",
    )
    card = vobject.readOne(vcard.vcard_of(person))
    assert card.fn.value == "Aleksander Saša Arsenovič"
    assert card.n.value.family == "Arsenovič"
    assert card.org.value == ["Mestna občina Maribor"]
    assert card.title.value == "Mayor; City of Maribor"
    assert card.email.value == "mayor@example.com"
    assert card.tel.value == "+38622201000"
    assert card.note.value == "Prefers mornings,\nand Slovenian."
    assert vcard.filename_of(person) == "Aleksander-Saša-Arsenovič.vcf"  # lost š and č
    assert vcard.content_disposition(person) == (
        'attachment; filename="Aleksander-Sasa-Arsenovic.vcf"; '
        "filename*=UTF-8''Aleksander-Sa%C5%A1a-Arsenovi%C4%8D.vcf"
    )
    person.full_name = "Ivan Иванов Smith"
    assert vcard.content_disposition(person).startswith('attachment; filename="Ivan-Smith.vcf";')
    person.full_name = "Алтай Абибуллаев"
    assert vcard.content_disposition(person) == (
        'attachment; filename="contact.vcf"; '
        "filename*=UTF-8''%D0%90%D0%BB%D1%82%D0%B0%D0%B9-"
        "%D0%90%D0%B1%D0%B8%D0%B1%D1%83%D0%BB%D0%BB%D0%B0%D0%B5%D0%B2.vcf"
    )
