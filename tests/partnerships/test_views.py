from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from sqlalchemy import func, select

from crm.auth.models import User
from crm.db import session
from crm.partnerships.forms import UNKNOWN_SECTOR
from crm.partnerships.models import Partnership, StageChange
from crm.sectors.services import sector_by_slug
from tests.factories import make_locality, make_partnership


@pytest.fixture
def officer(login_as: Callable[..., int]) -> int:
    return login_as("officer")


def pairing_count(app: Flask) -> int:
    with app.app_context():
        return session.scalar(select(func.count()).select_from(Partnership)) or 0


def test_create_a_pairing_with_sectors_and_default_title(
    app: Flask, client: FlaskClient, officer: int
) -> None:
    with app.app_context():
        maribor = make_locality("Maribor").id
        kyzylorda = make_locality(
            "Қызылорда облысы", name_en="Kyzylorda Region", country_code="KZ", kind="region"
        ).id
        sector_ids = [sector_by_slug("education").id, sector_by_slug("culture").id]
        session.commit()

    response = client.post(
        "/partnerships/new",
        data={
            "locality_a_id": maribor,
            "locality_b_id": kyzylorda,
            "owner_id": officer,
            "sector_ids": sector_ids,
            "first_contact_on": "2026-02-13",
            "summary": "Interregional cooperation",
        },
    )

    assert response.status_code == 302
    with app.app_context():
        partnership = session.scalar(select(Partnership))
        assert partnership.title == "Maribor – Kyzylorda Region"
        assert sorted(s.slug for s in partnership.sectors) == ["culture", "education"]
        assert response.headers["Location"] == f"/partnerships/{partnership.id}"


def test_duplicate_pair_in_reverse_order_is_refused_next_to_the_field(
    app: Flask, client: FlaskClient, officer: int
) -> None:
    with app.app_context():
        existing = make_partnership()
        a, b = existing.locality_a_id, existing.locality_b_id
        session.commit()

    response = client.post(
        "/partnerships/new", data={"locality_a_id": b, "locality_b_id": a, "owner_id": officer}
    )

    assert response.status_code == 422
    assert "already paired" in response.get_data(as_text=True)
    assert pairing_count(app) == 1


@pytest.mark.parametrize("language", ["sl", "ru", "kk"])
@pytest.mark.parametrize("sector", ["999999", "abc"])
def test_a_sector_not_among_the_choices_is_refused_in_the_readers_words(
    app: Flask, client: FlaskClient, login_as: Callable[..., int], language: str, sector: str
) -> None:
    """Regression: a tampered sector got WTForms' "'999999' is not a valid choice for this
    field." or, no number at all, "Invalid choice(s): one or more data inputs could not be
    coerced.", which name neither the sectors nor what to do."""
    user_id = login_as(language=language)
    with app.app_context():
        maribor, graz = make_locality("Maribor").id, make_locality("Graz", country_code="AT").id
        culture = sector_by_slug("culture").id
        session.commit()
    with app.test_request_context(), force_locale(language):
        expected = str(UNKNOWN_SECTOR)
    assert not expected.startswith("One of the sectors")  # the catalogue's, not the English

    response = client.post(
        "/partnerships/new",
        data={
            "locality_a_id": maribor,
            "locality_b_id": graz,
            "owner_id": user_id,
            "sector_ids": [culture, sector],
        },
    )

    assert response.status_code == 422
    assert expected in response.get_data(as_text=True)
    assert pairing_count(app) == 0


def test_edit_from_a_stale_page_is_a_409_and_keeps_the_other_edit(
    app: Flask, client: FlaskClient, officer: int
) -> None:
    with app.app_context():
        partnership = make_partnership(summary="original")
        pid, a, b, version = (
            partnership.id,
            partnership.locality_a_id,
            partnership.locality_b_id,
            partnership.version,
        )
        session.commit()
    form = {"locality_a_id": a, "locality_b_id": b, "owner_id": officer, "version": version}

    first = client.post(f"/partnerships/{pid}/edit", data={**form, "summary": "Alice's edit"})
    second = client.post(f"/partnerships/{pid}/edit", data={**form, "summary": "Bob's edit"})

    assert first.status_code == 302
    assert second.status_code == 409
    assert "Someone changed this record a moment ago" in second.get_data(as_text=True)
    with app.app_context():
        assert session.get(Partnership, pid).summary == "Alice's edit"


def test_delete_from_a_stale_page_is_a_409_and_archives_nothing(
    app: Flask, client: FlaskClient, officer: int
) -> None:
    """Regression: the delete button archived the pairing whatever had happened to it since the
    page was loaded (a colleague's move to signed went into the archive unseen)."""
    with app.app_context():
        partnership = make_partnership(summary="original")
        pid, a, b, version = (
            partnership.id,
            partnership.locality_a_id,
            partnership.locality_b_id,
            partnership.version,
        )
        session.commit()
    page = client.get(f"/partnerships/{pid}").get_data(as_text=True)
    assert f'<input type="hidden" name="version" value="{version}">' in page
    form = {"locality_a_id": a, "locality_b_id": b, "owner_id": officer, "version": version}
    assert (
        client.post(f"/partnerships/{pid}/edit", data={**form, "summary": "Moved on"}).status_code
        == 302
    )

    stale = client.post(f"/partnerships/{pid}/archive", data={"version": version})
    assert stale.status_code == 409
    assert "Someone changed this record a moment ago" in stale.get_data(as_text=True)
    assert "Moved on" in stale.get_data(as_text=True)
    assert client.post(f"/partnerships/{pid}/archive").status_code == 400
    with app.app_context():
        assert session.get(Partnership, pid).archived_at is None
        current = session.get(Partnership, pid).version
    assert client.post(f"/partnerships/{pid}/archive", data={"version": current}).status_code == 302
    with app.app_context():
        assert session.get(Partnership, pid).archived_at is not None


def test_saving_an_edit_form_unchanged_writes_nothing(
    app: Flask, client: FlaskClient, officer: int
) -> None:
    """Regression: an edit that changed nothing (a form saved as it was, an API PATCH of the
    version alone) wrote a new version, so others' open forms got a 409, and made the pairing
    recently active."""
    with app.app_context():
        owner = session.get(User, officer)
        partnership = make_partnership(
            owner=owner, summary="Water and schools", sectors=("education", "culture")
        )
        partnership.last_activity_at = datetime(2026, 6, 30, tzinfo=UTC)
        session.commit()
        pid = partnership.id
        form = {
            "locality_a_id": partnership.locality_a_id,
            "locality_b_id": partnership.locality_b_id,
            "owner_id": officer,
            "title": partnership.title,
            "summary": partnership.summary,
            "sector_ids": [sector.id for sector in partnership.sectors],
            "version": partnership.version,
        }
        before = (partnership.version, partnership.updated_at, partnership.last_activity_at)

    def state() -> tuple[object, ...]:
        with app.app_context():
            saved = session.get_one(Partnership, pid)
            return saved.version, saved.updated_at, saved.last_activity_at

    assert client.post(f"/partnerships/{pid}/edit", data=form).status_code == 302
    assert state() == before
    edited = client.post(f"/partnerships/{pid}/edit", data={**form, "summary": "Water"})
    assert edited.status_code == 302
    version, _, last_activity = state()
    assert version == before[0] + 1
    assert last_activity > before[2]
    fewer_sectors = {**form, "summary": "Water", "sector_ids": form["sector_ids"][:1]}
    resaved = client.post(f"/partnerships/{pid}/edit", data={**fewer_sectors, "version": version})
    assert resaved.status_code == 302
    assert state()[0] == version + 1


def test_move_from_the_detail_page_writes_history_and_shows_it(
    app: Flask, client: FlaskClient, officer: int
) -> None:
    with app.app_context():
        partnership = make_partnership()
        pid, version = partnership.id, partnership.version
        session.commit()

    response = client.post(
        f"/partnerships/{pid}/stage",
        data={"stage": "agreement_in_principle", "note": "Agreed in Maribor", "version": version},
        follow_redirects=True,
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Moved forward" in page
    assert "Agreed in Maribor" in page
    with app.app_context():
        assert session.scalar(select(func.count()).where(StageChange.partnership_id == pid)) == 2


def test_the_move_form_starts_with_no_stage_chosen_and_refuses_a_blank_move(
    app: Flask, client: FlaskClient, officer: int
) -> None:
    with app.app_context():
        partnership = make_partnership(stage_key="agreement_in_principle")
        pid, version = partnership.id, partnership.version
        session.commit()
    page = client.get(f"/partnerships/{pid}").get_data(as_text=True)
    select_html = page[page.index('name="stage"') :]
    first_option = select_html[select_html.index("<option") : select_html.index("</option>")]
    assert 'value=""' in first_option and "Choose a stage…" in first_option
    response = client.post(f"/partnerships/{pid}/stage", data={"stage": "", "version": version})
    assert response.status_code == 422
    assert "Choose a stage." in response.get_data(as_text=True)
    with app.app_context():
        assert session.scalar(select(func.count()).where(StageChange.partnership_id == pid)) == 1


def test_status_change_drops_and_reopens(app: Flask, client: FlaskClient, officer: int) -> None:
    with app.app_context():
        partnership = make_partnership()
        pid = partnership.id
        session.commit()

    client.post(f"/partnerships/{pid}/status", data={"status": "dropped", "version": 1})
    with app.app_context():
        dropped = session.get(Partnership, pid)
        assert dropped.status == "dropped"
        version = dropped.version
    response = client.post(
        f"/partnerships/{pid}/status", data={"status": "open", "version": version}
    )
    assert response.status_code == 302
    with app.app_context():
        assert session.get(Partnership, pid).status == "open"


def test_list_filters_by_stage_sector_country_owner_and_status(
    app: Flask, client: FlaskClient, officer: int
) -> None:
    with app.app_context():
        graz = make_locality("Graz", country_code="AT")
        almaty = make_locality("Almaty", country_code="KZ")
        brno = make_locality("Brno", country_code="CZ")
        make_partnership(graz, almaty, sectors=("education",), stage_key="exploratory_talks")
        make_partnership(brno, almaty, sectors=("tourism",))
        session.commit()

    def titles(query: str) -> list[str]:
        page = client.get(f"/partnerships?{query}").get_data(as_text=True)
        return [t for t in ("Graz – Almaty", "Brno – Almaty") if t in page]

    assert titles("") == ["Graz – Almaty", "Brno – Almaty"]
    assert titles("stage=exploratory_talks") == ["Graz – Almaty"]
    assert titles("sector=tourism") == ["Brno – Almaty"]
    assert titles("country=cz") == ["Brno – Almaty"]
    assert titles("country=KZ&sort=title") == ["Graz – Almaty", "Brno – Almaty"]
    assert titles("status=dropped") == []
    assert titles(f"owner={officer}") == []


def test_filtering_by_a_deactivated_owner_keeps_them_chosen_in_the_filter(
    app: Flask, client: FlaskClient, officer: int
) -> None:
    """Regression: the filter offered active owners alone, so it read "Anyone" while the list
    showed one person's pairings, and the next Apply dropped the owner."""
    from tests.factories import make_user

    with app.app_context():
        gone = make_user("officer", name="Altay Abibullayev")
        make_partnership(make_locality("Celje"), make_locality("Almaty"), owner=gone)
        gone.is_active = False
        session.commit()
        gone_id = gone.id

    for page in (f"/partnerships?owner={gone_id}", f"/board?owner={gone_id}"):
        html = client.get(page).get_data(as_text=True)
        assert f'<option value="{gone_id}" selected>Altay Abibullayev</option>' in html, page
    # Not offered where nobody filters by them.
    assert "Altay Abibullayev</option>" not in client.get("/partnerships").get_data(as_text=True)


def test_list_paginates(app: Flask, client: FlaskClient, officer: int) -> None:
    app.config["PAGE_SIZE"] = 2
    try:
        with app.app_context():
            for _ in range(5):
                make_partnership()
            session.commit()
        first = client.get("/partnerships?sort=created").get_data(as_text=True)
        last = client.get("/partnerships?sort=created&page=3").get_data(as_text=True)
        beyond = client.get("/partnerships?sort=created&page=99")
    finally:
        app.config["PAGE_SIZE"] = 50
    assert "Page 1 of 3" in first
    assert "Page 3 of 3" in last
    assert beyond.status_code == 200
    assert "Page 3 of 3" in beyond.get_data(as_text=True)


def test_a_pairing_whose_owner_may_no_longer_own_it_is_not_quietly_given_to_another(
    app: Flask, client: FlaskClient, officer: int
) -> None:
    """Regression: the edit form lost a demoted owner from its list, showed the first officer
    as chosen, and "Saved." gave the pairing to them."""
    from crm.auth.models import User
    from tests.factories import make_user

    with app.app_context():
        former = make_user(name="Temp Officer")
        partnership = make_partnership(owner=former, summary="original")
        former.role = "partner"
        session.commit()
        pid, former_id = partnership.id, former.id
        form = {
            "locality_a_id": partnership.locality_a_id,
            "locality_b_id": partnership.locality_b_id,
            "version": partnership.version,
        }
    page = client.get(f"/partnerships/{pid}/edit").get_data(as_text=True)
    assert f'<option selected value="{former_id}">Temp Officer</option>' in page
    response = client.post(
        f"/partnerships/{pid}/edit", data={**form, "owner_id": former_id, "summary": "edited"}
    )
    assert response.status_code == 422
    assert "Choose an active officer or administrator as the owner." in response.get_data(
        as_text=True
    )
    with app.app_context():
        kept = session.get(Partnership, pid)
        assert (kept.owner_id, kept.summary) == (former_id, "original")
        assert session.get(User, former_id).role == "partner"
    assert (
        client.post(
            f"/partnerships/{pid}/edit", data={**form, "owner_id": officer, "summary": "edited"}
        ).status_code
        == 302
    )


def test_an_owner_number_no_id_can_be_lists_no_pairing(
    app: Flask, client: FlaskClient, officer: int
) -> None:
    """An owner filter of a number too large for an id matches nobody, as an unknown owner's
    does; it used to be dropped, listing every pairing. Text that is no number is still ignored."""
    with app.app_context():
        make_partnership(make_locality("Celje"), make_locality("Almaty"))
        session.commit()
    assert "Celje" not in client.get("/partnerships?owner=99999999999999999999").get_data(
        as_text=True
    )
    assert "Celje" in client.get("/partnerships?owner=abc").get_data(as_text=True)


def test_the_edit_form_cannot_clear_a_signed_pairings_signing_date(
    app: Flask, client: FlaskClient, officer: int
) -> None:
    with app.app_context():
        partnership = make_partnership(stage_key="memorandum_signed", signed_on=date(2026, 2, 13))
        pid = partnership.id
        form = {
            "locality_a_id": partnership.locality_a_id,
            "locality_b_id": partnership.locality_b_id,
            "owner_id": officer,
            "version": partnership.version,
            "signed_on": "",
        }
        session.commit()

    response = client.post(f"/partnerships/{pid}/edit", data=form)

    assert response.status_code == 422
    assert "keeps its signing date" in response.get_data(as_text=True)
    with app.app_context():
        assert session.get_one(Partnership, pid).signed_on == date(2026, 2, 13)
