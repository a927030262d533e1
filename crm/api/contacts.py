"""Endpoints for people and organisations."""

from __future__ import annotations

from flask import Response, url_for
from sqlalchemy.orm import selectinload

from crm import access
from crm.api import auth
from crm.api.core import (
    ApiError,
    answer,
    bp,
    page_of,
    parse_body,
    parse_query,
    patched,
    require,
)
from crm.api.schemas import (
    ContactQuery,
    OrganisationCreate,
    OrganisationOut,
    OrganisationUpdate,
    PersonCreate,
    PersonOut,
    PersonUpdate,
)
from crm.contacts import queries, services
from crm.contacts.models import Organisation, Person
from crm.db import session


def _require_directory_reader() -> None:
    """Every pairing's people and organisations: not for a partner, who sees one pairing."""
    require(access.can_see_other_users(auth.api_user()))


def _person_or_404(person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None or person.deleted_at is not None:
        raise ApiError(404, "There is no person with that id.")
    return person


def _organisation_or_404(organisation_id: int) -> Organisation:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None or organisation.deleted_at is not None:
        raise ApiError(404, "There is no organisation with that id.")
    return organisation


@bp.get("/people")
def list_people() -> Response:
    _require_directory_reader()
    query: ContactQuery = parse_query(ContactQuery)
    # The web list's own search (name or e-mail), so both find the same people.
    statement = queries.search_people(query.q).options(selectinload(Person.organisation))
    return page_of(statement, Person.id, query, PersonOut.of)


@bp.post("/people")
def create_person() -> Response:
    require(access.can_edit_pipeline(auth.api_user()))
    body = parse_body(PersonCreate)
    try:
        person = services.create_person(
            services.PersonData(
                full_name=body.full_name,
                position=body.position,
                organisation_id=body.organisation_id,
                email=body.email,
                phone=body.phone,
                country_code=body.country,
                preferred_language=body.preferred_language,
                notes=body.notes,
            ),
            even_if_likely_duplicate=body.create_anyway,
        )
    except services.LikelyDuplicate as likely:
        found = ", ".join(url_for(".get_person", person_id=match.id) for match in likely.matches)
        raise ApiError(
            409,
            f"Someone with this e-mail or name exists already ({found}): merge into them, or "
            "send create_anyway: true if this is a different person.",
            fields={"full_name": ["This may be someone already here."]},
        ) from likely
    session.commit()
    return answer(PersonOut.of(person), 201, url_for(".get_person", person_id=person.id))


@bp.get("/people/<id:person_id>")
def get_person(person_id: int) -> Response:
    _require_directory_reader()
    return answer(PersonOut.of(_person_or_404(person_id)))


@bp.patch("/people/<id:person_id>")
def update_person(person_id: int) -> Response:
    # Who may edit first: a partner must not learn which ids exist from a 404 against a 403.
    require(access.can_edit_pipeline(auth.api_user()))
    person = _person_or_404(person_id)
    body = parse_body(PersonUpdate)
    services.update_person(
        person,
        services.PersonData(
            full_name=patched(body, "full_name", person.full_name),
            position=patched(body, "position", person.position),
            organisation_id=patched(body, "organisation_id", person.organisation_id, nullable=True),
            email=patched(body, "email", person.email),
            phone=patched(body, "phone", person.phone),
            country_code=patched(body, "country", person.country_code),
            preferred_language=patched(body, "preferred_language", person.preferred_language),
            notes=patched(body, "notes", person.notes),
        ),
        expected_version=body.version,
    )
    session.commit()
    return answer(PersonOut.of(person))


@bp.get("/organisations")
def list_organisations() -> Response:
    _require_directory_reader()
    query: ContactQuery = parse_query(ContactQuery)
    statement = queries.search_organisations(query.q)
    return page_of(statement, Organisation.id, query, OrganisationOut.of)


@bp.post("/organisations")
def create_organisation() -> Response:
    require(access.can_edit_pipeline(auth.api_user()))
    body = parse_body(OrganisationCreate)
    organisation = services.create_organisation(
        services.OrganisationData(
            name=body.name,
            kind=body.kind,
            country_code=body.country,
            city=body.city,
            website=body.website,
            notes=body.notes,
        )
    )
    session.commit()
    return answer(
        OrganisationOut.of(organisation),
        201,
        url_for(".get_organisation", organisation_id=organisation.id),
    )


@bp.get("/organisations/<id:organisation_id>")
def get_organisation(organisation_id: int) -> Response:
    _require_directory_reader()
    return answer(OrganisationOut.of(_organisation_or_404(organisation_id)))


@bp.patch("/organisations/<id:organisation_id>")
def update_organisation(organisation_id: int) -> Response:
    # Who may edit first: a partner must not learn which ids exist from a 404 against a 403.
    require(access.can_edit_pipeline(auth.api_user()))
    organisation = _organisation_or_404(organisation_id)
    body = parse_body(OrganisationUpdate)
    services.update_organisation(
        organisation,
        services.OrganisationData(
            name=patched(body, "name", organisation.name),
            kind=patched(body, "kind", organisation.kind),
            country_code=patched(body, "country", organisation.country_code),
            city=patched(body, "city", organisation.city),
            website=patched(body, "website", organisation.website),
            notes=patched(body, "notes", organisation.notes),
        ),
        expected_version=body.version,
    )
    session.commit()
    return answer(OrganisationOut.of(organisation))
