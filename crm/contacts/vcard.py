"""A person as a vCard 3.0 (the version every address book imports), written by vobject so
that escaping and line folding follow RFC 2426."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

import vobject

from crm.contacts.models import EXTENSION_MARK, Person
from crm.control_characters import without_control_characters


def vcard_of(person: Person) -> str:
    card = vobject.vCard()
    card.add("fn").value = person.full_name
    family, given = _split_name(person.full_name)
    card.add("n").value = vobject.vcard.Name(family=family, given=given)
    if person.organisation is not None:
        card.add("org").value = [person.organisation.name]
    if person.position:
        card.add("title").value = person.position
    if person.email:
        email = card.add("email")
        email.value = person.email
        email.type_param = "INTERNET"
    if person.phone:
        tel = card.add("tel")
        # vCard 3.0 writes a number as text: the extension as people write it, not as a URI.
        number, _, extension = person.phone.partition(EXTENSION_MARK)
        tel.value = f"{number} ext. {extension}" if extension else number
        tel.type_param = "WORK"
    if person.preferred_language:
        card.add("x-preferred-language").value = person.preferred_language
    if person.notes:
        card.add("note").value = person.notes
    card.add("uid").value = f"twinning-person-{person.id}"
    # A name typed with an invisible control character must not make the card unreadable.
    return without_control_characters(str(card.serialize()))


def _split_name(full_name: str) -> tuple[str, str]:
    """The last word as the family name: right for the demo's names, and only a hint to the
    address book, which shows FN."""
    given, _, family = full_name.rpartition(" ")
    return (family, given) if given else (full_name, "")


def filename_of(person: Person) -> str:
    """The name as written, its words joined by hyphens: "Aleksander-Saša-Arsenovič.vcf"."""
    words = "".join(ch if ch.isalnum() else " " for ch in person.full_name).split()
    return f"{'-'.join(words) or 'contact'}.vcf"


def content_disposition(person: Person) -> str:
    """An attachment header with the file's own name (RFC 6266's filename*, UTF-8) and, for
    old clients, that name in ASCII: "Aleksander-Sasa-Arsenovic.vcf"; "contact.vcf" when
    nothing of it is left (a name in Cyrillic)."""
    filename = filename_of(person)
    stem = unicodedata.normalize("NFKD", filename.removesuffix(".vcf"))
    # Words with nothing left in ASCII are dropped, not left as stray hyphens ("Ivan-.vcf").
    words = [word.encode("ascii", "ignore").decode() for word in stem.split("-")]
    ascii_name = f"{'-'.join(word for word in words if word) or 'contact'}.vcf"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
