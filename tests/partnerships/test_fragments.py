"""The pieces of HTML every row and card repeats, written in Python: escaped, in the reader's
language, and empty where there is nothing to say."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from crm.db import session
from crm.partnerships.fragments import overdue_flag, pairing_names, sector_tags, status_badge
from tests.factories import make_locality, make_partnership


def test_every_value_is_escaped_and_open_pairings_have_no_badge(app: Flask) -> None:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        a = make_locality('<script>alert("a")</script>', country_code="SI")
        b = make_locality("Kyzylorda & Co", country_code="KZ")
        pairing = make_partnership(a, b, sectors=("education",))
        names = str(pairing_names(pairing))
        assert (
            "<script>" not in names and "&lt;script&gt;alert(&#34;a&#34;)&lt;/script&gt;" in names
        )
        assert "Kyzylorda &amp; Co" in names
        assert '<abbr class="country" title="Kazakhstan">KZ</abbr>' in names
        assert str(status_badge(pairing)) == ""
        pairing.status = "on_hold"
        assert str(status_badge(pairing)) == '<span class="badge badge-on_hold">On hold</span>'
        assert str(sector_tags(pairing)) == (
            '<ul class="tags" aria-label="Sectors"><li>Education</li></ul>'
        )
        assert str(overdue_flag(0)) == ""
        assert "2 overdue tasks" in str(overdue_flag(2))
        session.rollback()


def test_fragments_speak_the_readers_language(app: Flask) -> None:
    with app.test_request_context(headers={"Accept-Language": "sl"}):
        pairing = make_partnership(sectors=("education",))
        pairing.status = "on_hold"
        assert str(sector_tags(pairing)) == (
            '<ul class="tags" aria-label="Področja"><li>Izobraževanje</li></ul>'
        )
        assert 'class="visually-hidden">in</span>' in str(pairing_names(pairing))
        assert ">Na čakanju</span>" in str(status_badge(pairing))
        # Slovenian has a dual: 2 tasks is neither the singular nor the plural of 5.
        assert "2 nalogi zamujata" in str(overdue_flag(2))
        assert "5 nalog zamuja" in str(overdue_flag(5))
        session.rollback()


def test_a_pairing_without_sectors_shows_a_dash_on_its_page(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as()
    with app.app_context():
        pairing_id = make_partnership().id
        session.commit()
    page = client.get(f"/partnerships/{pairing_id}").get_data(as_text=True)
    assert "<dd>—</dd>" in page.replace("\n", "")
