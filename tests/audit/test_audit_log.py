"""Every change, login, failed login and denial is in the audit log; secrets never are."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text

from crm.audit.models import AuditEntry, AuditLogIsAppendOnly
from crm.db import engine_for, session
from crm.partnerships.models import Partnership
from tests.factories import TEST_PASSWORD, make_locality, make_partnership, make_user

NEW_PASSWORD = "a brand new long passphrase"


def entries(app: Flask, **where: Any) -> list[AuditEntry]:
    with app.app_context():
        statement = select(AuditEntry).order_by(AuditEntry.id)
        for key, value in where.items():
            statement = statement.where(getattr(AuditEntry, key) == value)
        found = list(session.scalars(statement))
        session.expunge_all()
        return found


@pytest.fixture
def pairing(app: Flask) -> dict[str, Any]:
    with app.app_context():
        owner = make_user("officer", email="owner@example.com")
        partner = make_user("partner", email="partner@example.com")
        sectors = ("education",)
        partnership = make_partnership(
            make_locality("Maribor"),
            make_locality("Almaty", country_code="KZ"),
            owner=owner,
            sectors=sectors,
        )
        session.commit()
        return {
            "id": partnership.id,
            "version": partnership.version,
            "a": partnership.locality_a_id,
            "b": partnership.locality_b_id,
            "owner": owner.id,
            "owner_session": owner.get_id(),
            "partner": partner.id,
            "partner_session": partner.get_id(),
        }


def as_user(client: FlaskClient, session_id: str) -> FlaskClient:
    with client.session_transaction() as cookie_session:
        cookie_session["_user_id"] = session_id
    return client


def test_an_edit_records_who_when_what_and_before_after(
    app: Flask, client: FlaskClient, pairing: dict[str, Any]
) -> None:
    as_user(client, pairing["owner_session"])
    response = client.post(
        f"/partnerships/{pairing['id']}/edit",
        data={
            "locality_a_id": pairing["a"],
            "locality_b_id": pairing["b"],
            "owner_id": pairing["owner"],
            "title": "Maribor and Almaty",
            "summary": "Trade first.",
            "sector_ids": [],
            "version": pairing["version"],
        },
    )
    assert response.status_code == 302
    [entry] = entries(app, action="update", object_type="partnership")
    assert entry.actor_id == pairing["owner"]
    assert entry.actor_label == "owner@example.com"
    assert entry.object_id == pairing["id"]
    assert entry.occurred_at.tzinfo is not None
    assert entry.changes["title"] == ["Maribor – Almaty", "Maribor and Almaty"]
    assert entry.changes["summary"] == ["", "Trade first."]
    assert entry.changes["sectors"] == [["Education"], []]
    assert "version" not in entry.changes


def test_create_move_share_and_unshare_are_recorded(
    app: Flask, client: FlaskClient, pairing: dict[str, Any]
) -> None:
    as_user(client, pairing["owner_session"])
    client.post(
        f"/partnerships/{pairing['id']}/stage",
        data={"stage": "exploratory_talks", "version": pairing["version"], "note": "Met."},
    )
    [move] = entries(app, action="stage_move")
    assert move.changes["stage"] == ["Prospect", "Exploratory talks"]
    assert move.changes["note"] == [None, "Met."]
    assert entries(app, action="update", object_type="partnership") == []

    client.post(f"/partnerships/{pairing['id']}/shares", data={"user_id": pairing["partner"]})
    client.post(f"/partnerships/{pairing['id']}/shares/{pairing['partner']}/delete")
    [shared] = entries(app, action="share")
    [unshared] = entries(app, action="unshare")
    assert shared.changes == {"shared with": [None, "partner@example.com"]}
    assert unshared.changes == {"shared with": ["partner@example.com", None]}
    assert shared.object_id == unshared.object_id == pairing["id"]

    client.post("/localities/new", data={"name": "Celje", "kind": "city", "country_code": "SI"})
    [created] = entries(app, action="create", object_type="locality", object_label="Celje")
    assert created.changes["country_code"] == [None, "SI"]


def test_a_refused_change_leaves_no_entry(
    app: Flask, client: FlaskClient, pairing: dict[str, Any]
) -> None:
    """Entries are written in the change's own transaction: no change, no entry."""
    as_user(client, pairing["owner_session"])
    moved = client.post(
        f"/partnerships/{pairing['id']}/stage",
        data={"stage": "exploratory_talks", "version": pairing["version"]},
    )
    assert moved.status_code in (200, 302, 303)
    before = len(entries(app))
    # The version the page had before that move: a stale change, refused.
    response = client.post(
        f"/partnerships/{pairing['id']}/stage",
        data={"stage": "agreement_in_principle", "version": pairing["version"]},
    )
    assert response.status_code == 409
    assert len(entries(app)) == before


def test_logins_failed_logins_and_logouts_are_recorded_without_the_password(
    app: Flask, client: FlaskClient, pairing: dict[str, Any]
) -> None:
    client.post("/login", data={"email": "owner@example.com", "password": "wrong guess 123"})
    client.post("/login", data={"email": "ghost@example.com", "password": "wrong guess 456"})
    client.post("/login", data={"email": "owner@example.com", "password": TEST_PASSWORD})
    client.post("/logout")
    failed = entries(app, action="login_failed")
    assert [(e.object_label, e.object_id) for e in failed] == [
        ("owner@example.com", pairing["owner"]),
        ("ghost@example.com", None),
    ]
    assert failed[0].actor_label == "anonymous"
    [login] = entries(app, action="login")
    assert login.actor_id == pairing["owner"]
    assert entries(app, action="logout")[0].actor_id == pairing["owner"]
    text = repr([(e.changes, e.object_label, e.path) for e in entries(app)])
    for secret in ("wrong guess", TEST_PASSWORD):
        assert secret not in text


def test_password_hashes_and_tokens_never_reach_the_log(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    admin_id = login_as("admin")
    handler = ListHandler()
    logging.getLogger().addHandler(handler)
    app.logger.addHandler(handler)
    try:
        client.post(
            "/users/new",
            data={
                "email": "new@example.com",
                "name": "New",
                "role": "viewer",
                "password": NEW_PASSWORD,
                "confirm": NEW_PASSWORD,
            },
        )
        client.post(
            f"/users/{admin_id}/password", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
        )
    finally:
        logging.getLogger().removeHandler(handler)
        app.logger.removeHandler(handler)
    with app.app_context():
        from crm.auth.models import User

        secrets = [NEW_PASSWORD]
        for user in session.scalars(select(User)):
            secrets += [user.password_hash, user.session_token, user.password_hash.split("$")[-1]]
    logged = repr([(e.changes, e.object_label) for e in entries(app)]) + "\n".join(handler.lines)
    for secret in secrets:
        assert secret not in logged
    [created] = entries(app, action="create", object_type="user", object_label="New")
    assert created.changes["password_hash"] == [None, "[redacted]"]
    [changed] = entries(app, action="update", object_type="user")
    assert changed.changes["password_hash"] == ["[redacted]", "[redacted]"]


class ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_denials_are_recorded(app: Flask, client: FlaskClient, pairing: dict[str, Any]) -> None:
    as_user(client, pairing["partner_session"])
    assert client.get("/stages").status_code == 403
    assert client.get(f"/partnerships/{pairing['id']}").status_code == 404  # not shared
    denials = entries(app, action="denied")
    assert [(d.path, d.object_type, d.object_id) for d in denials] == [
        ("/stages", "", None),
        (f"/partnerships/{pairing['id']}", "partnership", pairing["id"]),
    ]
    assert all(d.actor_id == pairing["partner"] for d in denials)
    # An id that does not exist at all is a plain 404, not a denial.
    assert client.get("/partnerships/987654").status_code == 404
    assert len(entries(app, action="denied")) == 2


def test_a_denial_is_recorded_when_someone_else_writes_meanwhile(
    app: Flask, client: FlaskClient, pairing: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: on SQLite the denial of a GET was written in a transaction begun as a reader;
    a colleague's commit after its first read made the insert fail at once ("database is
    locked"), a 500 that also told hidden ids from missing ones. The colleague writes here
    between the denial's first read and its insert."""
    from crm.audit import services as audit_services

    engine = engine_for(app)
    recorded = audit_services.record

    def colleague_writes() -> None:
        if engine.dialect.name == "sqlite":
            # A connection of its own that gives up at once: the denial may hold the lock.
            other = sqlite3.connect(engine.url.database or "", timeout=0.1)
            try:
                other.execute(
                    "UPDATE users SET name = name || '.' WHERE id = ?", (pairing["owner"],)
                )
                other.commit()
            except sqlite3.OperationalError:
                pass  # the denial's transaction holds the write lock, as it should
            finally:
                other.close()
        else:
            with engine.begin() as other:
                other.execute(
                    text("UPDATE users SET name = name || '.' WHERE id = :id"),
                    {"id": pairing["owner"]},
                )

    def read_then_colleague_then_record(*args: Any, **kwargs: Any) -> Any:
        session.scalar(select(func.count()).select_from(AuditEntry))
        colleague_writes()
        return recorded(*args, **kwargs)

    monkeypatch.setattr(audit_services, "record", read_then_colleague_then_record)
    as_user(client, pairing["partner_session"])
    assert client.get(f"/partnerships/{pairing['id']}").status_code == 404
    denials = entries(app, action="denied")
    assert [(d.object_type, d.object_id) for d in denials] == [("partnership", pairing["id"])]


def test_entries_cannot_be_changed_or_deleted(app: Flask, pairing: dict[str, Any]) -> None:
    with app.app_context():
        entry = session.scalars(select(AuditEntry)).first()
        entry.action = "nothing happened"
        with pytest.raises(AuditLogIsAppendOnly):
            session.flush()
        session.rollback()
        entry = session.scalars(select(AuditEntry)).first()
        session.delete(entry)
        with pytest.raises(AuditLogIsAppendOnly):
            session.flush()
        session.rollback()


def test_admins_browse_and_filter_the_log(
    app: Flask, client: FlaskClient, login_as: Callable[..., int], pairing: dict[str, Any]
) -> None:
    login_as("admin")
    page = client.get("/audit").get_data(as_text=True)
    assert "Maribor – Almaty" in page
    assert "owner@example.com" not in page or "create" in page
    by_object = client.get(f"/audit?object_type=partnership&object_id={pairing['id']}")
    assert by_object.status_code == 200
    assert "Maribor – Almaty" in by_object.get_data(as_text=True)
    by_other_user = client.get(f"/audit?actor={pairing['partner']}").get_data(as_text=True)
    assert "0 entries" in by_other_user
    # The last day of the span of dates the CRM keeps (crm.date_span).
    future = client.get("/audit?from=2200-12-31").get_data(as_text=True)
    assert "0 entries" in future
    today = client.get("/audit?to=2200-12-31&action=create").get_data(as_text=True)
    assert "0 entries" not in today
    bad = client.get("/audit?from=2026-02-30&object_id=abc")
    assert bad.status_code == 422
    assert "Give a real date" in bad.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [
        # The calendar's ends: the filter's bounds overflowed (a 500), east of UTC for `from`
        # (a local midnight of 0001-01-01 is in year 0 in UTC), anywhere for `to` (the day after).
        "from=0001-01-01",
        "to=9999-12-31",
        "from=1899-12-31",
        "to=2201-01-01",
    ],
)
@pytest.mark.parametrize("zone", ["Asia/Almaty", "America/New_York"])
def test_a_filter_date_outside_the_span_is_a_422_with_a_message(
    client: FlaskClient,
    login_as: Callable[..., int],
    pairing: dict[str, Any],
    zone: str,
    query: str,
) -> None:
    login_as("admin", time_zone=zone)
    response = client.get(f"/audit?{query}")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Give a date between 1900-01-01 and 2200-12-31." in page
    # Nothing is listed under a filter that could not be read (was every entry, unfiltered).
    assert "Maribor – Almaty" not in page


def test_the_log_has_no_edit_or_delete_route(app: Flask) -> None:
    audit_rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("audit.")]
    assert [(rule.rule, sorted(rule.methods - {"HEAD", "OPTIONS"})) for rule in audit_rules] == [
        ("/audit", ["GET"])
    ]


def test_pairings_made_by_services_outside_requests_are_recorded_too(ctx: None) -> None:
    make_partnership()
    session.flush()
    created = session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "create", AuditEntry.object_type == "partnership"
        )
    ).all()
    assert len(created) == 1
    assert created[0].actor_label == "system"
    assert session.get(Partnership, created[0].object_id) is not None


@pytest.mark.parametrize("query", ["actor=²", "object_id=①", "actor=x1", "object_id=-1"])
def test_a_filter_number_that_is_no_number_is_a_422_with_a_message(
    client: FlaskClient, login_as: Callable[..., int], pairing: dict[str, Any], query: str
) -> None:
    # "²" and "①" are digits to str.isdigit, but int() refuses them.
    login_as("admin")
    response = client.get(f"/audit?{query}")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Give a number." in page
    assert "Maribor – Almaty" not in page


def test_a_filter_number_too_large_for_an_id_names_nothing(
    client: FlaskClient, login_as: Callable[..., int], pairing: dict[str, Any]
) -> None:
    """Regression: it was "Give a number.", where a number too large elsewhere names no
    record (README: held to the largest id)."""
    login_as("admin")
    for name in ("object_id", "actor"):
        response = client.get(f"/audit?{name}=99999999999999999999")
        assert response.status_code == 200
        assert "0 entries" in response.get_data(as_text=True), name


def test_a_change_of_other_names_shows_the_names_before_and_after(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    """Regression: a mapping was joined like a list, which shows its keys alone: "ru → ru"."""
    from crm.localities.services import LocalityData, update_locality

    with app.app_context():
        locality = make_locality("Velenje")
        session.commit()
        for russian in ("Веленье", "Велене"):
            update_locality(
                locality,
                LocalityData(
                    name="Velenje", kind="city", country_code="SI", other_names=(("ru", russian),)
                ),
                expected_version=locality.version,
            )
            session.commit()
        locality_id = locality.id
    login_as("admin")

    page = client.get(f"/audit?object_type=locality&object_id={locality_id}").get_data(as_text=True)
    assert "ru: Веленье" in page and "ru: Велене" in page
