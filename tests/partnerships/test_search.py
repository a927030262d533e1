"""Search finds names typed without their diacritics, the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from crm.db import session
from tests.factories import make_locality, make_partnership


@pytest.fixture
def pairings(app: Flask) -> None:
    with app.app_context():
        stajerska = make_locality("Štajerska", name_en="Styria", kind="region")
        kyzylorda = make_locality(
            "Қызылорда облысы", name_en="Kyzylorda Region", country_code="KZ", kind="region"
        )
        pecs = make_locality("Pécs", country_code="HU")
        astana = make_locality("Астана", name_en="Astana", country_code="KZ")
        make_partnership(stajerska, kyzylorda, title="Arsenovič initiative")
        make_partnership(pecs, astana, title="100% renewable_energy")
        session.commit()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Stajerska", ["Arsenovič initiative"]),
        ("štajerska", ["Arsenovič initiative"]),
        ("STAJER", ["Arsenovič initiative"]),
        ("arsenovic", ["Arsenovič initiative"]),
        ("Қызылорда", ["Arsenovič initiative"]),
        ("kyzylorda", ["Arsenovič initiative"]),
        ("pecs", ["100% renewable_energy"]),
        ("астана", ["100% renewable_energy"]),
        ("100%", ["100% renewable_energy"]),
        ("%", ["100% renewable_energy"]),
        ("_", ["100% renewable_energy"]),
        ("w_b", []),  # "_" as a wildcard would match "wab" in "renewable"
        # Each word on its own, in any order and in any of the title and the two places.
        ("kyzylorda stajerska", ["Arsenovič initiative"]),
        ("Štajerska – Kyzylorda", ["Arsenovič initiative"]),
        ("Stajerska–Kyzylorda", ["Arsenovič initiative"]),
        ("stajerska-kyzylorda", ["Arsenovič initiative"]),
        ("styria arsenovic", ["Arsenovič initiative"]),
        ("  pecs   astana pecs ", ["100% renewable_energy"]),
        ("stajerska astana", []),  # each word matches, but in two different pairings
        ("nowhere", []),
    ],
)
def test_pairing_search(
    client: FlaskClient,
    login_as: Callable[..., int],
    pairings: None,
    query: str,
    expected: list[str],
) -> None:
    login_as()
    page = client.get("/partnerships", query_string={"q": query}).get_data(as_text=True)
    found = [t for t in ("Arsenovič initiative", "100% renewable_energy") if f">{t}</a>" in page]
    assert found == expected


@pytest.mark.parametrize("query", ["Stajerska", "styria", "KZ-43", "qyzylorda"])
def test_locality_search(
    app: Flask, client: FlaskClient, login_as: Callable[..., int], query: str
) -> None:
    with app.app_context():
        make_locality("Štajerska", name_en="Styria", kind="region")
        make_locality(
            "Қызылорда облысы", country_code="KZ", kind="region", subdivision_code="KZ-43"
        )
        session.commit()
    login_as()
    page = client.get("/localities", query_string={"q": query}).get_data(as_text=True)
    assert "1 locality" in page


def test_a_search_counts_its_matches_up_to_a_bound(
    client: FlaskClient,
    login_as: Callable[..., int],
    pairings: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Counting every match of a substring reads every title: past the bound the list says
    "more than" and pages through the first ones; within it, the exact count."""
    from crm.partnerships import queries

    login_as()
    page = client.get("/partnerships", query_string={"q": "a"}).get_data(as_text=True)
    assert "2 pairings matching" in page
    monkeypatch.setattr(queries, "SEARCH_COUNT_LIMIT", 1)
    page = client.get("/partnerships", query_string={"q": "a"}).get_data(as_text=True)
    assert "More than 1 pairings matching “a”; the first 1 are listed" in page
    assert "Page 1 of 1" not in page  # one page of one: no pagination
    page = client.get("/partnerships", query_string={"q": "pecs"}).get_data(as_text=True)
    assert "1 pairing matching" in page
