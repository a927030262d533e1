"""Control characters typed into a title or a name never reach a calendar feed or a vCard, which
forbid them (a strict client refuses the whole feed)."""

from __future__ import annotations

import re
from collections.abc import Callable

import vobject
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar

from crm.auth.models import User
from crm.contacts.vcard import vcard_of
from crm.db import session
from crm.tasks.dates import today_for
from tests.factories import make_partnership, make_person, make_task

FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def test_the_feed_and_the_vcard_drop_control_characters(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    user_id = login_as()
    with app.app_context():
        user = session.get(User, user_id)
        assert user is not None
        make_task(
            make_partnership(owner=user),
            title="Call\x01 the\x08 akimat\x1f; ok",
            description="Line one\x0bstill one\nline two",
            assignee=user,
            due_on=today_for(user),
        )
        person = make_person("Ana\x01 Novak\x7f", notes="Met\x0c in Maribor")
        session.commit()
        card = vcard_of(person)
    assert not FORBIDDEN.search(card)
    assert vobject.readOne(card).fn.value == "Ana Novak"

    made = client.post("/calendar/token").get_data(as_text=True)
    found = re.search(r"/calendar/([^\"]+)\.ics", made)
    assert found
    feed = app.test_client().get(f"/calendar/{found[1]}.ics").get_data(as_text=True)
    assert not FORBIDDEN.search(feed)
    [event] = Calendar.from_ical(feed).walk("VEVENT")
    # (\x1f is whitespace to str.split, which tidies a title as it is saved.)
    assert str(event["summary"]).startswith("Call the akimat ; ok (")
    assert str(event["description"]).startswith("Line onestill one\nline two")
