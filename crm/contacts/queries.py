"""Reading people and organisations, and who speaks for whom on a pairing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from flask import abort
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from crm import access
from crm.auth.models import User
from crm.contacts.models import Organisation, PartnershipRole, Person, Side
from crm.db import session
from crm.partnerships.models import Partnership
from crm.text_search import matches_every_word


@dataclass
class PairingPeople:
    a: list[PartnershipRole] = field(default_factory=list)
    b: list[PartnershipRole] = field(default_factory=list)
    facilitators: list[PartnershipRole] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.a) + len(self.b) + len(self.facilitators)


def people_of(partnership: Partnership) -> PairingPeople:
    """Both sides' people and the facilitators; two statements however many there are."""
    roles = session.scalars(
        select(PartnershipRole)
        .join(Person, Person.id == PartnershipRole.person_id)
        .where(PartnershipRole.partnership_id == partnership.id, Person.deleted_at.is_(None))
        .options(joinedload(PartnershipRole.person).joinedload(Person.organisation))
        .order_by(Person.name_folded, PartnershipRole.id)
    ).all()
    people = PairingPeople()
    for role in roles:
        {Side.A: people.a, Side.B: people.b}.get(Side(role.side), people.facilitators).append(role)
    return people


def active_people() -> Select[tuple[Person]]:
    return select(Person).where(Person.deleted_at.is_(None))


def active_organisations() -> Select[tuple[Organisation]]:
    return select(Organisation).where(Organisation.deleted_at.is_(None))


def person_or_404(person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        abort(404)
    return person


def organisation_or_404(organisation_id: int) -> Organisation:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        abort(404)
    return organisation


def search_people(q: str) -> Select[tuple[Person]]:
    statement = active_people()
    if q.strip():
        statement = statement.where(matches_every_word(q, Person.name_folded, Person.email))
    return statement


def search_organisations(q: str) -> Select[tuple[Organisation]]:
    statement = active_organisations()
    if q.strip():
        statement = statement.where(matches_every_word(q, Organisation.name_folded))
    return statement


def count(statement: Select) -> int:  # type: ignore[type-arg]
    return (
        session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
    )


def roles_of(person: Person, user: User) -> Sequence[PartnershipRole]:
    """The person's roles on the pairings `user` may see."""
    return session.scalars(
        select(PartnershipRole)
        .where(
            PartnershipRole.person_id == person.id,
            PartnershipRole.partnership_id.in_(access.visible_partnership_ids(user)),
        )
        .options(
            joinedload(PartnershipRole.partnership).joinedload(Partnership.locality_a),
            joinedload(PartnershipRole.partnership).joinedload(Partnership.locality_b),
            joinedload(PartnershipRole.partnership).joinedload(Partnership.stage),
        )
        .order_by(PartnershipRole.id)
    ).all()


def participant_choices(partnership: Partnership) -> list[Person]:
    """Everyone who may attend: the pairing's own people first, then the rest by name."""
    on_pairing = select(PartnershipRole.person_id).where(
        PartnershipRole.partnership_id == partnership.id
    )
    return list(
        session.scalars(
            active_people()
            .options(selectinload(Person.organisation))
            .order_by(Person.id.not_in(on_pairing), Person.name_folded)
            .limit(2000)
        )
    )


def people_on(partnership: Partnership) -> list[Person]:
    """The people who have a role on this pairing, by name."""
    return list(
        session.scalars(
            active_people()
            .where(
                Person.id.in_(
                    select(PartnershipRole.person_id).where(
                        PartnershipRole.partnership_id == partnership.id
                    )
                )
            )
            .options(selectinload(Person.organisation))
            .order_by(Person.name_folded)
        )
    )
