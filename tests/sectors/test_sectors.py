from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from crm.db import engine_for, session
from crm.partnerships.models import Partnership
from crm.sectors import services as sector_services
from crm.sectors.models import Sector
from crm.sectors.services import sector_by_slug
from tests.factories import make_partnership


def sector_id(app: Flask, slug: str) -> int:
    with app.app_context():
        return sector_by_slug(slug).id


def sector_version(app: Flask, sector: int) -> int:
    with app.app_context():
        return session.get(Sector, sector).version


def target(app: Flask, sector: int) -> str:
    """The merge form's option for a sector as it is now: "ID:VERSION"."""
    return f"{sector}:{sector_version(app, sector)}"


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
    rename = {
        f"rename-{culture}-name": "Culture and arts",
        f"rename-{culture}-version": sector_version(app, culture),
    }
    assert client.post(f"/sectors/{culture}/rename", data=rename).status_code == 302
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

    merge = {
        f"merge-{tourism}-into": target(app, culture),
        f"merge-{tourism}-version": sector_version(app, tourism),
    }
    response = client.post(f"/sectors/{tourism}/merge", data=merge)

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
    merge = {
        f"merge-{tourism}-into": target(app, culture),
        f"merge-{tourism}-version": sector_version(app, tourism),
    }
    assert client.post(f"/sectors/{tourism}/merge", data=merge).status_code == 302

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


def test_a_rename_from_a_stale_page_is_a_409_and_keeps_the_other_admins_name(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    """Regression: two admins renaming the same sector at once each saved over the other unseen;
    the sector had no version to tell a stale page by."""
    login_as("admin")
    culture = sector_id(app, "culture")
    version = sector_version(app, culture)
    page = client.get("/sectors").get_data(as_text=True)
    assert f'name="rename-{culture}-version" value="{version}"' in page
    assert f'name="merge-{culture}-version" value="{version}"' in page
    first = {f"rename-{culture}-name": "Culture and arts", f"rename-{culture}-version": version}
    assert client.post(f"/sectors/{culture}/rename", data=first).status_code == 302

    second = {f"rename-{culture}-name": "Cultural heritage", f"rename-{culture}-version": version}
    stale = client.post(f"/sectors/{culture}/rename", data=second)

    assert stale.status_code == 409
    body = stale.get_data(as_text=True)
    assert "Someone changed this record a moment ago" in body
    assert ">Culture and arts</a>" in body
    assert f'name="rename-{culture}-version" value="{version + 1}"' in body
    with app.app_context():
        assert session.get(Sector, culture).name == "Culture and arts"
    incomplete = client.post(f"/sectors/{culture}/rename", data={f"rename-{culture}-name": "X"})
    assert incomplete.status_code == 400
    assert "This form arrived incomplete" in incomplete.get_data(as_text=True)
    with app.app_context():
        assert session.get(Sector, culture).name == "Culture and arts"
        assert session.get(Sector, culture).version == version + 1


def test_a_merge_from_a_stale_page_is_a_409_and_merges_nothing(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    """A sector renamed since the page was loaded may no longer be the duplicate it looked like:
    it is not merged away unseen."""
    with app.app_context():
        pid = make_partnership(sectors=("tourism",)).id
        session.commit()
    login_as("admin")
    tourism, culture = sector_id(app, "tourism"), sector_id(app, "culture")
    version = sector_version(app, tourism)
    rename = {f"rename-{tourism}-name": "Sports tourism", f"rename-{tourism}-version": version}
    assert client.post(f"/sectors/{tourism}/rename", data=rename).status_code == 302

    merge = {f"merge-{tourism}-into": target(app, culture), f"merge-{tourism}-version": version}
    stale = client.post(f"/sectors/{tourism}/merge", data=merge)

    assert stale.status_code == 409
    assert "Someone changed this record a moment ago" in stale.get_data(as_text=True)
    assert (
        client.post(
            f"/sectors/{tourism}/merge", data={f"merge-{tourism}-into": target(app, culture)}
        ).status_code
        == 400
    )
    with app.app_context():
        assert sector_by_slug("tourism").name == "Sports tourism"
        assert [s.slug for s in session.get(Partnership, pid).sectors] == ["tourism"]


def test_a_merge_into_a_sector_renamed_or_merged_away_since_is_a_409(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    """Regression: only the sector merged away had its version checked. The one merged into is
    chosen by its name; renamed since into another field, it took the pairings all the same,
    and one merged away since was a 422 "Not a valid choice" instead of the sectors as they
    are now."""
    with app.app_context():
        pid = make_partnership(sectors=("tourism",)).id
        session.commit()
    login_as("admin")
    tourism, culture = sector_id(app, "tourism"), sector_id(app, "culture")
    education = sector_id(app, "education")
    page = client.get("/sectors").get_data(as_text=True)
    shown = target(app, culture)
    assert f'<option value="{shown}">Culture</option>' in page
    version = sector_version(app, tourism)
    rename = {f"rename-{culture}-name": "Sport", f"rename-{culture}-version": shown.split(":")[1]}
    assert client.post(f"/sectors/{culture}/rename", data=rename).status_code == 302

    merge = {f"merge-{tourism}-into": shown, f"merge-{tourism}-version": version}
    stale = client.post(f"/sectors/{tourism}/merge", data=merge)

    assert stale.status_code == 409
    body = stale.get_data(as_text=True)
    assert "Someone changed this record a moment ago" in body and ">Sport</a>" in body
    with app.app_context():
        assert [s.slug for s in session.get(Partnership, pid).sectors] == ["tourism"]

    # Merged away since: the sectors as they are now, not "Not a valid choice".
    shown = target(app, education)
    away = {f"merge-{education}-into": target(app, culture)}
    away[f"merge-{education}-version"] = str(sector_version(app, education))
    assert client.post(f"/sectors/{education}/merge", data=away).status_code == 302
    merge = {f"merge-{tourism}-into": shown, f"merge-{tourism}-version": version}
    assert client.post(f"/sectors/{tourism}/merge", data=merge).status_code == 409
    with app.app_context():
        assert [s.slug for s in session.get(Partnership, pid).sectors] == ["tourism"]

    merge[f"merge-{tourism}-into"] = target(app, culture)
    assert client.post(f"/sectors/{tourism}/merge", data=merge).status_code == 302
    with app.app_context():
        assert [s.slug for s in session.get(Partnership, pid).sectors] == ["culture"]


def colleague_renames(app: Flask, sector: int, name: str) -> bool:
    """Another admin's rename of `sector`, committed on a connection of its own at once or not at
    all (it gives up on a lock after a moment); whether it landed."""
    engine = engine_for(app)
    if engine.dialect.name == "sqlite":
        other = sqlite3.connect(engine.url.database or "", timeout=0.1)
        try:
            other.execute(
                "UPDATE sectors SET name = ?, version = version + 1 WHERE id = ?", (name, sector)
            )
            other.commit()
        except sqlite3.OperationalError:
            return False  # the merge's transaction holds the database's write lock
        finally:
            other.close()
        return True
    try:
        with engine.begin() as other:
            other.execute(text("SET LOCAL lock_timeout = '200ms'"))
            other.execute(
                text("UPDATE sectors SET name = :name, version = version + 1 WHERE id = :id"),
                {"name": name, "id": sector},
            )
    except OperationalError:
        return False  # the merge holds the row
    return True


@pytest.mark.parametrize("moment", ["before the merge reads it", "while the merge runs"])
def test_a_rename_of_the_target_racing_a_merge_is_never_merged_into_unseen(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., int],
    monkeypatch: pytest.MonkeyPatch,
    moment: str,
) -> None:
    """Regression: the merge compared the target's version as the session had read it and never
    wrote the target's row, so on PostgreSQL a rename committed between the request's checks and
    its commit went unseen: the tags went into "Sport". (A tag moved in takes a share lock on the
    target's row, for its foreign key, which made a later rename wait; a merge that moved none,
    as here, was open to one until its commit.) The merge locks both sectors now: a rename
    committed first is the 409, one that comes while it runs waits. On SQLite a writing request
    holds the database from its first statement, so no rename gets in at all."""
    with app.app_context():
        pid = make_partnership(sectors=("tourism", "culture")).id
        session.commit()
    login_as("admin")
    tourism, culture = sector_id(app, "tourism"), sector_id(app, "culture")
    landed: list[bool] = []
    if moment == "before the merge reads it":
        merge_sectors = sector_services.merge_sectors

        def rename_then_merge(*args: Any, **kwargs: Any) -> int:
            landed.append(colleague_renames(app, culture, "Sport"))
            return merge_sectors(*args, **kwargs)

        monkeypatch.setattr(sector_services, "merge_sectors", rename_then_merge)
    else:
        mark_changed = sector_services.mark_changed

        def rename_meanwhile(*args: Any, **kwargs: Any) -> None:
            landed.append(colleague_renames(app, culture, "Sport"))
            mark_changed(*args, **kwargs)

        monkeypatch.setattr(sector_services, "mark_changed", rename_meanwhile)
    merge = {
        f"merge-{tourism}-into": target(app, culture),
        f"merge-{tourism}-version": sector_version(app, tourism),
    }

    response = client.post(f"/sectors/{tourism}/merge", data=merge)

    with app.app_context():
        tags = sorted(s.slug for s in session.get(Partnership, pid).sectors)
        culture_name = session.get(Sector, culture).name
    if landed == [True]:
        assert response.status_code == 409
        assert "Someone changed this record a moment ago" in response.get_data(as_text=True)
        assert (tags, culture_name) == (["culture", "tourism"], "Sport")
    else:
        assert landed == [False]
        assert response.status_code == 302
        assert (tags, culture_name) == (["culture"], "Culture")
    if engine_for(app).dialect.name == "postgresql":
        assert landed == [moment == "before the merge reads it"]
