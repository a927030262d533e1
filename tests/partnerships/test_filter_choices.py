"""The filter forms of the board, the list and the weekly report offer the same owners and
sectors, read in one statement: sectors by their name in the reader's language, in that
language's order; owners only to those who may see the staff list."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from crm.db import session
from crm.i18n.collation import sort_key
from crm.sectors.models import Sector
from tests.factories import make_user

FILTER_PAGES = ("/board", "/partnerships", "/reports/weekly")


def _options(html: str, select_name: str) -> list[str]:
    select = re.search(rf'<select id="[\w-]+" name="{select_name}">(.*?)</select>', html, re.S)
    assert select is not None, select_name
    return re.findall(r"<option [^>]*>([^<]*)</option>", select.group(1))


def test_sectors_are_offered_by_their_translated_name_in_the_readers_order(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    with app.app_context():
        session.add(
            Sector(slug="bees", given_name="Apiculture", name_translations={"sl": "Čebelarstvo"})
        )
        session.commit()
    login_as("officer")
    client.post("/language", data={"language": "sl", "next": "/"})
    for page in FILTER_PAGES:
        sectors = _options(client.get(page).get_data(as_text=True), "sector")[1:]
        assert "Čebelarstvo" in sectors and "Apiculture" not in sectors, page
        # Č after C and before D in Slovenian, where a code-point sort puts it after Z.
        following = sectors[sectors.index("Čebelarstvo") + 1]
        assert following.startswith(("D", "E")), (page, sectors)
        assert "Izobraževanje" in sectors, page  # a default sector, named by the catalogue


@pytest.mark.parametrize("page", FILTER_PAGES)
def test_owners_are_active_staff_in_the_readers_order_and_none_for_a_partner(
    app: Flask, client: FlaskClient, login_as: Callable[..., int], page: str
) -> None:
    with app.app_context():
        make_user("officer", name="Zarina Officer")
        make_user("admin", name="Boris Admin")
        make_user("officer", name="Črt Novak")
        make_user("officer", name="Cvetka Kos")
        make_user("officer", name="Dušan Horvat")
        make_user("viewer", name="Vida Viewer")
        make_user("officer", name="Ana Gone", is_active=False)
        session.commit()
    login_as("viewer", name="Reader")
    owners = _options(client.get(page).get_data(as_text=True), "owner")
    assert owners[0] == "Anyone"
    assert owners[1:] == sorted(owners[1:], key=lambda name: sort_key(name, "en"))
    assert {"Zarina Officer", "Boris Admin"} <= set(owners)
    assert not {"Vida Viewer", "Ana Gone", "Reader"} & set(owners)
    client.post("/language", data={"language": "sl", "next": "/"})
    owners = _options(client.get(page).get_data(as_text=True), "owner")
    # Č is a letter of its own in Slovenian, after C: neither a code-point order (after Z)
    # nor the English one (Črt before Cvetka, as c-r before c-v).
    assert owners.index("Cvetka Kos") < owners.index("Črt Novak") < owners.index("Dušan Horvat")

    client.post("/logout")
    login_as("partner")
    assert 'name="owner"' not in client.get(page).get_data(as_text=True)
