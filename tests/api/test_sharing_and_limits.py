from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from crm.db import session
from crm.sharing.models import PartnershipShare
from tests.api.conftest import Api
from tests.factories import make_partnership, make_user


def test_share_list_and_unshare_through_the_api(
    app: Flask, api: Api, client: FlaskClient, token_for: Callable[..., tuple[str, int]]
) -> None:
    with app.app_context():
        shared_pid = make_partnership().id
        other_pid = make_partnership().id
        session.commit()
    partner_secret, partner_id = token_for("partner")
    partner = Api(client, partner_secret, partner_id)
    assert partner.get(f"/partnerships/{shared_pid}").status_code == 404
    assert partner.get("/partnerships").get_json()["items"] == []

    created = api.post(f"/partnerships/{shared_pid}/shares", {"user_id": partner_id})
    assert created.status_code == 201
    assert created.get_json()["user"]["id"] == partner_id
    listed = api.get(f"/partnerships/{shared_pid}/shares").get_json()["items"]
    assert [share["user"]["id"] for share in listed] == [partner_id]

    # The partner's token now sees that pairing, and only it.
    assert [p["id"] for p in partner.get("/partnerships").get_json()["items"]] == [shared_pid]
    assert partner.get(f"/partnerships/{other_pid}").status_code == 404
    assert partner.get(f"/partnerships/{shared_pid}/shares").status_code == 403

    again = api.post(f"/partnerships/{shared_pid}/shares", {"user_id": partner_id})
    assert again.status_code == 422
    # Named by the field the caller sent, as every other refusal of a share is.
    assert "already shared" in again.get_json()["error"]["fields"]["user_id"][0]
    officer_id = make_officer(app)
    not_a_partner = api.post(f"/partnerships/{shared_pid}/shares", {"user_id": officer_id})
    assert not_a_partner.status_code == 422
    assert "user_id" in not_a_partner.get_json()["error"]["fields"]

    assert api.call("DELETE", f"/partnerships/{shared_pid}/shares/{partner_id}").status_code == 204
    assert partner.get(f"/partnerships/{shared_pid}").status_code == 404
    assert api.call("DELETE", f"/partnerships/{shared_pid}/shares/{partner_id}").status_code == 404
    with app.app_context():
        assert session.scalar(select(PartnershipShare)) is None


def make_officer(app: Flask) -> int:
    with app.app_context():
        user = make_user("officer")
        session.commit()
        return user.id


def test_partners_see_moves_without_their_internal_notes(
    app: Flask, api: Api, client: FlaskClient, token_for: Callable[..., tuple[str, int]]
) -> None:
    with app.app_context():
        pid = make_partnership().id
        session.commit()
    body = api.get(f"/partnerships/{pid}").get_json()
    api.post(
        f"/partnerships/{pid}/stage-changes",
        {"stage": "exploratory_talks", "version": body["version"], "note": "Internal view"},
    )
    partner_secret, partner_id = token_for("partner")
    api.post(f"/partnerships/{pid}/shares", {"user_id": partner_id})
    partner = Api(client, partner_secret, partner_id)
    notes = [
        h["note"] for h in partner.get(f"/partnerships/{pid}/stage-changes").get_json()["items"]
    ]
    assert notes == ["", ""]
    assert api.get(f"/partnerships/{pid}/stage-changes").get_json()["items"][1]["note"] == (
        "Internal view"
    )


def test_each_token_is_rate_limited_with_retry_after(app: Flask, api: Api) -> None:
    app.config["API_RATE_LIMIT"] = "3/minute"
    try:
        statuses = [api.get("/stages").status_code for _ in range(4)]
        refused = api.get("/stages")
    finally:
        app.config["API_RATE_LIMIT"] = "600/minute"
    assert statuses == [200, 200, 200, 429]
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
