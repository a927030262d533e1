"""A partner sees the pairings shared with them and nothing else of the pipeline."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from crm.auth.models import User
from crm.db import session
from crm.errors import DomainError
from crm.partnerships.models import Partnership
from crm.partnerships.services import change_stage
from crm.partnerships.stages import stage_by_key
from crm.sharing import services as sharing
from crm.sharing.models import PartnershipShare
from crm.sharing.services import share
from tests.factories import make_locality, make_partnership, make_task, make_user


@pytest.fixture
def pipeline(app: Flask) -> dict[str, Any]:
    with app.app_context():
        officer = make_user("officer", name="Dana Officer")
        partner = make_user("partner", name="Mojca Partner")
        maribor = make_locality("Maribor")
        kyzylorda = make_locality("Kyzylorda", country_code="KZ", kind="region")
        secret_a = make_locality("Secretville", country_code="AT")
        secret_b = make_locality("Hiddenburg", country_code="DE")
        shared = make_partnership(maribor, kyzylorda, owner=officer, sectors=("education",))
        change_stage(
            shared,
            stage_by_key("exploratory_talks"),
            by=officer,
            expected_version=shared.version,
            note="Internal: the mayor is lukewarm",
        )
        hidden = make_partnership(secret_a, secret_b, owner=officer, sectors=("education",))
        others = [make_partnership(owner=officer) for _ in range(3)]
        share(shared, partner, by=officer)
        session.commit()
        return {
            "officer": officer.get_id(),
            "partner": partner.get_id(),
            "partner_id": partner.id,
            "shared": shared.id,
            "hidden": hidden.id,
            "secret_locality": secret_a.id,
            "maribor": maribor.id,
            "others": [p.id for p in others],
        }


def as_user(client: FlaskClient, session_id: str) -> FlaskClient:
    with client.session_transaction() as cookie_session:
        cookie_session["_user_id"] = session_id
    return client


def test_lists_and_their_counts_hold_only_shared_pairings(
    client: FlaskClient, pipeline: dict[str, Any]
) -> None:
    as_user(client, pipeline["partner"])
    page = client.get("/partnerships").get_data(as_text=True)
    assert "1 pairing" in page
    assert "Maribor" in page
    assert "Secretville" not in page
    # The owner filter (the ministry's staff list) is not offered to partners.
    assert 'name="owner"' not in page
    # Search cannot reach a hidden pairing either.
    assert "0 pairings" in client.get("/partnerships?q=Secretville").get_data(as_text=True)


def test_the_board_and_its_counts_hold_only_shared_pairings(
    client: FlaskClient, pipeline: dict[str, Any]
) -> None:
    as_user(client, pipeline["partner"])
    board = client.get("/board").get_data(as_text=True)
    assert "Maribor" in board
    assert "Secretville" not in board
    counts = [int(n) for n in re.findall(r"data-count>(\d+)<", board)]
    assert sum(counts) == 1
    more = client.get("/board/columns/prospect?offset=0").get_data(as_text=True)
    assert "Secretville" not in more
    assert "Town" not in more


def test_staff_see_the_whole_board(client: FlaskClient, pipeline: dict[str, Any]) -> None:
    as_user(client, pipeline["officer"])
    board = client.get("/board").get_data(as_text=True)
    counts = [int(n) for n in re.findall(r"data-count>(\d+)<", board)]
    assert sum(counts) == 5


def test_localities_of_other_pairings_are_absent(
    client: FlaskClient, pipeline: dict[str, Any]
) -> None:
    as_user(client, pipeline["partner"])
    listing = client.get("/localities").get_data(as_text=True)
    assert "Maribor" in listing
    assert "Secretville" not in listing
    assert client.get(f"/localities/{pipeline['secret_locality']}").status_code == 404
    page = client.get(f"/localities/{pipeline['maribor']}").get_data(as_text=True)
    assert "Maribor" in page


def test_sector_usage_counts_only_what_the_partner_sees(
    client: FlaskClient, pipeline: dict[str, Any]
) -> None:
    as_user(client, pipeline["partner"])
    partner_view = client.get("/sectors").get_data(as_text=True)
    as_user(client, pipeline["officer"])
    officer_view = client.get("/sectors").get_data(as_text=True)
    education = re.compile(r">Education</a></td>\s*<td data-label=\"Pairings\">(\d+)<")
    assert education.search(partner_view).group(1) == "1"
    assert education.search(officer_view).group(1) == "2"


def test_the_partner_reads_the_pairing_without_internal_notes_or_controls(
    client: FlaskClient, pipeline: dict[str, Any]
) -> None:
    as_user(client, pipeline["partner"])
    page = client.get(f"/partnerships/{pipeline['shared']}").get_data(as_text=True)
    assert "Maribor" in page
    assert "Moved forward" in page  # the public timeline
    assert "the mayor is lukewarm" not in page
    assert "/stage" not in page and "/edit" not in page and "Shared with partners" not in page
    as_user(client, pipeline["officer"])
    staff_page = client.get(f"/partnerships/{pipeline['shared']}").get_data(as_text=True)
    assert "the mayor is lukewarm" in staff_page
    assert "Shared with partners" in staff_page
    assert "Mojca Partner" in staff_page


def test_the_partner_is_offered_what_they_may_do_on_a_shared_pairing(
    app: Flask, client: FlaskClient, pipeline: dict[str, Any]
) -> None:
    """Regression: the server let a partner record meetings and complete their own tasks, but
    the pages offered neither."""
    with app.app_context():
        shared = session.get(Partnership, pipeline["shared"])
        partner = session.get(User, pipeline["partner_id"])
        theirs = make_task(shared, title="Send the chamber's member list", assignee=partner)
        staff_task = make_task(shared, title="Brief the ambassador")
        session.commit()
        theirs_id, staff_task_id = theirs.id, staff_task.id
    as_user(client, pipeline["partner"])
    page = client.get(f"/partnerships/{pipeline['shared']}").get_data(as_text=True)
    assert f'href="/partnerships/{pipeline["shared"]}/activities/new"' in page
    assert f'action="/tasks/{theirs_id}/complete"' in page
    assert f'action="/tasks/{staff_task_id}/complete"' not in page  # not theirs
    assert "/tasks/" + str(theirs_id) + "/edit" not in page  # completing is not editing
    assert "/archive" not in page
    mine = client.get("/tasks/mine").get_data(as_text=True)
    assert f'action="/tasks/{theirs_id}/complete"' in mine

    assert client.post(f"/tasks/{theirs_id}/complete").status_code == 302
    reopen = client.get("/tasks/mine").get_data(as_text=True)
    assert f'action="/tasks/{theirs_id}/reopen"' in reopen


def test_a_viewer_is_offered_nothing_to_do_on_a_pairing(
    app: Flask, client: FlaskClient, pipeline: dict[str, Any]
) -> None:
    with app.app_context():
        viewer = make_user("viewer")  # no task can be theirs (see the task form's test)
        task = make_task(session.get(Partnership, pipeline["shared"]))
        session.commit()
        viewer_session, task_id = viewer.get_id(), task.id
    as_user(client, viewer_session)
    page = client.get(f"/partnerships/{pipeline['shared']}").get_data(as_text=True)
    assert "/activities/new" not in page
    assert f"/tasks/{task_id}/complete" not in page


def test_share_and_unshare_take_effect_on_the_next_request(
    app: Flask, pipeline: dict[str, Any]
) -> None:
    officer = app.test_client()
    partner = app.test_client()
    as_user(officer, pipeline["officer"])
    as_user(partner, pipeline["partner"])
    hidden = pipeline["hidden"]
    assert partner.get(f"/partnerships/{hidden}").status_code == 404

    response = officer.post(
        f"/partnerships/{hidden}/shares", data={"user_id": pipeline["partner_id"]}
    )
    assert response.status_code == 302
    assert partner.get(f"/partnerships/{hidden}").status_code == 200
    assert "2 pairings" in partner.get("/partnerships").get_data(as_text=True)

    response = officer.post(f"/partnerships/{hidden}/shares/{pipeline['partner_id']}/delete")
    assert response.status_code == 302
    assert partner.get(f"/partnerships/{hidden}").status_code == 404


def test_a_second_app_process_sees_the_share_at_once(app: Flask, pipeline: dict[str, Any]) -> None:
    """Two app instances on one database stand for two worker processes: no in-process cache."""
    from config import TestConfig
    from crm import create_app
    from crm.db import engine_for

    other = create_app(TestConfig, DATABASE_URL=app.config["DATABASE_URL"])
    try:
        partner = as_user(other.test_client(), pipeline["partner"])
        officer = as_user(app.test_client(), pipeline["officer"])
        assert partner.get(f"/partnerships/{pipeline['hidden']}").status_code == 404
        officer.post(
            f"/partnerships/{pipeline['hidden']}/shares", data={"user_id": pipeline["partner_id"]}
        )
        assert partner.get(f"/partnerships/{pipeline['hidden']}").status_code == 200
    finally:
        engine_for(other).dispose()


def test_only_partner_accounts_can_be_shared_with(
    app: Flask, client: FlaskClient, pipeline: dict[str, Any]
) -> None:
    with app.app_context():
        viewer_id = make_user("viewer").id
        session.commit()
    as_user(client, pipeline["officer"])
    client.post(f"/partnerships/{pipeline['hidden']}/shares", data={"user_id": viewer_id})
    with app.app_context():
        from crm.sharing.models import PartnershipShare

        assert session.query(PartnershipShare).filter_by(user_id=viewer_id).count() == 0


def test_partners_are_not_owners(app: Flask, client: FlaskClient, pipeline: dict[str, Any]) -> None:
    as_user(client, pipeline["officer"])
    form = client.get("/partnerships/new").get_data(as_text=True)
    assert "Mojca Partner" not in form
    with app.app_context():
        assert session.get(User, pipeline["partner_id"]).role == "partner"


def test_the_board_is_not_draggable_for_those_who_cannot_move(
    client: FlaskClient, pipeline: dict[str, Any]
) -> None:
    as_user(client, pipeline["partner"])
    assert "js/board.js" not in client.get("/board").get_data(as_text=True)
    as_user(client, pipeline["officer"])
    assert "js/board.js" in client.get("/board").get_data(as_text=True)


def test_the_task_form_offers_only_who_may_take_the_task(
    app: Flask, client: FlaskClient, pipeline: dict[str, Any]
) -> None:
    with app.app_context():
        make_user("viewer", name="Vera Viewer")
        session.commit()
    as_user(client, pipeline["officer"])
    shared = client.get(f"/partnerships/{pipeline['shared']}").get_data(as_text=True)
    form = shared[shared.index('name="assignee_id"') :]
    form = form[: form.index("</select>")]
    assert "Mojca Partner" in form and "Dana Officer" in form
    assert "Vera Viewer" not in form
    hidden = client.get(f"/partnerships/{pipeline['hidden']}").get_data(as_text=True)
    form = hidden[hidden.index('name="assignee_id"') :]
    assert "Mojca Partner" not in form[: form.index("</select>")]  # not shared with her


def test_a_refused_share_or_unshare_is_a_4xx_with_why_and_changes_nothing(
    app: Flask, client: FlaskClient, pipeline: dict[str, Any]
) -> None:
    # They were redirects, as if done: whatever sent the post could not tell it was refused.
    from crm.sharing.models import PartnershipShare

    with app.app_context():
        viewer_id = make_user("viewer").id
        session.commit()
    as_user(client, pipeline["officer"])
    hidden, shared, partner_id = pipeline["hidden"], pipeline["shared"], pipeline["partner_id"]
    for data in ({"user_id": viewer_id}, {"user_id": "0"}, {"user_id": "abc"}, {}):
        response = client.post(f"/partnerships/{hidden}/shares", data=data)
        assert response.status_code == 422, data
        assert "Choose a partner from the list." in response.get_data(as_text=True), data
    response = client.post(f"/partnerships/{shared}/shares", data={"user_id": partner_id})
    assert response.status_code == 422
    assert "is already shared with Mojca Partner" in response.get_data(as_text=True)
    response = client.post(f"/partnerships/{hidden}/shares/{partner_id}/delete")
    assert response.status_code == 422
    assert "is not shared with Mojca Partner" in response.get_data(as_text=True)
    with app.app_context():
        shares = session.query(PartnershipShare).all()
        assert [(s.partnership_id, s.user_id) for s in shares] == [(shared, partner_id)]


def test_a_share_made_meanwhile_by_someone_else_is_an_error_not_a_500(
    ctx: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two officers share a pairing with the same partner at the same moment: both find no
    share, and the second insert meets the first's row (here: a share the check did not see).
    The second is told it is shared already; what else its transaction did stands."""
    officer = make_user("officer")
    partner = make_user("partner", name="Chamber of Commerce")
    pairing = make_partnership()
    other = make_partnership()
    share(pairing, partner, by=officer)
    monkeypatch.setattr(sharing, "_share_of", lambda partnership, user: None)
    with pytest.raises(DomainError, match="is already shared with Chamber of Commerce"):
        share(pairing, partner, by=officer)
    share(other, partner, by=officer)  # the transaction goes on
    session.commit()
    shared = session.scalars(select(PartnershipShare.partnership_id)).all()
    assert sorted(shared) == sorted([pairing.id, other.id])
