"""Exports: parse the CSV and XLSX back, only visible rows, filters kept, formulas defused."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from crm.auth.models import User
from crm.db import session
from crm.partnerships.services import archive_partnership
from crm.sharing.services import share
from tests.factories import (
    make_activity,
    make_locality,
    make_partnership,
    make_person,
    make_task,
    make_user,
)


def seed(app: Flask) -> None:
    with app.app_context():
        maribor = make_locality("Maribor")
        celje = make_locality("Celje")
        kyzylorda = make_locality("Kyzylorda", country_code="KZ")
        astana = make_locality("Astana", country_code="KZ")
        shown = make_partnership(maribor, kyzylorda, title='=HYPERLINK("http://evil")')
        make_partnership(celje, astana, title="Celje – Astana", sectors=("culture",))
        hidden = make_partnership(maribor, astana, title="Archived pairing")
        archive_partnership(hidden, by=hidden.owner)
        make_task(shown, title="Visible task")
        make_task(hidden, title="Task on an archived pairing")
        make_activity(shown, place="Maribor City Hall")
        make_activity(hidden, place="Secret place")
        make_person("Aleksander Saša Arsenovič", email="zupan@example.com")
        session.commit()


def parse_csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))


def test_pairings_csv_follows_the_filters_and_hides_what_the_user_may_not_see(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    seed(app)
    login_as()
    rows = parse_csv(client.get("/exports/pairings.csv"))
    titles = {row["title"] for row in rows}
    assert titles == {'\'=HYPERLINK("http://evil")', "Celje – Astana"}  # formula defused
    rows = parse_csv(client.get("/exports/pairings.csv?sector=culture"))
    assert [row["title"] for row in rows] == ["Celje – Astana"]
    assert rows[0]["sectors"] == "culture"
    rows = parse_csv(client.get("/exports/pairings.csv?q=kyzylorda"))
    assert len(rows) == 1 and rows[0]["locality_b"] == "Kyzylorda"


def test_pairings_xlsx_parses_back(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    seed(app)
    login_as()
    response = client.get("/exports/pairings.xlsx?country=KZ")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("id", "title")
    assert {row[1] for row in rows[1:]} == {'\'=HYPERLINK("http://evil")', "Celje – Astana"}


def test_tasks_and_activities_only_on_visible_pairings(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    seed(app)
    login_as()
    tasks = parse_csv(client.get("/exports/tasks.csv"))
    assert [row["title"] for row in tasks] == ["Visible task"]
    activities = parse_csv(client.get("/exports/activities.csv"))
    assert [row["place"] for row in activities] == ["Maribor City Hall"]
    people = parse_csv(client.get("/exports/people.csv?q=arsenovic"))
    assert people[0]["full_name"] == "Aleksander Saša Arsenovič"
    localities = parse_csv(client.get("/exports/localities.csv?country=KZ"))
    assert {row["name"] for row in localities} == {"Kyzylorda", "Astana"}


def test_one_pairings_tasks_and_activities_and_a_bad_pairing_number(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    """Regression: `?partnership=abc` or a number no id can be exported every row, as if the
    filter had not been given."""
    seed(app)
    with app.app_context():
        other = make_partnership(title="Celje – Aktobe")
        make_task(other, title="Other task")
        make_activity(other, place="Celje")
        session.commit()
        other_id = other.id
    login_as()
    for name, column, expected in (
        ("tasks", "title", "Other task"),
        ("activities", "place", "Celje"),
    ):
        one = parse_csv(client.get(f"/exports/{name}.csv?partnership={other_id}"))
        assert [row[column] for row in one] == [expected]
        too_large = client.get(f"/exports/{name}.csv?partnership=99999999999999999999")
        assert parse_csv(too_large) == []
        for bad in ("abc", "-1", "1.5", "١"):
            refused = client.get(f"/exports/{name}.xlsx?partnership={bad}")
            assert refused.status_code == 400, bad
            assert "is not the number of a pairing" in refused.get_data(as_text=True)


def test_an_owner_or_status_the_export_cannot_read_is_refused_not_left_out(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    """Regression: `?owner=abc` or `?status=opened` was dropped as a filter, so the file held
    every row, where the list page at least shows the filter it kept."""
    seed(app)
    login_as()
    assert len(parse_csv(client.get("/exports/pairings.csv"))) == 2
    for query, message in (
        ("pairings.csv?owner=abc", "“abc” is not the number of a user."),
        ("pairings.xlsx?owner=-3", "“-3” is not the number of a user."),
        ("pairings.csv?status=opened", "There is no status “opened”; choose one of"),
        ("tasks.csv?status=finished", "There is no status “finished”; choose one of done, open."),
    ):
        refused = client.get(f"/exports/{query}")
        assert refused.status_code == 400, query
        assert message in refused.get_data(as_text=True), query
    assert parse_csv(client.get("/exports/pairings.csv?owner=99999999999999999999")) == []
    assert parse_csv(client.get("/exports/pairings.csv?status=dropped")) == []
    assert [row["title"] for row in parse_csv(client.get("/exports/tasks.csv?status=open"))] == [
        "Visible task"
    ]


def test_a_user_who_sees_no_pairings_exports_none(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    seed(app)
    login_as("partner")  # not staff: crm.access shows no pairing
    assert parse_csv(client.get("/exports/pairings.csv")) == []
    assert parse_csv(client.get("/exports/tasks.csv")) == []
    assert parse_csv(client.get("/exports/activities.csv")) == []


def test_a_partner_exports_staff_by_name_and_staff_by_e_mail(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    """A partner's pages name the owner and assignees, never their e-mail (regression)."""
    partner_id = login_as("partner")
    with app.app_context():
        officer = make_user(name="Dana Sarsenbayeva", email="dana@embassy.example")
        pairing = make_partnership(owner=officer)
        make_task(pairing, title="Send the invitation", assignee=officer)
        share(pairing, session.get(User, partner_id), by=officer)
        session.commit()
    as_partner = parse_csv(client.get("/exports/pairings.csv"))
    assert as_partner[0]["owner"] == "Dana Sarsenbayeva"
    assert parse_csv(client.get("/exports/tasks.csv"))[0]["assignee"] == "Dana Sarsenbayeva"
    sheet = load_workbook(io.BytesIO(client.get("/exports/tasks.xlsx").data)).worksheets[0]
    assert [row[5] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["Dana Sarsenbayeva"]
    login_as("officer")
    assert parse_csv(client.get("/exports/pairings.csv"))[0]["owner"] == "dana@embassy.example"
    assert parse_csv(client.get("/exports/tasks.csv"))[0]["assignee"] == "dana@embassy.example"


def test_full_export_is_a_zip_with_a_manifest_for_admins_only(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    seed(app)
    login_as("officer")
    assert client.get("/exports/full.zip").status_code == 403
    login_as("admin")
    response = client.get("/exports/full.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    manifest = json.loads(archive.read("manifest.json"))
    files = {entry["file"]: entry for entry in manifest["files"]}
    assert set(files) >= {"pairings.csv", "localities.csv", "people.csv", "stage_changes.csv"}
    for name, entry in files.items():
        rows = list(csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
        assert rows[0] == entry["columns"]
        assert len(rows) - 1 == entry["rows"]
    assert files["pairings.csv"]["rows"] == 2  # the archived one is not in the pipeline
    assert files["localities.csv"]["rows"] == 4


def test_unknown_exports_are_404(client: FlaskClient, login_as: Callable[..., int]) -> None:
    login_as()
    assert client.get("/exports/users.csv").status_code == 404
    assert client.get("/exports/pairings.pdf").status_code == 404
    assert client.get("/exports/stage_changes.csv").status_code == 404
