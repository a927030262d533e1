"""Every user-provided text is shown escaped: a payload in every text field of every form."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from crm.auth.models import User
from crm.db import session
from crm.localities.models import Locality
from crm.partnerships.models import Partnership, Sector, Stage, StageChange
from tests.factories import make_user

PAYLOAD = '<script>alert(1)</script>"><img src=x onerror=alert(1)>{{7*7}}'
RAW = ("<script>alert(1)", "<img src=x", "onerror=alert(1)>")
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def assert_escaped(page: str, where: str) -> None:
    for fragment in RAW:
        assert fragment not in page, f"{fragment!r} unescaped on {where}"
    assert ESCAPED in page, f"the payload is not shown on {where}"
    assert "{{7*7}}" in page, f"the template payload was evaluated on {where}"


def test_payload_in_every_text_field_is_escaped_everywhere(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    admin_id = login_as("admin")
    with app.app_context():
        partner = make_user("partner", name="Partner")
        session.commit()
        partner_id = partner.id

    # Localities: name and English name.
    for name in ("A", "B"):
        client.post(
            "/localities/new",
            data={
                "name": f"{name}{PAYLOAD}",
                "name_en": PAYLOAD,
                "kind": "city",
                "country_code": "SI",
            },
        )
    with app.app_context():
        a, b = session.scalars(select(Locality.id).order_by(Locality.id)).all()
    # A pairing: title and summary; a move and a status change with notes.
    client.post(
        "/partnerships/new",
        data={
            "locality_a_id": a,
            "locality_b_id": b,
            "owner_id": admin_id,
            "title": PAYLOAD,
            "summary": PAYLOAD,
        },
    )
    with app.app_context():
        pairing = session.scalar(select(Partnership))
        pid, version = pairing.id, pairing.version
    client.post(
        f"/partnerships/{pid}/stage",
        data={"stage": "exploratory_talks", "note": PAYLOAD, "version": version},
    )
    client.post(
        f"/partnerships/{pid}/status",
        data={"status": "on_hold", "note": PAYLOAD, "version": version + 1},
    )
    client.post(f"/partnerships/{pid}/shares", data={"user_id": partner_id})
    # Sectors and stages: names.
    client.post("/sectors", data={"name": f"S{PAYLOAD}"[:100]})
    client.post("/stages", data={"name": f"T{PAYLOAD}"[:100], "after": 0})
    # A user: name.
    client.post(
        "/users/new",
        data={
            "email": "xss@example.com",
            "name": PAYLOAD,
            "role": "partner",
            "password": "a brand new long passphrase",
            "confirm": "a brand new long passphrase",
        },
    )
    with app.app_context():
        notes = session.scalars(select(StageChange.note).where(StageChange.note == PAYLOAD))
        assert len(notes.all()) == 2
        assert session.scalar(select(Sector).where(Sector.name.startswith("S<script>")))
        assert session.scalar(select(Stage).where(Stage.name.startswith("T<script>")))
        user_id = session.scalar(select(User.id).where(User.email == "xss@example.com"))
        assert user_id

    for url in (
        "/board?status=on_hold",
        "/board/columns/exploratory_talks?status=on_hold",  # "show more"
        "/partnerships",
        f"/partnerships/{pid}",
        f"/partnerships/{pid}/edit",
        "/localities",
        f"/localities/{a}",
        f"/localities/{a}/edit",
        "/sectors",
        "/stages",
        "/users",
        f"/users/{user_id}",
        "/audit",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_escaped(response.get_data(as_text=True), url)


def test_echoed_input_is_escaped(client: FlaskClient, login_as: Callable[..., int]) -> None:
    """Search terms and refused form values come back into the page escaped."""
    login_as("admin")
    for response, where in (
        (client.get("/partnerships", query_string={"q": PAYLOAD}), "the list search"),
        (client.get("/localities", query_string={"q": PAYLOAD}), "the locality search"),
        (
            client.post(
                "/localities/new",
                data={
                    "name": PAYLOAD,
                    "kind": "city",
                    "country_code": "SI",
                    "subdivision_code": PAYLOAD,
                },
            ),
            "a refused locality",
        ),
        (
            client.post("/users/new", data={"email": PAYLOAD, "name": PAYLOAD, "role": "viewer"}),
            "a refused user",
        ),
    ):
        page = response.get_data(as_text=True)
        for fragment in RAW:
            assert fragment not in page, where
        assert "{{7*7}}" in page, where


def test_the_login_form_escapes_the_typed_email(client: FlaskClient) -> None:
    page = client.post("/login", data={"email": PAYLOAD, "password": "x" * 12}).get_data(
        as_text=True
    )
    for fragment in RAW:
        assert fragment not in page
