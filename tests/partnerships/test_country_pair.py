"""A pairing keeps its two countries in order ("AT–KZ") for the weekly report's breakdown, on
every path that writes a pairing or moves a locality to another country."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm.db import session
from crm.localities.services import LocalityData, update_locality
from crm.partnerships.models import Partnership
from crm.partnerships.services import (
    PartnershipData,
    create_partnerships_in_bulk,
    update_partnership,
)
from tests.factories import make_locality, make_partnership, make_user

pytestmark = pytest.mark.usefixtures("ctx")


def stored_pair(partnership_id: int) -> str:
    session.expire_all()
    return session.scalar(select(Partnership.country_pair).where(Partnership.id == partnership_id))


def test_a_new_pairing_keeps_its_countries_in_order_either_way_round() -> None:
    maribor = make_locality("Maribor", country_code="SI")
    kyzylorda = make_locality("Kyzylorda", country_code="KZ", kind="region")
    graz = make_locality("Graz", country_code="AT")
    first = make_partnership(maribor, kyzylorda)
    second = make_partnership(kyzylorda, graz)
    session.flush()
    assert stored_pair(first.id) == "KZ–SI"
    assert stored_pair(second.id) == "AT–KZ"


def test_an_edit_that_changes_a_locality_changes_the_pair() -> None:
    maribor = make_locality("Maribor", country_code="SI")
    kyzylorda = make_locality("Kyzylorda", country_code="KZ", kind="region")
    zagreb = make_locality("Zagreb", country_code="HR")
    partnership = make_partnership(maribor, kyzylorda)
    session.flush()
    update_partnership(
        partnership,
        PartnershipData(
            locality_a_id=zagreb.id, locality_b_id=kyzylorda.id, owner_id=partnership.owner_id
        ),
        expected_version=partnership.version,
    )
    assert stored_pair(partnership.id) == "HR–KZ"


def test_a_locality_that_moves_country_moves_its_pairings_without_touching_their_versions() -> None:
    moved = make_locality("Narva", country_code="FI")
    kyzylorda = make_locality("Kyzylorda", country_code="KZ", kind="region")
    graz = make_locality("Graz", country_code="AT")
    as_a, as_b = make_partnership(moved, kyzylorda), make_partnership(graz, moved)
    untouched = make_partnership(graz, kyzylorda)
    session.flush()
    versions = {p.id: p.version for p in (as_a, as_b, untouched)}
    update_locality(
        moved,
        LocalityData(name="Narva", kind="city", country_code="EE"),
        expected_version=moved.version,
    )
    assert stored_pair(as_a.id) == "EE–KZ"
    assert stored_pair(as_b.id) == "AT–EE"
    assert stored_pair(untouched.id) == "AT–KZ"
    assert {p.id: p.version for p in session.scalars(select(Partnership))} == versions


def test_pairings_created_in_bulk_keep_their_countries_too() -> None:
    owner = make_user()
    maribor = make_locality("Maribor", country_code="SI")
    kyzylorda = make_locality("Kyzylorda", country_code="KZ", kind="region")
    [created] = create_partnerships_in_bulk(
        [PartnershipData(locality_a_id=maribor.id, locality_b_id=kyzylorda.id, owner_id=owner.id)],
        by=owner,
    )
    assert stored_pair(created) == "KZ–SI"
