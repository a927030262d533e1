"""People and organisations pages: forms, duplicates, merge, delete, vCard, roles."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import vobject
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from crm.contacts.models import Organisation, PartnershipRole, Person
from crm.contacts.services import merge_people
from crm.db import session, utcnow
from tests.contacts.merge_forms import merge_form
from tests.factories import (
    make_activity,
    make_organisation,
    make_partnership,
    make_person,
    make_role,
)


def counts(app: Flask) -> tuple[int, int, int]:
    with app.app_context():
        return (
            session.scalar(select(func.count()).select_from(Person)) or 0,
            session.scalar(select(func.count()).select_from(Organisation)) or 0,
            session.scalar(select(func.count()).select_from(PartnershipRole)) or 0,
        )


def test_create_a_person_and_download_the_vcard(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as()
    response = client.post(
        "/people/new",
        data={
            "full_name": "Aleksander Saša Arsenovič",
            "email": "Mayor@Example.com",
            "phone": "+386 2 220 10 00",
            "country_code": "SI",
            "organisation_id": 0,
        },
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Aleksander Saša Arsenovič" in page and "+386 2 220 10 00" in page
    person_id = int(response.headers["Location"].rsplit("/", 1)[1])
    card = client.get(f"/people/{person_id}.vcf")
    assert card.headers["Content-Type"].startswith("text/vcard")
    parsed = vobject.readOne(card.get_data(as_text=True))
    assert parsed.fn.value == "Aleksander Saša Arsenovič"
    assert parsed.email.value == "mayor@example.com"


def test_a_phone_with_an_extension_is_linked_shown_and_edited_as_typed(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as()
    with app.app_context():
        person = make_person("Mojca Potočnik", phone="+386 2 220 10 00 ext. 42")
        session.commit()
        person_id, version = person.id, person.version

    page = client.get(f"/people/{person_id}").get_data(as_text=True)
    assert 'href="tel:+38622201000;ext=42"' in page
    assert "+386 2 220 10 00 ext. 42" in page
    # The form holds the number as the page shows it, not as stored, and saves it unchanged.
    form = client.get(f"/people/{person_id}/edit").get_data(as_text=True)
    assert 'value="+386 2 220 10 00 ext. 42"' in form
    saved = client.post(
        f"/people/{person_id}/edit",
        data={
            "full_name": "Mojca Potočnik",
            "phone": "+386 2 220 10 00 ext. 42",
            "organisation_id": 0,
            "version": version,
        },
    )
    assert saved.status_code == 302
    with app.app_context():
        assert session.get_one(Person, person_id).phone == "+38622201000;ext=42"


def test_a_possible_duplicate_is_flagged_with_a_link_before_anything_is_written(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as()
    with app.app_context():
        mayor = make_person("Aleksander Saša Arsenovič")
        session.commit()
        mayor_id = mayor.id
    data = {"full_name": "Aleksander Sasa Arsenovic", "organisation_id": 0}
    flagged = client.post("/people/new", data=data)
    assert flagged.status_code == 409
    assert f'href="/people/{mayor_id}"' in flagged.get_data(as_text=True)
    assert counts(app)[0] == 1
    anyway = client.post("/people/new", data={**data, "create_anyway": "y"})
    assert anyway.status_code == 302
    assert counts(app)[0] == 2
    # The new record's page points at the other one too.
    page = client.get(anyway.headers["Location"]).get_data(as_text=True)
    assert "Possible duplicate" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not-an-email"}, "“not-an-email” is not an e-mail address"),
        ({"phone": "12345678901234567890x"}, "phone number"),
        ({"phone": "banana"}, "That phone number could not be read"),
        ({"country_code": "XX"}, "Choose a country"),
        ({"organisation_id": 987654}, "Choose an organisation"),
        ({"full_name": ""}, "Give the person&#39;s full name"),
    ],
)
def test_bad_person_input_gets_a_message_a_4xx_and_writes_nothing(
    app: Flask, client: FlaskClient, login_as: Callable[..., int], data: dict, message: str
) -> None:
    login_as()
    response = client.post("/people/new", data={"full_name": "Altay Abibullayev", **data})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert counts(app) == (0, 0, 0)


@pytest.mark.parametrize("language", ["en", "sl", "ru", "kk"])
@pytest.mark.parametrize("kind", ["people", "organisations"])
def test_no_country_is_an_option_in_the_readers_words(
    app: Flask, client: FlaskClient, login_as: Callable[..., int], language: str, kind: str
) -> None:
    """Regression: the country select's option for none read "—", in every language, on the
    person form (and on the organisation form, which shares its choices), new and edit."""
    login_as(language=language)
    with app.test_request_context(), force_locale(language):
        words = gettext("No country")
    assert (words == "No country") is (language == "en")  # the catalogue's in the others
    with app.app_context():
        make = make_person if kind == "people" else make_organisation
        record_id = make(country_code="SI").id
        session.commit()
    for url in (f"/{kind}/new", f"/{kind}/{record_id}/edit"):
        page = client.get(url).get_data(as_text=True)
        select = page[page.index('name="country_code">') :]
        assert select.startswith(f'name="country_code"><option value="">{words}</option>')
        assert '<option value="">—</option>' not in page


@pytest.mark.parametrize("website", ["javascript:alert(document.cookie)", "data:text/html,x"])
def test_a_script_website_is_refused(
    app: Flask, client: FlaskClient, login_as: Callable[..., int], website: str
) -> None:
    login_as()
    response = client.post(
        "/organisations/new",
        data={"name": "Chamber", "kind": "chamber_of_commerce", "website": website},
    )
    assert response.status_code == 422
    assert "http:// or https://" in response.get_data(as_text=True)
    assert counts(app) == (0, 0, 0)


def test_deleting_a_linked_person_asks_first_and_keeps_history_readable(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as()
    with app.app_context():
        partnership = make_partnership()
        ambassador = make_person("Altay Abibullayev")
        make_role(partnership, ambassador, side="b", role="ambassador")
        make_activity(partnership, participants=(ambassador,), place="Maribor")
        session.commit()
        ids = {"person": ambassador.id, "partnership": partnership.id}
        version = ambassador.version
    ask = client.get(f"/people/{ids['person']}/delete").get_data(as_text=True)
    assert "1 role on a pairing" in ask and "1 meeting or call" in ask
    assert f'<input type="hidden" name="version" value="{version}">' in ask
    delete = client.post(f"/people/{ids['person']}/delete", data={"version": version})
    assert delete.status_code == 302
    assert f'href="/people/{ids["person"]}"' not in client.get("/people").get_data(as_text=True)
    pairing = client.get(f"/partnerships/{ids['partnership']}").get_data(as_text=True)
    assert "Altay Abibullayev <small>(deleted contact)</small>" in pairing
    assert "was deleted" in client.get(f"/people/{ids['person']}").get_data(as_text=True)
    assert client.get(f"/people/{ids['person']}/edit").status_code == 404


def test_deleting_an_organisation_keeps_its_name_on_its_people(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as()
    with app.app_context():
        chamber = make_organisation("Štajerska Chamber of Commerce and Industry")
        person = make_person("Chamber Liaison", organisation=chamber)
        session.commit()
        ids = {"organisation": chamber.id, "person": person.id}
        version = chamber.version
    ask = client.get(f"/organisations/{ids['organisation']}/delete").get_data(as_text=True)
    assert "1 person works there" in ask
    assert f'<input type="hidden" name="version" value="{version}">' in ask
    delete = client.post(f"/organisations/{ids['organisation']}/delete", data={"version": version})
    assert delete.status_code == 302
    listing = client.get("/organisations").get_data(as_text=True)
    assert f'href="/organisations/{ids["organisation"]}"' not in listing
    page = client.get(f"/people/{ids['person']}").get_data(as_text=True)
    assert "Štajerska Chamber of Commerce and Industry</a> (deleted)" in page


def test_deleting_a_person_from_a_stale_page_is_a_409_and_deletes_nothing(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    """Regression: the delete button deleted the person whatever a colleague had made of them
    since the page was loaded (a new position and e-mail went with them, unseen)."""
    login_as()
    with app.app_context():
        person = make_person("Altay Abibullayev")
        session.commit()
        pid, version = person.id, person.version
    assert "Altay Abibullayev" in client.get(f"/people/{pid}/delete").get_data(as_text=True)
    edit = {"full_name": "Altay Abibullayev", "position": "Ambassador", "version": version}
    edit |= {"organisation_id": 0}
    assert client.post(f"/people/{pid}/edit", data=edit).status_code == 302

    stale = client.post(f"/people/{pid}/delete", data={"version": version})

    assert stale.status_code == 409
    body = stale.get_data(as_text=True)
    assert "Someone changed this record a moment ago" in body
    assert "Ambassador" in body  # the person's page, as the colleague left it
    incomplete = client.post(f"/people/{pid}/delete")
    assert incomplete.status_code == 400
    assert "This form arrived incomplete" in incomplete.get_data(as_text=True)
    # The confirmation again, with the version to delete from.
    assert f'name="version" value="{version + 1}"' in incomplete.get_data(as_text=True)
    with app.app_context():
        assert session.get(Person, pid).deleted_at is None
    assert client.post(f"/people/{pid}/delete", data={"version": version + 1}).status_code == 302
    with app.app_context():
        assert session.get(Person, pid).deleted_at is not None


def test_deleting_an_organisation_from_a_stale_page_is_a_409_and_deletes_nothing(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    """Regression: the delete button deleted the organisation whatever a colleague had made of
    it since the page was loaded."""
    login_as()
    with app.app_context():
        chamber = make_organisation("Štajerska Chamber of Commerce", country_code="SI")
        session.commit()
        oid, version = chamber.id, chamber.version
    edit = {"name": "Štajerska gospodarska zbornica", "kind": "chamber_of_commerce"}
    edit |= {"country_code": "SI", "version": version}
    assert client.post(f"/organisations/{oid}/edit", data=edit).status_code == 302

    stale = client.post(f"/organisations/{oid}/delete", data={"version": version})

    assert stale.status_code == 409
    body = stale.get_data(as_text=True)
    assert "Someone changed this record a moment ago" in body
    assert "Štajerska gospodarska zbornica" in body
    assert client.post(f"/organisations/{oid}/delete").status_code == 400
    with app.app_context():
        assert session.get(Organisation, oid).deleted_at is None
    current = {"version": version + 1}
    assert client.post(f"/organisations/{oid}/delete", data=current).status_code == 302
    with app.app_context():
        assert session.get(Organisation, oid).deleted_at is not None


def test_removing_a_role_from_a_stale_page_is_a_409_and_removes_nothing(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    """Regression: the pairing page's Remove took off whoever held the role by then; after a
    merge moved the duplicate's role to the survivor, a page loaded before took the survivor off
    the pairing unseen."""
    with app.app_context():
        partnership = make_partnership()
        survivor = make_person("Aleksander Saša Arsenovič")
        duplicate = make_person("Aleksander Sasa Arsenovic", email="mayor@example.com")
        role = make_role(partnership, duplicate, side="a", role="mayor")
        session.commit()
        ids = {"p": partnership.id, "role": role.id, "survivor": survivor.id}
        ids |= {"duplicate": duplicate.id}
        version = role.version
    login_as("admin")
    page = client.get(f"/partnerships/{ids['p']}").get_data(as_text=True)
    assert f'<input type="hidden" name="version" value="{version}">' in page.split("/remove")[1]
    merge = merge_form(app, ids["survivor"], ids["duplicate"])
    assert client.post(f"/people/{ids['survivor']}/merge", data=merge).status_code == 302

    url = f"/partnerships/{ids['p']}/people/{ids['role']}/remove"
    stale = client.post(url, data={"version": version})

    assert stale.status_code == 409
    assert "Someone changed this record a moment ago" in stale.get_data(as_text=True)
    assert client.post(url).status_code == 400
    with app.app_context():
        kept = session.get(PartnershipRole, ids["role"])
        assert kept is not None and kept.person_id == ids["survivor"]
        current = kept.version
    assert current == version + 1
    assert client.post(url, data={"version": current}).status_code == 302
    with app.app_context():
        assert session.get(PartnershipRole, ids["role"]) is None


def test_removing_a_role_someone_removed_already_is_a_409_with_the_pairing(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    """Regression: the second of two officers removing the same person from a pairing got a bare
    404 page; the role is gone, which is a change since their page was drawn."""
    with app.app_context():
        partnership = make_partnership()
        mayor = make_person("Aleksander Saša Arsenovič")
        consul = make_person("Honorary Consul")
        role = make_role(partnership, mayor, side="a", role="mayor")
        make_role(partnership, consul, side="facilitator", role="honorary consul")
        session.commit()
        ids = {"p": partnership.id, "role": role.id}
        version = role.version
    login_as()
    url = f"/partnerships/{ids['p']}/people/{ids['role']}/remove"
    assert client.post(url, data={"version": version}).status_code == 302

    again = client.post(url, data={"version": version})

    assert again.status_code == 409
    body = again.get_data(as_text=True)
    assert "That person is no longer on this pairing" in body
    assert "Honorary Consul" in body  # the pairing's people as they are now
    assert counts(app)[2] == 1
    # A post without its version is a broken form, whether or not the role is still there.
    assert client.post(url).status_code == 400
    # A role of another pairing is not this pairing's to remove: still a 404.
    with app.app_context():
        other = make_partnership()
        elsewhere = make_role(other, make_person("Someone Else"), side="b", role="consul")
        session.commit()
        foreign = f"/partnerships/{ids['p']}/people/{elsewhere.id}/remove"
        foreign_version = elsewhere.version
    assert client.post(foreign, data={"version": foreign_version}).status_code == 404
    # Nor is an id no role can have (too large for one), which no colleague removed.
    beyond = f"/partnerships/{ids['p']}/people/{'9' * 20}/remove"
    assert client.post(beyond, data={"version": 1}).status_code == 404
    assert counts(app)[2] == 2


@pytest.mark.parametrize(
    "change", ["survivor edited", "duplicate edited", "duplicate deleted", "duplicate merged"]
)
def test_a_merge_from_a_stale_page_is_a_409_and_merges_nothing(
    app: Flask, client: FlaskClient, login_as: Callable[..., int], change: str
) -> None:
    """Regression: the merge form posted no version of either person, so a merge chosen on a page
    drawn before a colleague's change went through: a duplicate renamed since into someone else,
    or a survivor the admin had not seen as they are now, was merged all the same. Deleted or
    merged away since, the duplicate was a 422 "Choose a person from the list." that hid why."""
    with app.app_context():
        partnership = make_partnership()
        survivor = make_person("Aleksander Saša Arsenovič", email="mayor@example.com")
        duplicate = make_person("Aleksander Sasa Arsenovic")
        third = make_person("Ana Novak")
        make_role(partnership, duplicate, side="a", role="mayor")
        session.commit()
        ids = {"survivor": survivor.id, "duplicate": duplicate.id, "third": third.id}
    login_as("admin")
    page = client.get(f"/people/{ids['survivor']}").get_data(as_text=True)
    drawn = merge_form(app, ids["survivor"], ids["duplicate"])
    assert f'<option value="{drawn["other_id"]}">Aleksander Sasa Arsenovic' in page
    assert f'name="version" type="hidden" value="{drawn["version"]}"' in page
    with app.app_context():
        if change == "survivor edited":
            session.get(Person, ids["survivor"]).position = "Former mayor"
        elif change == "duplicate edited":
            session.get(Person, ids["duplicate"]).full_name = "Aleksandra Novak"
        elif change == "duplicate deleted":
            session.get(Person, ids["duplicate"]).deleted_at = utcnow()
        else:
            merge_people(
                session.get(Person, ids["third"]),
                session.get(Person, ids["duplicate"]),
                expected_version=1,
                expected_duplicate_version=1,
            )
        session.commit()
        before = {pid: session.get(Person, pid).version for pid in ids.values()}

    stale = client.post(f"/people/{ids['survivor']}/merge", data=drawn)

    assert stale.status_code == 409
    body = stale.get_data(as_text=True)
    assert "Someone changed one of these two people a moment ago, so nothing was merged." in body
    # The form again, as things are now: the survivor's version and the people as they are.
    assert 'name="version" type="hidden" value="' + str(before[ids["survivor"]]) in body
    with app.app_context():
        assert {pid: session.get(Person, pid).version for pid in ids.values()} == before
        assert session.get(Person, ids["survivor"]).deleted_at is None
        assert session.get(Person, ids["duplicate"]).merged_into_id in (None, ids["third"])
        holder = session.scalars(select(PartnershipRole.person_id)).one()
        assert holder == (ids["third"] if change == "duplicate merged" else ids["duplicate"])

    # A post without the survivor's version is a broken form, not a stale one.
    fresh = merge_form(app, ids["survivor"], ids["duplicate"])
    incomplete = client.post(
        f"/people/{ids['survivor']}/merge", data={"other_id": fresh["other_id"]}
    )
    assert incomplete.status_code == 400
    assert "This form arrived incomplete" in incomplete.get_data(as_text=True)
    if change in ("survivor edited", "duplicate edited"):
        # Decided again on the page as it is now, the merge goes through.
        assert client.post(f"/people/{ids['survivor']}/merge", data=fresh).status_code == 302
        with app.app_context():
            assert session.get(Person, ids["duplicate"]).merged_into_id == ids["survivor"]


def test_a_merge_moves_the_survivors_version_on_even_with_no_blank_filled(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    """Regression: only a merge that filled a blank on the survivor bumped their version, so a
    delete confirmed on a page drawn before the merge ("1 role on a pairing") deleted a person
    who by then held the duplicate's roles too, taking them off pairings nobody had seen."""
    with app.app_context():
        first, second = make_partnership(), make_partnership()
        survivor = make_person("Aleksander Saša Arsenovič", email="mayor@example.com")
        duplicate = make_person("Aleksander Sasa Arsenovic")  # nothing the survivor lacks
        make_role(first, survivor, side="a", role="mayor")
        make_role(second, duplicate, side="a", role="mayor")
        session.commit()
        ids = {"survivor": survivor.id, "duplicate": duplicate.id}
        version = survivor.version
    login_as("admin")
    asked = client.get(f"/people/{ids['survivor']}/delete").get_data(as_text=True)
    assert f'name="version" value="{version}"' in asked and "1 role on a pairing" in asked
    merge = merge_form(app, ids["survivor"], ids["duplicate"])
    assert client.post(f"/people/{ids['survivor']}/merge", data=merge).status_code == 302
    with app.app_context():
        assert session.get(Person, ids["survivor"]).version == version + 1

    stale = client.post(f"/people/{ids['survivor']}/delete", data={"version": version})

    assert stale.status_code == 409
    assert "Someone changed this record a moment ago" in stale.get_data(as_text=True)
    with app.app_context():
        assert session.get(Person, ids["survivor"]).deleted_at is None


def test_only_an_admin_merges(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    with app.app_context():
        survivor = make_person("Aleksander Saša Arsenovič")
        duplicate = make_person("Aleksander Sasa Arsenovic", email="mayor@example.com")
        session.commit()
        ids = {"survivor": survivor.id, "duplicate": duplicate.id}
    login_as("officer")
    url = f"/people/{ids['survivor']}/merge"
    merge = merge_form(app, ids["survivor"], ids["duplicate"])
    assert client.post(url, data=merge).status_code == 403
    login_as("admin")
    refused = client.post(url, data=merge_form(app, ids["survivor"], 987654))
    assert refused.status_code == 422  # the person's page again, with why (was a 303)
    assert "Choose a person from the list." in refused.get_data(as_text=True)
    assert "Aleksander Saša Arsenovič" in refused.get_data(as_text=True)
    assert client.post(url, data=merge).status_code == 302
    with app.app_context():
        assert session.get(Person, ids["survivor"]).email == "mayor@example.com"
        assert session.get(Person, ids["duplicate"]).merged_into_id == ids["survivor"]


def test_people_on_both_sides_of_a_pairing(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as()
    with app.app_context():
        partnership = make_partnership()
        mayor = make_person("Aleksander Saša Arsenovič")
        consul = make_person("Honorary Consul")
        session.commit()
        ids = {"p": partnership.id, "mayor": mayor.id, "consul": consul.id}
    url = f"/partnerships/{ids['p']}/people/new"
    assert (
        client.post(url, data={"person_id": ids["mayor"], "side": "a", "role": "mayor"}).status_code
        == 302
    )
    assert (
        client.post(
            url, data={"person_id": ids["consul"], "side": "facilitator", "role": "honorary consul"}
        ).status_code
        == 302
    )
    refused = client.post(url, data={"person_id": 987654, "side": "a", "role": "x"})
    assert refused.status_code == 422 and "Choose a person" in refused.get_data(as_text=True)
    no_side = client.post(url, data={"person_id": ids["mayor"], "side": "both", "role": "x"})
    assert no_side.status_code == 422
    assert "Choose a side from the list." in no_side.get_data(as_text=True)
    page = client.get(f"/partnerships/{ids['p']}").get_data(as_text=True)
    people = page[page.index('id="people"') : page.index('id="tasks"')]
    assert "Aleksander Saša Arsenovič</a>, mayor" in people
    assert "Honorary Consul</a>, honorary consul" in people
    person_page = client.get(f"/people/{ids['mayor']}").get_data(as_text=True)
    assert "mayor (" in person_page


def test_a_stale_edit_of_a_person_or_organisation_is_a_409_with_what_was_saved(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    """Regression: it was a 303 to the record's page, the form and its typing gone; every other
    record answers 409 with the form holding what was saved meanwhile."""
    login_as()
    with app.app_context():
        person = make_person("Ana Novak")
        organisation = make_organisation("Chamber of Maribor", country_code="SI")
        session.commit()
        person_id, organisation_id = person.id, organisation.id
        person.position = "Mayor"  # a colleague's save: version 2
        organisation.city = "Maribor"
        session.commit()
    person_page = client.post(
        f"/people/{person_id}/edit",
        data={"full_name": "Ana Novak-Kos", "organisation_id": 0, "country_code": "", "version": 1},
    )
    assert person_page.status_code == 409
    text = person_page.get_data(as_text=True)
    assert "Someone changed this record a moment ago" in text
    assert 'value="Mayor"' in text and 'name="version" type="hidden" value="2"' in text
    organisation_page = client.post(
        f"/organisations/{organisation_id}/edit",
        data={"name": "Chamber", "kind": "chamber_of_commerce", "country_code": "SI", "version": 1},
    )
    assert organisation_page.status_code == 409
    assert 'value="Maribor"' in organisation_page.get_data(as_text=True)
    with app.app_context():
        assert session.get(Person, person_id).full_name == "Ana Novak"
        assert session.get(Organisation, organisation_id).name == "Chamber of Maribor"


def test_a_stale_person_form_posting_a_deleted_organisation_is_a_409_not_a_bad_choice(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    """Regression: the fields were checked before the version, so a form loaded before a
    colleague moved the person to another organisation and deleted the old one said "Not a
    valid choice" rather than what happened."""
    from crm.contacts.services import delete_organisation

    login_as()
    with app.app_context():
        old = make_organisation("Old Chamber", country_code="SI")
        new = make_organisation("New Chamber", country_code="SI")
        person = make_person("Ana Novak", organisation=old)
        session.commit()
        person_id, old_id, version = person.id, old.id, person.version
        person.organisation = new  # a colleague's save: version 2
        session.commit()
        delete_organisation(old, expected_version=old.version)
        session.commit()
    response = client.post(
        f"/people/{person_id}/edit",
        data={"full_name": "Ana Novak-Kos", "organisation_id": old_id, "version": version},
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone changed this record a moment ago" in page
    assert "Not a valid choice" not in page
    with app.app_context():
        saved = session.get(Person, person_id)
        assert (saved.full_name, saved.organisation.name) == ("Ana Novak", "New Chamber")
