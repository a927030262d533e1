"""Names at their longest whose folded copy is longer still ("ß" folds to "ss"): saved, and found
typed without the letter, on both databases (PostgreSQL refused the folded copy: a 500)."""

from __future__ import annotations

from flask import Flask

from crm.db import session
from tests.api.conftest import Api
from tests.factories import make_locality, make_partnership

LONG = "Groß" * 50  # 200 characters; folded, 250


def test_the_longest_names_that_fold_longer_are_saved_and_found(app: Flask, api: Api) -> None:
    with app.app_context():
        pairing = make_partnership(owner=None).id
        ptuj, celje = make_locality("Ptuj").id, make_locality("Celje").id
        session.commit()
    created = {
        "locality": api.post("/localities", {"name": LONG, "country": "DE", "kind": "city"}),
        "person": api.post("/people", {"full_name": LONG, "create_anyway": True}),
        "organisation": api.post(
            "/organisations", {"name": LONG + "x" * 100, "country": "DE", "kind": "other"}
        ),
        "task": api.post(f"/partnerships/{pairing}/tasks", {"title": LONG + "y" * 100}),
        "pairing": api.post(
            "/partnerships",
            {"locality_a_id": ptuj, "locality_b_id": celje, "title": LONG + "z" * 100},
        ),
    }
    assert {kind: response.status_code for kind, response in created.items()} == dict.fromkeys(
        created, 201
    )
    # Found by the folded spelling, at the far end of the name.
    for path in ("/localities", "/people", "/organisations", "/partnerships"):
        found = api.get(f"{path}?q=grossgross").get_json()["items"]
        assert len(found) == 1, path
