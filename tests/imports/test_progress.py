"""The progress the page polls: `reading`, then `checking` (preview) or `applying`, and at the end
`done` or `failed`, never the phase a run stopped in."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from crm.auth.models import User
from crm.db import session
from crm.imports import jobs
from crm.imports.kinds.pairings import PairingImporter
from tests.factories import make_import_job, make_locality, make_user
from tests.imports.test_imports import LOCALITIES, apply, preview, upload


def phase(client: FlaskClient, token: str) -> str:
    return str(client.get(f"/imports/{token}/progress").get_json()["phase"])


def test_a_run_that_succeeds_ends_done(client: FlaskClient, login_as: Callable[..., int]) -> None:
    login_as()
    token = upload(client, "localities", LOCALITIES.encode())
    assert phase(client, token) == "waiting"
    assert preview(client, token) == 302
    assert phase(client, token) == "done"
    assert apply(client, token) == 302
    assert phase(client, token) == "done"


def test_a_preview_that_fails_ends_failed(
    client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as()
    token = upload(client, "localities", b"name,country\n")
    assert preview(client, token) == 422
    assert phase(client, token) == "failed"


def test_an_apply_that_is_refused_ends_failed(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The tester's case: an apply refused at the last moment (the batch of new pairings is
    written after the last row) left the poll at the phase it had last been told."""
    login_as()
    with app.app_context():
        make_locality("Maribor")
        make_locality("Astana", country_code="KZ")
        owner = make_user(email="owner@example.com")
        session.commit()
        owner_id = owner.id
    content = (
        b"locality_a,country_a,locality_b,country_b,owner\nMaribor,SI,Astana,KZ,owner@example.com\n"
    )
    token = upload(client, "pairings", content)
    assert preview(client, token) == 302

    loaded = PairingImporter.prepare

    def prepare_then_deactivate(importer: PairingImporter) -> None:
        loaded(importer)
        user = session.get(User, owner_id)
        assert user is not None
        user.is_active = False
        session.flush()

    monkeypatch.setattr(PairingImporter, "prepare", prepare_then_deactivate)
    assert apply(client, token) == 409
    assert phase(client, token) == "failed"


def test_a_new_phase_is_written_at_once(app: Flask, login_as: Callable[..., int]) -> None:
    """Within a phase the writer reports a few times a second; a new phase cannot wait, or a
    short run shows `reading` to its end."""
    user_id = login_as()
    with app.test_request_context():
        job = jobs.load_job(make_import_job(user_id))
        assert job is not None
        writer = jobs.ProgressWriter(job)
        writer("reading", 0, 0)
        writer("reading", 10, 0)
        assert jobs.read_progress(job)["done"] == 0  # too soon after the last: not written
        writer("checking", 0, 3)
        assert jobs.read_progress(job) == {"phase": "checking", "done": 0, "total": 3}
