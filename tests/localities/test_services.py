from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crm.db import session
from crm.errors import DomainError, StaleVersion, UnknownVersion
from crm.localities.models import Locality
from crm.localities.services import LocalityData, create_locality, update_locality

pytestmark = pytest.mark.usefixtures("ctx")


def locality_count() -> int:
    return session.scalar(select(func.count()).select_from(Locality)) or 0


def test_kyzylorda_region_is_accepted_with_its_current_iso_code() -> None:
    locality = create_locality(
        LocalityData(
            name="Қызылорда облысы",
            name_en="Kyzylorda Region",
            kind="region",
            country_code="kz",
            subdivision_code="kz-43",
        )
    )
    assert locality.country_code == "KZ"
    assert locality.subdivision_code == "KZ-43"
    assert locality.subdivision_name == "Qyzylorda oblysy"
    assert locality.country_name == "Kazakhstan"
    assert locality.name == "Қызылорда облысы"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (LocalityData(name="", kind="city", country_code="SI"), "name"),
        (LocalityData(name="x" * 10_000, kind="city", country_code="SI"), "name"),
        (LocalityData(name="Maribor", kind="village", country_code="SI"), "kind"),
        (LocalityData(name="Maribor", kind="city", country_code="XX"), "country_code"),
        (
            LocalityData(name="Maribor", kind="city", country_code="SI", subdivision_code="SI-999"),
            "subdivision_code",
        ),
        # The region's code from before the 2020s renumbering is no longer in the list.
        (
            LocalityData(
                name="Kyzylorda", kind="region", country_code="KZ", subdivision_code="KZ-KZY"
            ),
            "subdivision_code",
        ),
        (
            LocalityData(name="Maribor", kind="city", country_code="SI", subdivision_code="KZ-43"),
            "subdivision_code",
        ),
    ],
)
def test_invalid_localities_are_refused_and_nothing_is_written(
    data: LocalityData, field: str
) -> None:
    with pytest.raises(DomainError) as error:
        create_locality(data)
    assert error.value.field == field
    assert locality_count() == 0


def test_the_same_locality_twice_is_refused_whatever_its_accents() -> None:
    create_locality(LocalityData(name="Pécs", kind="city", country_code="HU"))
    with pytest.raises(DomainError, match="already"):
        create_locality(LocalityData(name="PECS", kind="city", country_code="HU"))


def test_search_names_are_refreshed_on_edit() -> None:
    locality = create_locality(LocalityData(name="Graz", kind="city", country_code="AT"))
    update_locality(
        locality,
        LocalityData(name="Graz", name_en="Gradec", kind="city", country_code="AT"),
        expected_version=locality.version,
    )
    assert "gradec" in locality.search_folded


def test_stale_edit_is_refused() -> None:
    locality = create_locality(LocalityData(name="Graz", kind="city", country_code="AT"))
    drawn = locality.version
    update_locality(
        locality,
        LocalityData(name="Graz", name_en="Graz", kind="city", country_code="AT"),
        expected_version=drawn,
    )
    with pytest.raises(StaleVersion):
        update_locality(
            locality,
            LocalityData(name="Gradec", kind="city", country_code="AT"),
            expected_version=drawn,
        )
    # One ahead of the locality's own was never its version: a broken request, not a stale one.
    with pytest.raises(UnknownVersion):
        update_locality(
            locality,
            LocalityData(name="Gradec", kind="city", country_code="AT"),
            expected_version=locality.version + 1,
        )
    assert locality.name == "Graz"
