"""Beyond PEOPLE_SELECT_LIMIT people, a meeting's participant select no longer lists up to 2,000
of them: it holds the pairing's own people, those chosen and the matches of a search (htmx, or
the "Find" button without it), and every one chosen stays chosen across searches."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from crm.activities.models import Activity
from crm.db import session
from tests.factories import make_activity, make_partnership, make_person, make_role
from tests.searched_selects import enter_button


@pytest.fixture
def many_people(app: Flask, login_as: Callable[..., int]) -> Iterator[dict[str, int]]:
    app.config["PEOPLE_SELECT_LIMIT"] = 2
    user_id = login_as()
    with app.app_context():
        partnership = make_partnership()
        mayor = make_person("Aleksander Saša Arsenovič")
        make_role(partnership, mayor)
        ids = {
            "p": partnership.id,
            "user": user_id,
            "mayor": mayor.id,
            "ambassador": make_person("Altay Abibullayev").id,
            "ana": make_person("Ana Novak").id,
            "boris": make_person("Boris Kim").id,
        }
        ids["entry"] = make_activity(partnership, participants=(mayor,)).id
        session.commit()
    yield ids
    del app.config["PEOPLE_SELECT_LIMIT"]


def form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": "meeting",
        "occurred_on": "2026-02-13",
        "occurred_time": "10:00",
        "place": "Maribor City Hall",
        "summary": "Agreement in principle.",
    }
    data.update(overrides)
    return data


def _activities(app: Flask) -> int:
    with app.app_context():
        return session.scalar(select(func.count()).select_from(Activity)) or 0


def _option(person_id: int, name: str, *, selected: bool = False) -> str:
    return f'<option {"selected " if selected else ""}value="{person_id}">{name}</option>'


def test_the_form_holds_the_pairings_people_until_others_are_searched(
    client: FlaskClient, many_people: dict[str, int]
) -> None:
    page = client.get(f"/partnerships/{many_people['p']}/activities/new").get_data(as_text=True)
    assert 'name="person_q"' in page and "/people/options" in page
    assert _option(many_people["mayor"], "Aleksander Saša Arsenovič") in page
    assert "Ana Novak" not in page and "Boris Kim" not in page

    # Two picked from earlier searches (sent along with the select) stay chosen, the pairing's
    # people stay offered, and the matches are added; a multiple select has no "choose" option.
    options = client.get(
        f"/people/options?pairing={many_people['p']}&person_q=KIM"
        f"&participant_ids={many_people['ana']}&participant_ids={many_people['ambassador']}"
    ).get_data(as_text=True)
    assert f'<option value="{many_people["ana"]}" selected>Ana Novak</option>' in options
    assert f'value="{many_people["ambassador"]}" selected>' in options
    assert f'<option value="{many_people["mayor"]}">' in options
    assert f'<option value="{many_people["boris"]}">Boris Kim</option>' in options
    assert 'value="0"' not in options
    nothing = client.get(f"/people/options?pairing={many_people['p']}&person_q=zzz")
    assert "No person matches “zzz”" not in nothing.get_data(as_text=True)  # the pairing's own
    bad = client.get(
        f"/people/options?pairing={many_people['p']}&person_q=a&participant_ids=abc"
        "&participant_ids=99999999999999999999&participant_ids=987654"
    )
    assert bad.status_code == 200
    assert client.get("/people/options?pairing=987654&person_q=a").status_code == 404
    # Nor one no id can name: not the plain person search in its place.
    for bad in ("abc", "9" * 20, "-3", ""):
        assert client.get(f"/people/options?pairing={bad}&person_q=a").status_code == 404
        assert client.get(f"/people/options?merging={bad}&person_q=a").status_code == 404


def test_find_without_javascript_keeps_everyone_chosen_and_saves_nothing(
    app: Flask, client: FlaskClient, many_people: dict[str, int]
) -> None:
    url = f"/partnerships/{many_people['p']}/activities/new"
    chosen = [many_people["ana"], many_people["mayor"]]
    found = client.post(
        url,
        data=form(participant_ids=chosen, person_q="boris", find="participant_ids"),
    )
    assert found.status_code == 200
    page = found.get_data(as_text=True)
    assert _option(many_people["ana"], "Ana Novak", selected=True) in page
    assert _option(many_people["mayor"], "Aleksander Saša Arsenovič", selected=True) in page
    assert _option(many_people["boris"], "Boris Kim") in page
    assert 'value="Maribor City Hall"' in page and 'value="boris"' in page
    assert "Altay" not in page
    assert _activities(app) == 1

    # Then saved with all three (as Enter in a field does: the form's own button).
    saved = client.post(url, data=form(participant_ids=[*chosen, many_people["boris"]]))
    assert saved.status_code == 302
    with app.app_context():
        activity = session.scalars(select(Activity).order_by(Activity.id.desc())).first()
        assert {person.full_name for person in activity.participants} == {
            "Ana Novak",
            "Aleksander Saša Arsenovič",
            "Boris Kim",
        }


def test_the_edit_form_holds_the_entrys_participants_and_finds_others(
    app: Flask, client: FlaskClient, many_people: dict[str, int]
) -> None:
    url = f"/activities/{many_people['entry']}/edit"
    page = client.get(url).get_data(as_text=True)
    assert _option(many_people["mayor"], "Aleksander Saša Arsenovič", selected=True) in page
    assert "Ana Novak" not in page
    with app.app_context():
        version = session.get(Activity, many_people["entry"]).version
    found = client.post(
        url,
        data=form(
            participant_ids=[many_people["mayor"]],
            person_q="novak",
            find="participant_ids",
            version=version,
        ),
    )
    assert found.status_code == 200
    assert _option(many_people["ana"], "Ana Novak") in found.get_data(as_text=True)
    saved = client.post(
        url,
        data=form(participant_ids=[many_people["mayor"], many_people["ana"]], version=version),
    )
    assert saved.status_code == 302
    with app.app_context():
        participants = session.get(Activity, many_people["entry"]).participants
        assert {person.full_name for person in participants} == {
            "Ana Novak",
            "Aleksander Saša Arsenovič",
        }


@pytest.mark.parametrize("participant", ["abc", "99999999999999999999", "987654", "-1"])
def test_a_participant_not_in_the_directory_is_a_form_error(
    app: Flask, client: FlaskClient, many_people: dict[str, int], participant: str
) -> None:
    response = client.post(
        f"/partnerships/{many_people['p']}/activities/new",
        data=form(participant_ids=[many_people["ana"], participant]),
    )
    assert response.status_code == 422
    assert 'class="field participants has-error"' in response.get_data(as_text=True)
    assert _activities(app) == 1


def test_enter_saves_and_the_search_sends_the_select_along(
    client: FlaskClient, many_people: dict[str, int]
) -> None:
    page = client.get(f"/partnerships/{many_people['p']}/activities/new").get_data(as_text=True)
    button = enter_button(page)
    assert 'name="find"' not in button and button.endswith(">Save")
    assert "js/search-select.js" in page
    assert 'hx-include="this, #participant_ids"' in page
    assert f"hx-vals='{{\"pairing\": {many_people['p']}}}'" in page


def test_a_short_directory_is_still_one_select(
    app: Flask, client: FlaskClient, many_people: dict[str, int]
) -> None:
    app.config["PEOPLE_SELECT_LIMIT"] = 4
    page = client.get(f"/partnerships/{many_people['p']}/activities/new").get_data(as_text=True)
    assert 'name="person_q"' not in page and "search-select.js" not in page
    for name in ("Aleksander Saša Arsenovič", "Altay Abibullayev", "Ana Novak", "Boris Kim"):
        assert name in page


@pytest.mark.parametrize("role", ["viewer", "partner"])
def test_only_staff_search_participants(
    client: FlaskClient, login_as: Callable[..., int], many_people: dict[str, int], role: str
) -> None:
    login_as(role)
    assert client.get(f"/people/options?pairing={many_people['p']}&q=a").status_code == 403
