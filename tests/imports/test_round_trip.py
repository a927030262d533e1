"""An export imported back changes nothing: dropped and on-hold pairings find their own rows, and
the apostrophe the export puts before a formula-like cell is not taken for data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from crm.auth.models import User
from crm.contacts.models import Organisation, Person
from crm.db import session
from crm.localities.models import Locality
from crm.partnerships.models import Partnership, StageChange, Status
from crm.partnerships.services import archive_partnership, change_status
from tests.factories import make_locality, make_organisation, make_partnership, make_person
from tests.imports.test_imports import apply, marks, preview, upload


def drop(partnership: Partnership, to: Status = Status.DROPPED) -> None:
    change_status(partnership, to, by=partnership.owner, expected_version=partnership.version)


def state(app: Flask, model: type) -> dict[int, int]:
    """Every record's id and version: what an import that changes nothing leaves as it was."""
    with app.app_context():
        return {record.id: record.version for record in session.scalars(select(model))}


def history(app: Flask) -> int:
    with app.app_context():
        return len(session.scalars(select(StageChange.id)).all())


def export(client: FlaskClient, kind: str, file_format: str) -> bytes:
    response = client.get(f"/exports/{kind}.{file_format}")
    assert response.status_code == 200
    return response.data


def reimport(app: Flask, client: FlaskClient, kind: str, content: bytes, name: str) -> set[str]:
    """Preview and apply `content`; the marks the preview gave its rows."""
    token = upload(client, kind, content, filename=name)
    assert preview(client, token) == 302
    found = {mark for mark, _, _ in marks(app, token).values()}
    assert apply(client, token) == 302
    return found


def test_an_exported_dropped_or_on_hold_pairing_imports_back_unchanged_every_time(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    admin_id = login_as("admin")
    with app.app_context():
        admin = session.get(User, admin_id)
        maribor = make_locality("Maribor")
        celje = make_locality("Celje")
        aktobe = make_locality("Aktobe Region", country_code="KZ")
        astana = make_locality("Astana", country_code="KZ")
        drop(make_partnership(maribor, aktobe, owner=admin, title="Maribor – Aktobe Region"))
        drop(make_partnership(celje, astana, owner=admin), Status.ON_HOLD)
        make_partnership(maribor, astana, owner=admin, sectors=("culture",))
        session.commit()
    pairings, changes = state(app, Partnership), history(app)

    content = export(client, "pairings", "csv")
    for _ in range(2):  # the README's promise: the same file twice changes nothing
        assert reimport(app, client, "pairings", content, "pairings.csv") == {"unchanged"}
        assert state(app, Partnership) == pairings
        assert history(app) == changes


def test_of_several_dropped_pairings_a_row_matches_the_most_recently_created(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    admin_id = login_as("admin")
    with app.app_context():
        admin = session.get(User, admin_id)
        maribor = make_locality("Maribor")
        aktobe = make_locality("Aktobe Region", country_code="KZ")
        # Created later though written first: "most recent" is the creation date, not the id.
        later = make_partnership(maribor, aktobe, owner=admin, at=datetime(2025, 3, 1, tzinfo=UTC))
        drop(later)
        earlier = make_partnership(
            maribor, aktobe, owner=admin, at=datetime(2024, 3, 1, tzinfo=UTC)
        )
        drop(earlier)
        # A deleted dropped pairing holds nothing, however recent.
        deleted = make_partnership(maribor, aktobe, owner=admin)
        drop(deleted)
        archive_partnership(deleted, by=admin)
        session.commit()
        later_id, earlier_id, deleted_id = later.id, earlier.id, deleted.id
    header = "locality_a,country_a,locality_b,country_b,status\n"

    still_dropped = (header + "Maribor,SI,Aktobe Region,KZ,dropped\n").encode()
    assert reimport(app, client, "pairings", still_dropped, "same.csv") == {"unchanged"}

    reopened = (header + "Aktobe Region,KZ,Maribor,SI,open\n").encode()
    assert reimport(app, client, "pairings", reopened, "reopen.csv") == {"update"}
    with app.app_context():
        statuses = {p.id: p.status for p in session.scalars(select(Partnership))}
        assert statuses == {later_id: "open", earlier_id: "dropped", deleted_id: "dropped"}
        last = session.scalars(
            select(StageChange)
            .where(StageChange.partnership_id == later_id)
            .order_by(StageChange.id.desc())
        ).first()
        assert last is not None and last.to_status == "open"
        assert last.note == "Imported from reopen.csv"


def test_the_live_pairing_is_matched_before_a_dropped_one_and_a_deleted_drop_is_not(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    admin_id = login_as("admin")
    with app.app_context():
        admin = session.get(User, admin_id)
        maribor = make_locality("Maribor")
        celje = make_locality("Celje")
        aktobe = make_locality("Aktobe Region", country_code="KZ")
        old = make_partnership(maribor, aktobe, owner=admin, title="Old attempt")
        drop(old)
        live = make_partnership(maribor, aktobe, owner=admin, title="New attempt")
        deleted = make_partnership(celje, aktobe, owner=admin)
        drop(deleted)
        archive_partnership(deleted, by=admin)
        session.commit()
        old_id, live_id, deleted_id = old.id, live.id, deleted.id
    content = (
        b"locality_a,country_a,locality_b,country_b,status\n"
        b"Maribor,SI,Aktobe Region,KZ,on hold\n"
        b"Celje,SI,Aktobe Region,KZ,open\n"
    )
    token = upload(client, "pairings", content)
    assert preview(client, token) == 302
    assert [mark for mark, _, _ in marks(app, token).values()] == ["update", "new"]
    assert apply(client, token) == 302
    with app.app_context():
        statuses = {p.id: p.status for p in session.scalars(select(Partnership))}
        started = set(statuses) - {old_id, live_id, deleted_id}
        assert len(started) == 1
        assert statuses == {
            old_id: "dropped",
            live_id: "on_hold",
            deleted_id: "dropped",
            started.pop(): "open",
        }


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_formula_like_values_come_back_without_the_exports_apostrophe(
    app: Flask, client: FlaskClient, login_as: Callable[..., int], file_format: str
) -> None:
    admin_id = login_as("admin")
    with app.app_context():
        admin = session.get(User, admin_id)
        formula = make_locality("=1+1")
        mafia = make_locality("'Ndrangheta")
        pavlodar = make_locality("Pavlodar", country_code="KZ")
        make_partnership(formula, pavlodar, owner=admin, title="+Kranj – Pavlodar")
        make_partnership(
            mafia, pavlodar, owner=admin, title="O'Brien's pairing", summary="-5 °C in January"
        )
        guild = make_organisation("@Kranj guild", country_code="SI", notes="'=typed as text")
        make_person("O'Brien", organisation=guild, email="obrien@example.com", position="-")
        session.commit()
    before = {model: state(app, model) for model in (Locality, Partnership, Organisation, Person)}
    exported = {
        kind: export(client, kind, file_format)
        for kind in ("localities", "organisations", "people", "pairings")
    }
    if file_format == "csv":  # the file carries the guard the import must take off
        assert b"'=1+1" in exported["localities"] and b"''=typed" in exported["organisations"]

    found = {
        kind: reimport(app, client, kind, content, f"{kind}.{file_format}")
        for kind, content in exported.items()
    }
    assert found == {kind: {"unchanged"} for kind in exported}
    assert {model: state(app, model) for model in before} == before
    with app.app_context():
        names = set(session.scalars(select(Locality.name)))
        assert names == {"=1+1", "'Ndrangheta", "Pavlodar"}
        titles = set(session.scalars(select(Partnership.title)))
        assert titles == {"+Kranj – Pavlodar", "O'Brien's pairing"}
        assert session.scalars(select(Organisation.notes)).one() == "'=typed as text"
