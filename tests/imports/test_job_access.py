"""An import job is its uploader's: another officer gets the 404 of a token that does not exist on
every page of the job, and can neither see its rows nor run it. An admin may open any."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from crm.audit.models import AuditEntry
from crm.audit.services import Action
from crm.db import session
from crm.imports import jobs
from crm.localities.models import Locality
from tests.imports.test_imports import LOCALITIES, count, preview, upload


def previewed_job(client: FlaskClient, login_as: Callable[..., int]) -> str:
    login_as("officer")
    token = upload(client, "localities", LOCALITIES.encode())
    assert preview(client, token) == 302
    return token


def job_state(app: Flask, token: str) -> tuple[str, dict[str, str], bool]:
    with app.test_request_context():
        job = jobs.load_job(token)
        assert job is not None
        return job.state, job.mapping, job.all_or_nothing


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("GET", "", None),
        ("GET", "?mark=new", None),
        ("GET", "/progress", None),
        ("POST", "/preview", {"mode": "valid", "map-0": "", "map-1": ""}),
        ("POST", "/apply", {"mode": "valid"}),
    ],
)
def test_another_officer_gets_a_404_everywhere_and_changes_nothing(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., int],
    method: str,
    path: str,
    data: dict[str, str] | None,
) -> None:
    token = previewed_job(client, login_as)
    before = job_state(app, token)
    other = login_as("officer")
    response = client.open(f"/imports/{token}{path}", method=method, data=data)
    assert response.status_code == 404
    assert "Maribor" not in response.get_data(as_text=True)
    assert job_state(app, token) == before
    assert count(app, Locality) == 0
    with app.app_context():
        denials = session.execute(
            select(AuditEntry.actor_id, AuditEntry.path).where(
                AuditEntry.action == Action.DENIED.value
            )
        ).all()
    assert denials == [(other, f"/imports/{token}{path.partition('?')[0]}")]


def test_the_uploader_and_an_admin_may_open_and_run_it(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    token = previewed_job(client, login_as)
    assert client.get(f"/imports/{token}").status_code == 200
    login_as("admin")
    page = client.get(f"/imports/{token}")
    assert page.status_code == 200 and "Maribor" in page.get_data(as_text=True)
    assert client.get(f"/imports/{token}/progress").status_code == 200
    assert client.post(f"/imports/{token}/apply", data={"mode": "all"}).status_code == 302
    assert count(app, Locality) == 3


@pytest.mark.parametrize("role", ["viewer", "partner"])
def test_users_who_cannot_import_are_refused_as_before(
    client: FlaskClient, login_as: Callable[..., int], role: str
) -> None:
    token = previewed_job(client, login_as)
    login_as(role)
    assert client.get(f"/imports/{token}").status_code == 403
