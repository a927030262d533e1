"""The list writes its items from rows (crm.api.partnership_items); one pairing is answered
through `PartnershipOut`. The two must give the same JSON, to the byte."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Flask, jsonify
from flask.testing import FlaskClient
from sqlalchemy import select

from crm.api.schemas import PartnershipOut
from crm.auth.models import User
from crm.db import session
from crm.partnerships.models import Partnership, Status
from crm.partnerships.services import archive_partnership, change_status
from crm.sectors.models import Sector
from crm.sharing.services import share
from tests.api.conftest import Api
from tests.factories import make_locality, make_partnership, make_user


def _expected_page(app: Flask, ids: list[int], next_cursor: str | None) -> bytes:
    with app.test_request_context():
        pairings = session.scalars(
            select(Partnership).where(Partnership.id.in_(ids)).order_by(Partnership.id)
        )
        items = [PartnershipOut.of(p).model_dump(mode="json") for p in pairings]
        return jsonify({"items": items, "next_cursor": next_cursor}).get_data()


def test_list_items_are_what_partnershipout_gives(app: Flask, api: Api) -> None:
    with app.app_context():
        styria = make_locality("Štajerska", name_en="Styria", kind="region")
        kyzylorda = make_locality(
            "Қызылорда", name_en="Kyzylorda", country_code="KZ", other_names=(("ru", "Кызылорда"),)
        )
        graz = make_locality("Graz", country_code="AT")
        # Named so that its slug sorts first and its name last: the sectors go by name.
        session.add(Sector(slug="aaa-sorts-last", name="Zz sorts last"))
        session.flush()
        owner = make_user(name="Ана Жанқызы")
        plain = make_partnership(styria, kyzylorda, owner=owner)
        tagged = make_partnership(
            kyzylorda,
            graz,
            sectors=("aaa-sorts-last", "culture", "education"),
            stage_key="memorandum_signed",
            summary="Ümit «quoted» \\ back\nslash",
            first_contact_on=date(2025, 2, 28),
            target_signing_on=date(2026, 1, 1),
        )
        tagged.signed_on = date(2026, 1, 9)  # a new pairing takes none, even at that stage
        held = make_partnership(graz, styria, sectors=("tourism",))
        change_status(held, Status.ON_HOLD, by=owner, expected_version=held.version)
        archived = make_partnership(sectors=("culture",))
        archive_partnership(archived, by=owner)
        session.commit()
        ids = [plain.id, tagged.id, held.id]

    whole = api.get("/partnerships?limit=200")
    assert whole.get_data() == _expected_page(app, ids, None)
    items = whole.get_json()["items"]
    assert items[0]["sectors"] == []
    assert items[1]["sectors"] == ["culture", "education", "aaa-sorts-last"]
    assert (items[0]["signed_on"], items[1]["signed_on"]) == (None, "2026-01-09")

    first = api.get("/partnerships?limit=2")
    cursor = first.get_json()["next_cursor"]
    assert first.get_data() == _expected_page(app, ids[:2], cursor)
    rest = api.get("/partnerships", query_string={"limit": 2, "cursor": cursor})
    assert rest.get_data() == _expected_page(app, ids[2:], None)


def test_a_partner_lists_only_what_is_shared_with_them(
    app: Flask, client: FlaskClient, token_for: Callable[..., tuple[str, int]]
) -> None:
    secret, partner_id = token_for("partner")
    with app.app_context():
        shared, _hidden = make_partnership(sectors=("culture",)), make_partnership()
        share(shared, session.get_one(User, partner_id), by=shared.owner)
        session.commit()
        shared_id = shared.id
    listed = Api(client, secret, partner_id).get("/partnerships?limit=200")
    assert listed.get_data() == _expected_page(app, [shared_id], None)
