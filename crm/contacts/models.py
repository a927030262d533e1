from __future__ import annotations

import enum
from datetime import datetime

import phonenumbers
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.db import Base, utcnow
from crm.partnerships.models import Partnership
from crm.text_search import fold


class OrganisationKind(enum.StrEnum):
    CITY_HALL = "city_hall"
    REGIONAL_ADMINISTRATION = "regional_administration"
    EMBASSY = "embassy"
    CONSULATE = "consulate"
    MINISTRY = "ministry"
    CHAMBER = "chamber_of_commerce"
    COMPANY = "company"
    UNIVERSITY = "university"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(ORGANISATION_KIND_LABELS[self])


ORGANISATION_KIND_LABELS = {
    OrganisationKind.CITY_HALL: _l("City hall or municipality"),
    OrganisationKind.REGIONAL_ADMINISTRATION: _l("Regional administration"),
    OrganisationKind.EMBASSY: _l("Embassy"),
    OrganisationKind.CONSULATE: _l("Consulate or honorary consulate"),
    OrganisationKind.MINISTRY: _l("Ministry"),
    OrganisationKind.CHAMBER: _l("Chamber of commerce"),
    OrganisationKind.COMPANY: _l("Company"),
    OrganisationKind.UNIVERSITY: _l("University"),
    OrganisationKind.OTHER: _l("Other"),
}


class Side(enum.StrEnum):
    """Which party a person speaks for on a pairing."""

    A = "a"
    B = "b"
    FACILITATOR = "facilitator"


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    name_folded: Mapped[str] = mapped_column(Text, default="", index=True)
    kind: Mapped[str] = mapped_column(String(40), default=OrganisationKind.OTHER.value)
    country_code: Mapped[str] = mapped_column(String(2), default="")
    city: Mapped[str] = mapped_column(String(200), default="")
    website: Mapped[str] = mapped_column(String(500), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    # Deleting is soft: people and history that name the organisation stay readable.
    deleted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def kind_label(self) -> str:
        return OrganisationKind(self.kind).label

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r}>"


EXTENSION_MARK = ";ext="


class Person(Base):
    __tablename__ = "people"
    __table_args__ = (
        # The directory and the search box list people by name and match a typed word anywhere
        # in the name or the address (LIKE '%word%', which no index can seek). Holding the
        # address and `deleted_at` too, the index is read alone, in the list's order, and a
        # person's row is read only once they match: a search of 200,000 people on SQLite
        # read each one's row to check those two, 0.5 s for a word nobody's name holds.
        Index("ix_people_by_name", "name_folded", "id", "email", "deleted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200))
    name_folded: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[str] = mapped_column(String(200), default="")
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    # Lower-cased; not unique, because duplicates are flagged to a person rather than refused.
    email: Mapped[str] = mapped_column(String(254), default="", index=True)
    # E.164 ("+38622201000"), with an extension as in a tel: URI ("+38622201000;ext=123");
    # shown in international format ("+386 2 220 10 00 ext. 123").
    phone: Mapped[str] = mapped_column(String(40), default="")
    country_code: Mapped[str] = mapped_column(String(2), default="")
    preferred_language: Mapped[str] = mapped_column(String(60), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    deleted_at: Mapped[datetime | None]
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation | None] = relationship()
    merged_into: Mapped[Person | None] = relationship(remote_side=[id])
    roles: Mapped[list[PartnershipRole]] = relationship(
        back_populates="person", order_by="PartnershipRole.id"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def phone_display(self) -> str:
        if not self.phone:
            return ""
        try:
            number = phonenumbers.parse(self.phone)
        except phonenumbers.NumberParseException:
            return self.phone
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.full_name!r}>"


class PartnershipRole(Base):
    """A person's part in one pairing: "mayor", for side A, B, or as a facilitator."""

    __tablename__ = "partnership_roles"
    __table_args__ = (
        UniqueConstraint("partnership_id", "person_id", "side"),
        Index("ix_partnership_roles_partnership", "partnership_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    side: Mapped[str] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A merge of people moves the role to the survivor: a Remove button showing the duplicate
    # must not take the survivor off the pairing unseen. Rows from before the column start at 1.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    partnership: Mapped[Partnership] = relationship()
    person: Mapped[Person] = relationship(back_populates="roles")

    __mapper_args__ = {"version_id_col": version}

    def side_label(self) -> str:
        if self.side == Side.FACILITATOR:
            return gettext("Facilitator")
        locality = (
            self.partnership.locality_a if self.side == Side.A else self.partnership.locality_b
        )
        return locality.display_name


@event.listens_for(Organisation, "before_insert")
@event.listens_for(Organisation, "before_update")
def _fold_organisation(mapper: object, connection: object, organisation: Organisation) -> None:
    organisation.name_folded = fold(organisation.name)


@event.listens_for(Person, "before_insert")
@event.listens_for(Person, "before_update")
def _fold_person(mapper: object, connection: object, person: Person) -> None:
    person.name_folded = fold(person.full_name)
