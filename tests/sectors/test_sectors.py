from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from crm.db import session
from crm.partnerships.models import Partnership
from crm.sectors.models import Sector
from crm.sectors.services import sector_by_slug
from tests.factories import make_partnership


def sector_id(app: Flask, slug: str) -> int:
    with app.app_context():
        return sector_by_slug(slug).id


def test_admin_adds_a_sector_with_a_folded_slug(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as("admin")
    response = client.post("/sectors", data={"name": "Health & Šport"})
    assert response.status_code == 302
    with app.app_context():
        assert sector_by_slug("health-sport").name == "Health & Šport"


def test_renaming_keeps_the_slug(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as("admin")
    culture = sector_id(app, "culture")
    client.post(f"/sectors/{culture}/rename", data={f"rename-{culture}-name": "Culture and arts"})
    with app.app_context():
        assert session.get(Sector, culture).name == "Culture and arts"
        assert session.get(Sector, culture).slug == "culture"


def test_merging_moves_every_pairing_once_and_deletes_the_source(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    with app.app_context():
        only_tourism = make_partnership(sectors=("tourism",)).id
        both = make_partnership(sectors=("tourism", "culture")).id
        untouched = make_partnership(sectors=("culture",)).id
        session.commit()
        before = {
            pid: (p.version, p.updated_at)
            for pid in (only_tourism, both, untouched)
            if (p := session.get(Partnership, pid))
        }
    login_as("admin")
    tourism, culture = sector_id(app, "tourism"), sector_id(app, "culture")

    response = client.post(f"/sectors/{tourism}/merge", data={f"merge-{tourism}-into": culture})

    assert response.status_code == 302
    with app.app_context():
        assert sector_by_slug("tourism") is None
        for pid in (only_tourism, both):
            assert [s.slug for s in session.get(Partnership, pid).sectors] == ["culture"]
        # A retagged pairing has changed: a form opened before the merge gets a 409, and an API
        # client syncing with `updated_since` sees it. One not retagged has not.
        for pid in (only_tourism, both):
            partnership = session.get(Partnership, pid)
            assert partnership.version == before[pid][0] + 1
            assert partnership.updated_at > before[pid][1]
        assert session.get(Partnership, untouched).version == before[untouched][0]


def test_an_edit_form_opened_before_a_merge_is_a_409_not_an_invalid_choice(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    """Regression: the form posted the merged sector's id, which is no longer a choice: a 422
    saying "'4' is not a valid choice", where the pairing had changed under the form."""
    login_as("admin")
    tourism, culture = sector_id(app, "tourism"), sector_id(app, "culture")
    with app.app_context():
        pairing = make_partnership(sectors=("tourism",), summary="before")
        session.commit()
        pid = pairing.id
        stale_form = {
            "locality_a_id": pairing.locality_a_id,
            "locality_b_id": pairing.locality_b_id,
            "owner_id": pairing.owner_id,
            "title": pairing.title,
            "sector_ids": [tourism],
            "summary": "stale after the merge",
            "version": pairing.version,
        }
    client.post(f"/sectors/{tourism}/merge", data={f"merge-{tourism}-into": culture})

    response = client.post(f"/partnerships/{pid}/edit", data=stale_form)

    assert response.status_code == 409
    assert "Someone changed this record a moment ago" in response.get_data(as_text=True)
    with app.app_context():
        assert session.get(Partnership, pid).summary == "before"


def test_officers_may_not_change_sectors(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as("officer")
    culture = sector_id(app, "culture")
    assert client.post("/sectors", data={"name": "Sport"}).status_code == 403
    assert client.post(f"/sectors/{culture}/rename", data={}).status_code == 403
    assert client.post(f"/sectors/{culture}/merge", data={}).status_code == 403
    with app.app_context():
        assert session.scalar(select(Sector).where(Sector.name == "Sport")) is None
